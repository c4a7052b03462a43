/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatd on dbus-broker, the bus most distributions now run, with the
 * system bus policy (Debian's defaults plus dbus/org.migcompat.MigCompat1.conf):
 * the daemon takes its name, a check and the export answer as on
 * dbus-daemon, an unprivileged user may ask, and a bad argument is the
 * same named error. The benchmark runs on this bus too (bench/README.md). */

#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <stdarg.h>
#include <string.h>

#include "harness.h"
#include "host-fixture.h"
#include "mc-config.h"

static int run_ctl(McTestHost *f, bool nobody, char **out, char **err, const char *first, ...) G_GNUC_NULL_TERMINATED;
static int run_ctl(McTestHost *f, bool nobody, char **out, char **err, const char *first, ...) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        va_list ap;

        g_ptr_array_add(argv, mc_harness_build_path("src/migcompatctl"));
        va_start(ap, first);
        for (const char *a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(argv, g_strdup(a));
        va_end(ap);
        g_ptr_array_add(argv, NULL);
        return mc_harness_run(f->h, nobody, (const char *const *) argv->pdata, out, err);
}

START_TEST(daemon_on_dbus_broker) {
        McTestHost *f = g_new0(McTestHost, 1);
        g_autofree char *vm = NULL, *out = NULL, *err = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(sd_bus) bus = NULL;
        int r;

        /* The standard host, on dbus-broker instead of dbus-daemon. */
        f->tb = mc_testbed_new();
        f->h = mc_harness_new();
        f->acme = mc_testbed_add_acme(f->tb, MC_TEST_ACME_PARENT);
        mc_harness_start_broker(f->h, MC_BUS_SYSTEM);
        mc_harness_start_daemon(f->h, NULL);
        vm = mc_harness_write(f->h, "vm.json",
                              "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\", "
                              "\"params\": {\"framebuffer\": 1024}}]}");

        ck_assert_int_eq(run_ctl(f, false, &out, &err, "check", vm, NULL), 0);
        ck_assert_contains(out, "gpu: compatible (acme.example/vgpu, version v1)");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        /* Queries are open to every local user. */
        ck_assert_int_eq(run_ctl(f, true, &out, &err, "check", vm, NULL), 0);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, true, &out, &err, "export", NULL), 0);
        ck_assert_contains(out, "\"exported-at\"");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* A bad argument is a named error, and the daemon keeps serving. */
        bus = mc_harness_connect(f->h);
        r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", &error, &reply, "s",
                               "{\"devices\": []}");
        ck_assert_int_lt(r, 0);
        ck_assert_str_eq(error.name, "org.migcompat.MigCompat1.Error.InvalidSource");
        sd_bus_error_free(&error);
        r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Peer", "Ping", &error, NULL, "");
        ck_assert_int_ge(r, 0);
        mc_test_host_free(f);
}
END_TEST

int main(void) {
        Suite *s = suite_create("broker");
        TCase *tc = tcase_create("broker");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, daemon_on_dbus_broker);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
