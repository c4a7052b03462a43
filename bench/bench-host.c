/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench-host.h"

#include <string.h>

static char *prog_path(void) {
        return mc_harness_build_path("tests/mc-probe-prog");
}

void bench_host_write_descriptors(McHarness *h, guint n, const char *args_fmt) {
        g_autofree char *prog = prog_path();

        if (!args_fmt)
                args_fmt = "json vendor-a.com/nic-%u";
        for (guint j = 0; j < n; j++) {
                g_autoptr(GString) desc = g_string_new(NULL);
                g_autofree char *args = NULL;
                g_auto(GStrv) argv = NULL;
                g_autofree char *name = g_strdup_printf("descriptors/prog-%04u.json", j);

                /* "%u" in the format is the descriptor's index. */
                {
                        g_auto(GStrv) parts = g_strsplit(args_fmt, "%u", -1);
                        g_autofree char *idx = g_strdup_printf("%u", j);
                        args = g_strjoinv(idx, parts);
                }
                argv = g_strsplit(args, " ", -1);
                g_string_append_printf(desc, "{\"description\": \"benchmark program %u\", \"binary\": \"%s\", \"args\": [",
                                       j, prog);
                for (guint a = 0; argv[a]; a++)
                        g_string_append_printf(desc, "%s\"%s\"", a ? ", " : "", argv[a]);
                g_string_append(desc, "]}\n");
                g_free(mc_harness_write(h, name, desc->str));
        }
}

guint bench_host_build(McTestbed *tb, McHarness *h, const BenchHostSpec *spec) {
        guint n = mc_testbed_add_big_host(tb, spec->n_parents, spec->n_types,
                                          spec->migratable_percent);

        /* One data file per type index, as a vendor ships one per type
         * family: they give the types without attributes the same model. */
        for (guint k = 0; k < spec->n_types; k++) {
                g_autofree char *name = g_strdup_printf("data/bigvgpu-%u.json", k);
                g_autofree char *body = g_strdup_printf(
                        "{\"description\": \"benchmark vGPU type %u\",\n"
                        " \"match\": {\"driver\": \"bigvgpu\", \"type\": \"bigvgpu-%u\"},\n"
                        " \"models\": {\"" BENCH_MODEL_FMT "\": {\"versions\": [\"v1\"]}}}\n",
                        k, k, k);
                g_free(mc_harness_write(h, name, body));
        }
        g_free(mc_harness_mkdir(h, "data"));
        g_free(mc_harness_mkdir(h, "descriptors"));
        bench_host_write_descriptors(h, spec->n_descriptors, spec->descriptor_args);
        return n;
}

char *bench_host_add_parent(McTestbed *tb, guint i, guint n_types) {
        char *p = mc_testbed_big_parent(i);
        g_autofree char *bdf = g_path_get_basename(p);
        g_autofree char *props = g_strdup_printf("PCI_SLOT_NAME=%s\n", bdf);

        mc_testbed_add_device(tb, p, "bus/pci", "bigvgpu", props);
        for (guint k = 0; k < n_types; k++) {
                g_autofree char *type_id = g_strdup_printf("bigvgpu-%u", k);
                g_autofree char *name = g_strdup_printf("BIG %u", k);
                g_autofree char *models = g_strdup_printf(BENCH_MODEL_FMT ":\nv1\n", k);
                McTestType t = { type_id, name, "a big host's vGPU", "vfio-pci", 4, models, NULL };
                mc_testbed_add_type(tb, p, &t);
        }
        /* The class link last: the parent is complete when it shows. */
        mc_testbed_make_parent(tb, p);
        return p;
}

char *bench_source_json(const char *id, guint k, const char *version) {
        g_autofree char *model = g_strdup_printf(BENCH_MODEL_FMT, k);
        if (!version)
                return g_strdup_printf("{\"devices\": [{\"id\": \"%s\", \"model\": \"%s\"}]}", id, model);
        return g_strdup_printf("{\"devices\": [{\"id\": \"%s\", \"model\": \"%s\", \"version\": \"%s\"}]}",
                               id, model, version);
}
