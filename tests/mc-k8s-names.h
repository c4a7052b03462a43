/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Kubernetes' name rules, as the suites check NFD labels against them. */

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* A qualified name's name part: 1-63 characters of [A-Za-z0-9._-],
 * starting and ending alphanumeric. */
static inline bool mc_k8s_name_ok(const char *s, size_t len) {
        if (len == 0 || len > 63 || !g_ascii_isalnum(s[0]) || !g_ascii_isalnum(s[len - 1]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!g_ascii_isalnum(s[i]) && !strchr("-_.", s[i]))
                        return false;
        return true;
}

/* Its prefix: a DNS subdomain, lower-case labels of 1-63 characters not
 * starting or ending with '-', at most 253 in all. */
static inline bool mc_dns_subdomain_ok(const char *s, size_t len) {
        g_autofree char *copy = g_strndup(s, len);
        g_auto(GStrv) labels = NULL;

        if (len == 0 || len > 253)
                return false;
        labels = g_strsplit(copy, ".", -1);
        for (guint i = 0; labels[i]; i++) {
                size_t l = strlen(labels[i]);
                if (l == 0 || l > 63 || labels[i][0] == '-' || labels[i][l - 1] == '-')
                        return false;
                for (size_t k = 0; k < l; k++)
                        if (!(g_ascii_islower(labels[i][k]) || g_ascii_isdigit(labels[i][k]) || labels[i][k] == '-'))
                                return false;
        }
        return true;
}
