/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Names for what a host offers, in the vocabularies of the schedulers that
 * clusters already run (migcompatctl(1), export). Each (device model, version)
 * pair maps to one name; distinct pairs never share one.
 *
 * Kubernetes Node Feature Discovery labels: "migcompat.org/NAME", NAME at
 * most 63 characters of [A-Za-z0-9._-], starting and ending with a letter
 * or digit.
 *   - Plain form, when it fits and says everything: the model with each
 *     "/" written "_", then "__" and the version:
 *       acme.example/vgpu, v2       →  acme.example_vgpu__v2
 *       vendor-a.com/nic/pf, q64-v2 →  vendor-a.com_nic_pf__q64-v2
 *     (a model without versions: just the model part). It is used only
 *     when the model holds nothing but letters, digits, ".", "-" and "/",
 *     the version nothing but letters, digits, "." and "-" and ends with a
 *     letter or digit, and the whole fits in 63: then "_" stands only for
 *     "/", "__" only separates, and the pair can be read back.
 *   - Hashed form, for everything else: the same text with every other
 *     character written "-", cut to 48 characters, then "___" and the
 *     first 12 hex digits of SHA-256("MODEL\nVERSION") (or of "MODEL"
 *     when there is no version):
 *       acme.example/vgpu, "v1 beta" → acme.example_vgpu__v1-beta___c7a78a7107a5
 *     A plain name never holds "___", so the forms cannot meet; two hashed
 *     names differ unless 48-bit hashes collide.
 *   Capability labels reuse the name under a per-capability prefix:
 *   "pre-copy.cap.migcompat.org/acme.example_vgpu__v2".
 *
 * OpenStack Placement custom traits: "CUSTOM_" then [A-Z0-9_], at most
 * 255 characters. Upper case and a single separator cannot spell ".",
 * "-", "/" or lower case apart, so a trait always carries the hash:
 *   CUSTOM_MIGCOMPAT_<MODEL>_V_<VERSION>_H<12 HEX DIGITS>
 *   acme.example/vgpu, v2 → CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V2_H89578D3EB6FE
 * with MODEL and VERSION upper-cased, every other character "_", cut to
 * 120 and 60 characters ("_V_<VERSION>" left out when there is no
 * version). A capability trait appends "_<CAPABILITY>", e.g.
 * ..._H89578D3EB6FE_PRE_COPY; a base trait ends in 12 hex digits, a
 * capability trait never does. */

#include <glib.h>

#define CTL_NFD_PREFIX "migcompat.org"

/* The label name (after "migcompat.org/"); version may be NULL. */
char *ctl_nfd_label_name(const char *model, const char *version);
/* The whole label key for a pair, or for a capability of it (cap NULL:
 * the pair itself). */
char *ctl_nfd_label(const char *model, const char *version, const char *cap);

/* The trait for a pair (cap NULL) or for a capability of it. */
char *ctl_placement_trait(const char *model, const char *version, const char *cap);
