/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

/* One error domain for everything the engine reads. The message always
 * names the origin (file name, "D-Bus argument", ...), the JSON path and
 * what was expected, so a person can fix the input without reading code. */
#define MC_ERROR (mc_error_quark())
GQuark mc_error_quark(void);

typedef enum {
        MC_ERROR_SYNTAX,         /* not JSON / not the text format */
        MC_ERROR_LIMIT,          /* too large, too deep, too many */
        MC_ERROR_UNKNOWN_MEMBER, /* member not in the format (and not x-) */
        MC_ERROR_MISSING_MEMBER, /* required member absent */
        MC_ERROR_DUPLICATE,      /* duplicate member / id / entry */
        MC_ERROR_TYPE,           /* wrong JSON type */
        MC_ERROR_VALUE,          /* right type, value not acceptable */
        MC_ERROR_NOT_FOUND,      /* a named thing does not exist */
        MC_ERROR_IO,             /* reading failed */
        MC_ERROR_TEMPLATE,       /* a derived-version template is malformed */
} McErrorCode;

/* Stable short name of an error code ("syntax", "limit", ...). */
const char *mc_error_code_name(int code);
