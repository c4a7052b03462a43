/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One fuzz target for every reader of outside input in the engine, and
 * for the check on whatever parses. The first byte picks the reader.
 * Each reader's failures must carry a UTF-8 message, and what parses must
 * survive the round trip through our writer. */

#include <string.h>

#include "fuzz.h"

#include "mc-compat.h"
#include "mc-parse.h"
#include "mc-serialize.h"
#include "mc-template.h"

static McCatalog *catalog(void) {
        static const char info[] =
                "{\"models\": {\"a.com/x\": {\"versions\": [\"v2\", \"v1\"], \"params\": {"
                "\"q\": {\"type\": \"int\", \"init_value\": 1, \"off_value\": 1, \"allowed_values\": [\"1-8\", 16]},"
                "\"b\": {\"type\": \"bool\", \"init_value\": true, \"off_value\": false},"
                "\"s\": {\"type\": \"str\", \"init_value\": \"a\", \"allowed_values\": [\"a\", \"b\"]}},"
                "\"x-capabilities\": [\"stop-copy\"]}, \"b.org/y/z\": {}}}";
        McCatalog *cat = mc_catalog_new();
        for (int i = 0; i < 3; i++) {
                g_autofree char *id = g_strdup_printf("mdev:p%d:t", i);
                McImpl *impl = mc_impl_new(i == 2 ? MC_KIND_VFIO_USER : MC_KIND_MDEV, id);
                impl->parent = g_strdup_printf("p%d", i);
                impl->type_id = g_strdup("t");
                impl->binary = g_strdup("/bin/x");
                impl->available = i;
                impl->info = mc_info_parse(info, sizeof info - 1, "fuzz", NULL);
                impl->facts_from = MC_FACTS_DRIVER;
                mc_catalog_put(cat, impl);
        }
        return cat;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        g_autoptr(GError) error = NULL;
        const char *text;
        size_t len;

        if (size < 1)
                return 0;
        text = (const char *) data + 1;
        len = size - 1;

        /* Two selector bytes no earlier corpus entry starts with: the
         * vfio-pci data file reader, and derived-version templates. */
        if (data[0] == 0xfe) {
                mc_data_file_free(mc_pci_data_file_parse(text, len, "fuzz", NULL));
                return 0;
        }
        if (data[0] == 0xfd) {
                g_autofree char *tmpl = g_strndup(text, len);
                g_autoptr(GPtrArray) values = mc_pairs_new();
                if (mc_template_check(tmpl, NULL)) {
                        g_autoptr(GPtrArray) names = mc_template_names(tmpl);
                        for (guint i = 0; i < names->len; i++)
                                if (i % 2 == 0)
                                        mc_pairs_set(values, names->pdata[i], i % 4 ? "" : "28.39.1002");
                        g_free(mc_template_expand(tmpl, values, NULL));
                }
                return 0;
        }

        switch (data[0] % 6) {
        case 0: {
                McInfo *info = mc_info_parse(text, len, "fuzz", &error);
                if (info) {
                        /* What we write, we read back as the same facts. */
                        g_autofree char *json = mc_info_to_json(info, false);
                        g_autoptr(GError) again = NULL;
                        g_autoptr(McInfo) back = mc_info_parse(json, strlen(json), "fuzz", &again);
                        FUZZ_ASSERT(back, "%s: %s", json, again->message);
                        FUZZ_ASSERT(mc_info_equal(info, back), "%s read back differently", json);
                        mc_info_unref(info);
                } else {
                        fuzz_check_error(error);
                }
                break;
        }
        case 1: {
                McInfo *info = mc_info_parse_device_models(text, len, "fuzz", &error);
                if (info)
                        mc_info_unref(info);
                else
                        fuzz_check_error(error);
                break;
        }
        case 2: {
                McDataFile *f = mc_data_file_parse(text, len, "fuzz", &error);
                if (!f)
                        fuzz_check_error(error);
                mc_data_file_free(f);
                break;
        }
        case 3: {
                McDescriptor *d = mc_descriptor_parse(text, len, "fuzz", &error);
                if (!d)
                        fuzz_check_error(error);
                mc_descriptor_free(d);
                break;
        }
        case 4: {
                McSource *src = mc_source_parse(text, len, "fuzz", &error);
                if (src) {
                        McCatalog *cat = catalog();
                        McCheckResult *r = mc_check(cat, src, NULL);
                        g_autofree char *result = mc_check_result_to_json(r, false);
                        g_autofree char *json = mc_source_to_json(src, false);
                        g_autoptr(GError) again = NULL;
                        g_autoptr(McSource) back = mc_source_parse(json, strlen(json), "fuzz", &again);
                        FUZZ_ASSERT(g_utf8_validate(result, -1, NULL), "check result not UTF-8");
                        FUZZ_ASSERT(back, "%s: %s", json, again->message);
                        mc_check_result_free(r);
                        mc_catalog_free(cat);
                        mc_source_free(src);
                } else {
                        fuzz_check_error(error);
                }
                break;
        }
        case 5: {
                McProfile *p = mc_profile_parse(text, len, "fuzz", &error);
                if (p) {
                        McCatalog *cat = mc_profile_to_catalog(p);
                        g_free(mc_profile_to_json(cat, "h", "m", "v", false));
                        mc_catalog_free(cat);
                        mc_profile_free(p);
                } else {
                        fuzz_check_error(error);
                }
                break;
        }
        }
        return 0;
}
