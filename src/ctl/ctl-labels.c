/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-labels.h"

#include <stdbool.h>
#include <string.h>

#define NFD_NAME_MAX 63
#define NFD_TEXT_MAX 48
#define HASH_DIGITS 12
#define TRAIT_MODEL_MAX 120
#define TRAIT_VERSION_MAX 60

/* The first HASH_DIGITS hex digits of SHA-256 of the pair. */
static char *pair_hash(const char *model, const char *version) {
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
        g_checksum_update(sum, (const guchar *) model, (gssize) strlen(model));
        if (version) {
                /* Neither part can hold a newline: the join is unambiguous. */
                g_checksum_update(sum, (const guchar *) "\n", 1);
                g_checksum_update(sum, (const guchar *) version, (gssize) strlen(version));
        }
        return g_strndup(g_checksum_get_string(sum), HASH_DIGITS);
}

static bool only(const char *s, const char *extra) {
        for (; *s; s++)
                if (!g_ascii_isalnum(*s) && !strchr(extra, *s))
                        return false;
        return true;
}

char *ctl_nfd_label_name(const char *model, const char *version) {
        size_t vlen = version ? strlen(version) : 0;
        bool plain = only(model, ".-/") &&
                     (version ? only(version, ".-") && vlen > 0 && g_ascii_isalnum(version[vlen - 1])
                              : g_ascii_isalnum(model[strlen(model) - 1]));
        GString *s = g_string_new(NULL);

        for (const char *p = model; *p; p++)
                g_string_append_c(s, *p == '/' ? '_' : g_ascii_isalnum(*p) || strchr(".-_", *p) ? *p : '-');
        if (version) {
                g_string_append(s, "__");
                for (const char *p = version; *p; p++)
                        g_string_append_c(s, g_ascii_isalnum(*p) || strchr(".-", *p) ? *p : '-');
        }
        if (plain && s->len <= NFD_NAME_MAX)
                return g_string_free(s, false);
        {
                g_autofree char *hash = pair_hash(model, version);
                g_string_truncate(s, MIN(s->len, NFD_TEXT_MAX));
                g_string_append_printf(s, "___%s", hash);
        }
        return g_string_free(s, false);
}

char *ctl_nfd_label(const char *model, const char *version, const char *cap) {
        g_autofree char *name = ctl_nfd_label_name(model, version);
        if (cap)
                return g_strdup_printf("%s.cap.%s/%s", cap, CTL_NFD_PREFIX, name);
        return g_strdup_printf("%s/%s", CTL_NFD_PREFIX, name);
}

static void append_trait_text(GString *s, const char *text, size_t max) {
        for (size_t i = 0; text[i] && i < max; i++)
                g_string_append_c(s, g_ascii_isalnum(text[i]) ? g_ascii_toupper(text[i]) : '_');
}

char *ctl_placement_trait(const char *model, const char *version, const char *cap) {
        GString *s = g_string_new("CUSTOM_MIGCOMPAT_");
        g_autofree char *hash = pair_hash(model, version);

        append_trait_text(s, model, TRAIT_MODEL_MAX);
        if (version) {
                g_string_append(s, "_V_");
                append_trait_text(s, version, TRAIT_VERSION_MAX);
        }
        g_string_append(s, "_H");
        append_trait_text(s, hash, HASH_DIGITS);
        if (cap) {
                g_string_append_c(s, '_');
                append_trait_text(s, cap, 32);
        }
        return g_string_free(s, false);
}
