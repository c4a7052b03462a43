/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Large messages under the sanitizer build: a Check of 16 MiB and more,
 * then Introspect, on the daemon running under umockdev-wrapper. */

#include <check.h>
#include <string.h>

#include "harness.h"
#include "host-fixture.h"
#include "mc-assert.h"
#include "mc-config.h"
#include "mc-test-main.h"

static void introspect_ok(McHarness *h, sd_bus *bus, const char *path) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *xml = NULL;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, path, "org.freedesktop.DBus.Introspectable", "Introspect",
                                   &error, &reply, NULL);
        if (r < 0) {
                g_autofree char *log = mc_harness_daemon_log(h);
                ck_abort_msg("Introspect %s: %s; the daemon's log:\n%s", path,
                             error.message ? error.message : g_strerror(-r), log);
        }
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &xml), 0);
        ck_assert_contains(xml, "<node");
}

START_TEST(large_check_then_introspect) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        const size_t sizes[] = { 16u << 20, 20u << 20 };

        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
                g_autofree char *big = g_malloc(sizes[i] + 1);
                g_autoptr(sd_bus_message) m = NULL, reply = NULL;
                g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                int r;

                memset(big, ' ', sizes[i]);
                big[sizes[i]] = '\0';
                ck_assert_int_ge(sd_bus_message_new_method_call(f->bus, &m, MC_BUS_NAME, MC_BUS_PATH,
                                                                MC_BUS_MANAGER_IFACE, "Check"), 0);
                ck_assert_int_ge(sd_bus_message_append(m, "s", big), 0);
                /* Tens of MiB through the bus under ASan on a loaded
                 * machine: more than the default 25 s may pass. */
                r = sd_bus_call(f->bus, m, 120 * G_USEC_PER_SEC, &error, &reply);
                ck_assert_int_lt(r, 0);
                ck_assert_msg(sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS), "%zu bytes: %s: %s",
                              sizes[i], error.name, error.message);
                introspect_ok(f->h, f->bus, MC_BUS_PATH);
                introspect_ok(f->h, f->bus, "/");
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("bigmsg");
        TCase *tc = tcase_create("sanitizer");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, large_check_then_introspect);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
