/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Derived versions (migcompat-formats(5), "Derived versions"): a template
 * over identity values such as "{driver-srcversion}+fw{pf-firmware}". The
 * engine checks and expands templates; the daemon finds the values (I/O)
 * and hands them in, so everything here stays pure. */

#include "mc-types.h"

#define MC_MAX_TEMPLATE_LEN 512
#define MC_MAX_TEMPLATE_PLACEHOLDERS 16

/* Whether tmpl is a valid template: printable ASCII, balanced braces
 * ("{{" and "}}" are literal braces), known placeholders only, not empty.
 * MC_ERROR_TEMPLATE saying what is wrong and where. */
bool mc_template_check(const char *tmpl, GError **error);

/* Whether name is a placeholder name of the set ("pf-firmware",
 * "attr:sriov_totalvfs"): the names a derived-from object may hold. */
bool mc_template_name_valid(const char *name);

/* The placeholder names of a valid template, each once, in order of
 * appearance (char*). */
GPtrArray *mc_template_names(const char *tmpl);

/* Expand a valid template with values (McPair*, name -> value, sorted).
 * A placeholder without a value: MC_ERROR_NOT_FOUND naming it. A result
 * that is no version string (empty, not ASCII, a newline, too long):
 * MC_ERROR_VALUE. */
char *mc_template_expand(const char *tmpl, const GPtrArray *values, GError **error);

/* What a placeholder stands for, for people: "PF firmware",
 * "attribute sriov_totalvfs of the PF". */
char *mc_template_label(const char *name);

/* What differs between the values a destination's version was derived
 * from (here) and the source's: "PF firmware 28.39.1002 here, the source
 * runs 28.38.1900; driver srcversion ...". Only names both sides have are
 * compared; NULL when nothing differs (or either side is NULL). */
char *mc_derived_diff(const GPtrArray *here, const GPtrArray *source);
