/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What an mdev driver writes in sysfs, as the daemon reads it. The first
 * byte picks:
 *   0  a type's migration_info.json and migration_device_models (the two
 *      texts separated by a NUL byte), each read and then merged;
 *   1  a running instance's migration/ attributes, one per line:
 *      device_model, version ("-": absent), then NAME=VALUE per parameter,
 *      described against a type with int, bool and str parameters.
 * Failures must carry a UTF-8 message; a description must read back. */

#include <string.h>

#include "fuzz.h"

#include "mc-compat.h"
#include "mc-parse.h"
#include "mc-serialize.h"

static const char type_info[] =
        "{\"models\": {\"a.com/x\": {\"versions\": [\"v2\", \"v1\"], \"params\": {"
        "\"q\": {\"type\": \"int\", \"init_value\": 1, \"off_value\": 1, \"allowed_values\": [\"1-8\", 16]},"
        "\"b\": {\"type\": \"bool\", \"init_value\": true, \"off_value\": false},"
        "\"s\": {\"type\": \"str\", \"init_value\": \"a\", \"allowed_values\": [\"a\", \"b\"]}}},"
        "\"b.org/y/z\": {\"versions\": [\"1\"]}}}";

static void attributes(const char *text, size_t len) {
        const char *nul = memchr(text, '\0', len);
        size_t json_len = nul ? (size_t) (nul - text) : len;
        const char *models = nul ? nul + 1 : "";
        size_t models_len = nul ? len - json_len - 1 : 0;
        g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
        g_autoptr(McInfo) json_info = mc_info_parse(text, json_len, "migration_info.json", &e1);
        g_autoptr(McInfo) text_info = mc_info_parse_device_models(models, models_len, "migration_device_models", &e2);

        if (!json_info)
                fuzz_check_error(e1);
        if (!text_info)
                fuzz_check_error(e2);
        if (json_info && text_info) {
                McInfo *merged = mc_info_merge(json_info, text_info, "t", &e3);
                if (merged)
                        mc_info_unref(merged);
                else
                        fuzz_check_error(e3);
        }
}

static void instance(const char *text, size_t len) {
        g_auto(GStrv) lines = NULL;
        g_autofree char *copy = g_strndup(text, len);
        g_autoptr(GHashTable) raw = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GError) error = NULL;
        g_autoptr(McImpl) impl = mc_impl_new(MC_KIND_MDEV, "mdev:p:t");
        const char *model = NULL, *version = NULL;
        McSrcDevice *dev;

        impl->parent = g_strdup("p");
        impl->type_id = g_strdup("t");
        impl->info = mc_info_parse(type_info, sizeof type_info - 1, "t", NULL);
        impl->facts_from = MC_FACTS_DRIVER;

        /* The reader sees what sysfs gives: bytes up to a NUL. */
        lines = g_strsplit(copy, "\n", 64);
        for (guint i = 0; lines[i]; i++) {
                if (i == 0)
                        model = strcmp(lines[i], "-") == 0 ? NULL : lines[i];
                else if (i == 1)
                        version = strcmp(lines[i], "-") == 0 ? NULL : lines[i];
                else {
                        char *eq = strchr(lines[i], '=');
                        if (eq) {
                                *eq = '\0';
                                g_hash_table_insert(raw, lines[i], eq + 1);
                        }
                }
        }
        dev = mc_describe_instance("6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b", impl, model, version, raw, &error);
        if (!dev) {
                fuzz_check_error(error);
                return;
        }
        {
                g_autoptr(McSource) src = mc_source_new();
                g_autoptr(GError) again = NULL;
                g_autofree char *json = NULL;
                g_ptr_array_add(src->devices, dev);
                json = mc_source_to_json(src, false);
                g_autoptr(McSource) back = mc_source_parse(json, strlen(json), "fuzz", &again);
                FUZZ_ASSERT(back, "%s: %s", json, again->message);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        if (data[0] % 2 == 0)
                attributes((const char *) data + 1, size - 1);
        else
                instance((const char *) data + 1, size - 1);
        return 0;
}
