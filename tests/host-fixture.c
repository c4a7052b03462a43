/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "host-fixture.h"

static const char gvt_data_file[] =
        "{\"description\": \"GVT-g V5_4 (test)\", \"match\": {\"driver\": \"i915\", \"type\": \"i915-GVTg_V5_4\"},\n"
        " \"models\": {\"intel.com/gvt-g/v5_4\": {\"versions\": [\"gvt-1\"], \"x-capabilities\": [\"stop-copy\"]}}}\n";

McTestHost *mc_test_host_new(McBusPolicy policy) {
        McTestHost *host = g_new0(McTestHost, 1);
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *desc = g_strdup_printf(
                "{\"description\": \"test NIC\", \"binary\": \"%s\", \"args\": [\"json\", \"vendor-a.com/my-nic\"]}",
                prog);

        host->tb = mc_testbed_new();
        host->h = mc_harness_new();
        host->gvt = mc_testbed_add_gvt(host->tb, MC_TEST_GVT_PARENT);
        host->acme = mc_testbed_add_acme(host->tb, MC_TEST_ACME_PARENT);
        host->mtty = mc_testbed_add_mtty(host->tb);
        g_free(mc_harness_write(host->h, "data/i915-gvtg-v5_4.json", gvt_data_file));
        g_free(mc_harness_write(host->h, "descriptors/vnic.json", desc));
        mc_harness_start_bus(host->h, policy);
        return host;
}

void mc_test_host_free(McTestHost *host) {
        if (!host)
                return;
        sd_bus_flush_close_unref(host->bus);
        mc_harness_free(host->h);
        mc_testbed_free(host->tb);
        g_free(host->gvt);
        g_free(host->acme);
        g_free(host->mtty);
        g_free(host);
}
