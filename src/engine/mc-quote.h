/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Untrusted text inside messages. An error text goes on the bus (sd-bus
 * refuses to send one that is not valid UTF-8, and the caller then waits
 * for its timeout) and to terminals (raw control bytes can rewrite them),
 * so every message that quotes input quotes it through here: the result
 * is valid UTF-8, cut at a character boundary, with invalid bytes, control
 * characters and backslashes escaped (\xNN, \\), whatever the input. */

#include <glib.h>

/* s (may be NULL) quoted for a message: at most max_bytes bytes of the
 * input's characters, then "…" when it was longer. Free with g_free(). */
char *mc_quote(const char *s, gsize max_bytes);
/* The same for len bytes that need not end in NUL (NULs are escaped). */
char *mc_quote_len(const char *s, gsize len, gsize max_bytes);

/* A whole message for output: valid UTF-8 and no control characters but
 * newline and tab; valid text comes back unchanged. */
char *mc_text_sanitize(const char *s);
