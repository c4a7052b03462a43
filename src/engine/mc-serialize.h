/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* JSON writers with a stable member order, readable back by mc-parse.h. */

#include <json-glib/json-glib.h>

#include "mc-compat.h"
#include "mc-parse.h"

/* The migration information object {"models": {...}} (builder is left
 * inside no object: it writes one complete value). */
void mc_info_build_models(JsonBuilder *b, const McInfo *info);
void mc_source_build(JsonBuilder *b, const McSource *src);
void mc_check_result_build(JsonBuilder *b, const McCheckResult *r);
void mc_impl_build(JsonBuilder *b, const McImpl *impl);

char *mc_info_to_json(const McInfo *info, bool pretty);
char *mc_source_to_json(const McSource *src, bool pretty);
char *mc_check_result_to_json(const McCheckResult *r, bool pretty);
/* The compact form, appended to out (a buffer the caller reuses). */
void mc_check_result_write_json(const McCheckResult *r, GString *out);
/* Host profile from a catalog (implementations sorted by id). */
char *mc_profile_to_json(const McCatalog *cat, const char *hostname, const char *machine_id,
                         const char *daemon_version, bool pretty);
/* The same with host.exported-at: seconds since the epoch (the engine
 * reads no clock; the caller says when), -1 to leave it out. */
char *mc_profile_to_json_at(const McCatalog *cat, const char *hostname, const char *machine_id,
                            const char *daemon_version, gint64 exported_at, bool pretty);
/* Build a catalog from a parsed profile (takes the implementations' refs). */
McCatalog *mc_profile_to_catalog(McProfile *p);

char *mc_json_builder_to_string(JsonBuilder *b, bool pretty);
