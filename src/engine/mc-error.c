/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-error.h"

G_DEFINE_QUARK(migcompat-error-quark, mc_error)

const char *mc_error_code_name(int code) {
        static const char *const names[] = {
                [MC_ERROR_SYNTAX] = "syntax",
                [MC_ERROR_LIMIT] = "limit",
                [MC_ERROR_UNKNOWN_MEMBER] = "unknown-member",
                [MC_ERROR_MISSING_MEMBER] = "missing-member",
                [MC_ERROR_DUPLICATE] = "duplicate",
                [MC_ERROR_TYPE] = "type",
                [MC_ERROR_VALUE] = "value",
                [MC_ERROR_NOT_FOUND] = "not-found",
                [MC_ERROR_IO] = "io",
                [MC_ERROR_TEMPLATE] = "template",
        };
        if (code < 0 || code >= (int) G_N_ELEMENTS(names) || !names[code])
                return "failed";
        return names[code];
}
