/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One fuzz target for every reader of outside input in the engine, and
 * for the check on whatever parses. The first byte picks the reader.
 * Built as a libFuzzer target with -DMC_FUZZ=ON (clang); in every other
 * build, main() below replays the corpus, so each crash found once stays a
 * regression test. */

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mc-compat.h"
#include "mc-parse.h"
#include "mc-serialize.h"
#include "mc-template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
                McInfo *info = mc_info_parse(text, len, "fuzz", NULL);
                if (info) {
                        g_free(mc_info_to_json(info, false));
                        mc_info_unref(info);
                }
                break;
        }
        case 1: {
                McInfo *info = mc_info_parse_device_models(text, len, "fuzz", NULL);
                if (info)
                        mc_info_unref(info);
                break;
        }
        case 2:
                mc_data_file_free(mc_data_file_parse(text, len, "fuzz", NULL));
                break;
        case 3:
                mc_descriptor_free(mc_descriptor_parse(text, len, "fuzz", NULL));
                break;
        case 4: {
                McSource *src = mc_source_parse(text, len, "fuzz", NULL);
                if (src) {
                        McCatalog *cat = catalog();
                        McCheckResult *r = mc_check(cat, src, NULL);
                        g_free(mc_check_result_to_json(r, false));
                        g_free(mc_source_to_json(src, false));
                        mc_check_result_free(r);
                        mc_catalog_free(cat);
                        mc_source_free(src);
                }
                break;
        }
        case 5: {
                McProfile *p = mc_profile_parse(text, len, "fuzz", NULL);
                if (p) {
                        McCatalog *cat = mc_profile_to_catalog(p);
                        g_free(mc_profile_to_json(cat, "h", "m", "v", false));
                        mc_catalog_free(cat);
                        mc_profile_free(p);
                }
                break;
        }
        }
        return 0;
}

#ifndef MC_LIBFUZZER
/* Replay: every file named on the command line (or in a directory). */
static int replay(const char *path) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        int n = 0;

        if (dir) {
                const char *name;
                while ((name = g_dir_read_name(dir))) {
                        g_autofree char *child = g_build_filename(path, name, NULL);
                        n += replay(child);
                }
                return n;
        }
        g_autofree char *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &data, &len, NULL)) {
                fprintf(stderr, "cannot read %s\n", path);
                return 0;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) data, len);
        return 1;
}

int main(int argc, char *argv[]) {
        int n = 0;
        for (int i = 1; i < argc; i++)
                n += replay(argv[i]);
        printf("replayed %d inputs\n", n);
        return n > 0 ? 0 : 1;
}
#endif
