/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The demo data of data/demo/ stays true: the checked-in host profile is
 * what the daemon exports for the demo host, and the demo's questions get
 * the answers README promises, offline and from the daemon. */

#include <check.h>
#include <string.h>
#include <umockdev.h>

#include "harness.h"
#include "mc-config.h"
#include "mc-parse.h"
#include "mc-serialize.h"
#include "mc-test-main.h"
#include "testbed.h"

/* Host fields and build paths differ between machines: keep the rest. */
static char *normalised_impls(McProfile *p) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_array(b);
        for (guint i = 0; i < p->impls->len; i++) {
                McImpl *impl = p->impls->pdata[i];
                if (impl->binary) {
                        char *base = g_path_get_basename(impl->binary);
                        g_free(impl->binary);
                        impl->binary = base;
                }
                if (impl->facts_file) {
                        char *base = g_path_get_basename(impl->facts_file);
                        g_free(impl->facts_file);
                        impl->facts_file = base;
                }
                mc_impl_build(b, impl);
        }
        json_builder_end_array(b);
        return mc_json_builder_to_string(b, true);
}

static McProfile *load_profile(const char *data, gsize len, const char *origin) {
        g_autoptr(GError) error = NULL;
        McProfile *p = mc_profile_parse(data, len, origin, &error);
        ck_assert_msg(p, "%s", error ? error->message : "");
        return p;
}

START_TEST(profile_matches_daemon) {
        g_autofree char *host = mc_harness_source_path("data/demo/host.umockdev");
        g_autofree char *models = mc_harness_source_path("data/demo/mdev-models.d");
        g_autofree char *descs = mc_harness_build_path("data/demo/vfio-user.d");
        g_autofree char *checked_in_path = mc_harness_source_path("data/demo/host-profile.json");
        g_autofree char *pci = mc_harness_source_path("data/demo/vfio-pci-models.d");
        g_autofree char *data_arg = g_strdup_printf("--data-dir=%s", models);
        g_autofree char *pci_arg = g_strdup_printf("--pci-data-dir=%s", pci);
        g_autofree char *desc_arg = g_strdup_printf("--descriptor-dir=%s", descs);
        const char *args[] = { data_arg, pci_arg, desc_arg, NULL };
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(McHarness) h = mc_harness_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autofree char *checked_in = NULL;
        gsize len = 0;
        const char *json;

        ck_assert_msg(umockdev_testbed_add_from_file(mc_testbed_umockdev(tb), host, &error), "%s",
                      error ? error->message : "");
        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, args);
        bus = mc_harness_connect(h);
        ck_assert_int_ge(sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetHostProfile",
                                            NULL, &reply, NULL), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
        ck_assert(g_file_get_contents(checked_in_path, &checked_in, &len, NULL));

        g_autoptr(McProfile) live = load_profile(json, strlen(json), "daemon");
        g_autoptr(McProfile) file = load_profile(checked_in, len, checked_in_path);
        g_autofree char *a = normalised_impls(live), *b = normalised_impls(file);
        ck_assert_msg(strcmp(a, b) == 0,
                      "data/demo/host-profile.json is stale; the daemon exports:\n%s\nthe file says:\n%s", a, b);
        ck_assert_uint_eq(live->impls->len, 16);
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
}
END_TEST

static unsigned count_substr(const char *haystack, const char *needle) {
        unsigned n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static int run_ctl(McHarness *h, const char *const *args, char **out) {
        g_autofree char *ctl = mc_harness_build_path("src/migcompatctl");
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autofree char *err = NULL;
        int status;

        g_ptr_array_add(argv, ctl);
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        status = mc_harness_run(h, false, (const char *const *) argv->pdata, out, &err);
        ck_assert_msg(!strstr(err, "Sanitizer"), "%s", err);
        return status;
}

START_TEST(offline_answers) {
        g_autoptr(McHarness) h = mc_harness_new();
        g_autofree char *profile = mc_harness_source_path("data/demo/host-profile.json");
        g_autofree char *vm = mc_harness_source_path("data/demo/source-vm.json");
        g_autofree char *bad = mc_harness_source_path("data/demo/source-incompatible.json");
        g_autofree char *out = NULL, *out2 = NULL;
        const char *a1[] = { "check", "--profile", profile, vm, NULL };
        const char *a2[] = { "check", "--profile", profile, bad, NULL };

        ck_assert_int_eq(run_ctl(h, a1, &out), 0);
        ck_assert_msg(strstr(out, "hostdev0: compatible (acme.example/vgpu, version v1)"), "%s", out);
        ck_assert_msg(strstr(out, "use      mdev:0000:5e:00.0:acme_vgpu-2"), "%s", out);
        /* The recipe sets each parameter once, to the source's value. */
        ck_assert_msg(strstr(out, "write   migration/display = on\n"), "%s", out);
        ck_assert_msg(strstr(out, "write   migration/framebuffer = 1024\n"), "%s", out);
        ck_assert_msg(count_substr(out, "write   migration/display = ") == 1, "%s", out);
        ck_assert_msg(count_substr(out, "write   migration/framebuffer = ") == 1, "%s", out);
        ck_assert_msg(strstr(out, "use      vfio-user:virtio-net"), "%s", out);
        ck_assert_msg(strstr(out, "use      mdev:0000:3b:00.0:nvidia-63"), "%s", out);
        ck_assert_msg(strstr(out, "verdict: compatible"), "%s", out);

        ck_assert_int_eq(run_ctl(h, a2, &out2), 1);
        ck_assert_msg(strstr(out2, "version-unsupported: source state is version r470-3"), "%s", out2);
        ck_assert_msg(strstr(out2, "param-out-of-range: source parameter queues=32"), "%s", out2);
        ck_assert_msg(strstr(out2, "param-unknown: source parameter rss=true"), "%s", out2);
        ck_assert_msg(strstr(out2, "model-mismatch: no implementation on this host offers device model"), "%s", out2);
        ck_assert_msg(strstr(out2, "verdict: incompatible"), "%s", out2);

        /* A VF from a host with other PF firmware: the profile carries the
         * values its version was derived from, so the answer names them. */
        {
                g_autofree char *vf = mc_harness_source_path("data/demo/source-vf-other-firmware.json");
                g_autofree char *out3 = NULL;
                const char *a3[] = { "check", "--profile", profile, vf, NULL };
                ck_assert_int_eq(run_ctl(h, a3, &out3), 1);
                ck_assert_msg(strstr(out3, "version-unsupported: PF firmware 28.39.1002 here, the source runs"),
                              "%s", out3);
        }
}
END_TEST

static Suite *demo_suite(void) {
        Suite *s = suite_create("demo");
        TCase *tc = tcase_create("demo");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, profile_matches_daemon);
        tcase_add_test(tc, offline_answers);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(demo_suite)
