/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host-fixture.h"

static const char gvt_data_file[] =
        "{\"description\": \"GVT-g V5_4 (test)\", \"match\": {\"driver\": \"i915\", \"type\": \"i915-GVTg_V5_4\"},\n"
        " \"models\": {\"intel.com/gvt-g/v5_4\": {\"versions\": [\"gvt-1\"], \"x-capabilities\": [\"stop-copy\"]}}}\n";

static void give(char **ret, char *path) {
        if (ret)
                *ret = path;
        else
                g_free(path);
}

void mc_test_host_build(McTestbed *tb, McHarness *h, char **ret_gvt, char **ret_acme, char **ret_mtty) {
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *desc = g_strdup_printf(
                "{\"description\": \"test NIC\", \"binary\": \"%s\", \"args\": [\"json\", \"vendor-a.com/my-nic\"]}",
                prog);

        give(ret_gvt, mc_testbed_add_gvt(tb, MC_TEST_GVT_PARENT));
        give(ret_acme, mc_testbed_add_acme(tb, MC_TEST_ACME_PARENT));
        give(ret_mtty, mc_testbed_add_mtty(tb));
        g_free(mc_harness_write(h, "data/i915-gvtg-v5_4.json", gvt_data_file));
        g_free(mc_harness_write(h, "descriptors/vnic.json", desc));
}
