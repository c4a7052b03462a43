/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The common shape of a source description, read without building a JSON
 * tree (a check's argument, on every check). Internal to mc-source.c. */

#include "mc-types.h"

/* The source when data is a plain, valid description: ASCII strings
 * without escapes, integers without fraction or exponent, only the
 * members the format defines, each once, and every value valid. NULL for
 * anything else, valid or not: the full reader then decides, and words
 * the error. Whatever this accepts, the full reader reads the same way. */
McSource *mc_source_parse_fast(const char *data, gsize len);

/* The full reader (mc_source_parse() without the fast path), for tests
 * that hold the two equal. */
McSource *mc_source_parse_full(const char *data, gsize len, const char *origin, GError **error);
