/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-quote.h"

#include <stdbool.h>
#include <string.h>

static char *quote(const char *s, gsize len, gsize max_bytes, bool message) {
        GString *out = g_string_sized_new(MIN(len, max_bytes) + 8);
        gsize i = 0, taken = 0;

        while (i < len) {
                const char *p = s + i;
                gunichar c = g_utf8_get_char_validated(p, (gssize) (len - i));
                gsize n;

                if (c == (gunichar) -1 || c == (gunichar) -2) {
                        n = 1; /* an invalid or truncated sequence: one byte at a time */
                } else {
                        n = (gsize) (g_utf8_next_char(p) - p);
                        if (c == 0)
                                n = 1;
                }
                if (taken + n > max_bytes) {
                        g_string_append(out, "…");
                        break;
                }
                taken += n;
                i += n;
                if (c == (gunichar) -1 || c == (gunichar) -2 || c < 0x20 || c == 0x7f ||
                    (c >= 0x80 && c < 0xa0)) {
                        if (message && (c == '\n' || c == '\t'))
                                g_string_append_c(out, (char) c);
                        else if (n == 1)
                                g_string_append_printf(out, "\\x%02x", (unsigned char) *p);
                        else /* C1 controls: escape each byte of the sequence */
                                for (gsize k = 0; k < n; k++)
                                        g_string_append_printf(out, "\\x%02x", (unsigned char) p[k]);
                } else if (c == '\\' && !message) {
                        g_string_append(out, "\\\\");
                } else {
                        g_string_append_len(out, p, (gssize) n);
                }
        }
        return g_string_free(out, false);
}

char *mc_quote_len(const char *s, gsize len, gsize max_bytes) {
        if (!s)
                return g_strdup("(null)");
        return quote(s, len, max_bytes, false);
}

char *mc_quote(const char *s, gsize max_bytes) {
        return mc_quote_len(s, s ? strlen(s) : 0, max_bytes);
}

char *mc_text_sanitize(const char *s) {
        if (!s)
                return g_strdup("");
        return quote(s, strlen(s), G_MAXSIZE, true);
}
