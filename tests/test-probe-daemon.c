/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatd and the programs it probes, end to end on a private bus:
 * what a probe leaves behind does not outlive it, and a program or
 * descriptor that someone other than root could have written is not run. */

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "host-fixture.h"
#include "mc-assert.h"
#include "mc-config.h"
#include "mc-test-main.h"

static char *impl_reason(sd_bus *bus, const char *id) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *path;
        char *s = NULL;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetImplementation",
                                   &error, &reply, "s", id);
        ck_assert_msg(r >= 0, "GetImplementation %s: %s", id, error.message);
        ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
        r = sd_bus_get_property_string(bus, MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, "NotMigratableReason", &error,
                                       &s);
        ck_assert_msg(r >= 0, "%s: %s", id, error.message);
        return s;
}

/* A process gone for good: not running, not a zombie anyone keeps. */
static bool gone(pid_t pid) {
        return kill(pid, 0) < 0 && errno == ESRCH;
}

START_TEST(probe_leftover_killed) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *pidfile = g_build_filename(mc_harness_dir(f->h), "leftover.pid", NULL);
        g_autofree char *desc = g_strdup_printf("{\"binary\": \"%s\", \"args\": [\"escape\", \"%s\", \"json\"]}",
                                                prog, pidfile);
        g_autofree char *content = NULL;
        gint64 deadline;
        pid_t pid;

        g_free(mc_harness_write(f->h, "descriptors/escape.json", desc));
        /* Ready means every first probe has ended. */
        mc_harness_start_daemon(f->h, NULL);
        if (!g_file_get_contents(pidfile, &content, NULL, NULL)) {
                g_autofree char *log = mc_harness_daemon_log(f->h);
                ck_abort_msg("the probe left no pid file; the daemon's log:\n%s", log);
        }
        pid = atoi(content);
        ck_assert_int_gt(pid, 1);
        deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        while (!gone(pid) && g_get_monotonic_time() < deadline)
                g_usleep(10000);
        ck_assert_msg(gone(pid), "process %d left behind by a probe outlived it", (int) pid);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

START_TEST(untrusted_descriptor_not_run) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *marker = g_build_filename(mc_harness_dir(f->h), "ran", NULL);
        g_autofree char *desc = g_strdup_printf(
                "{\"binary\": \"%s\", \"args\": [\"json\", \"x.com/a\", \"%s\"]}", prog, marker);
        g_autofree char *path = NULL, *reason = NULL, *fix = NULL;

        path = mc_harness_write(f->h, "descriptors/open.json", desc);
        ck_assert_int_eq(chmod(path, 0666), 0);
        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);
        reason = impl_reason(f->bus, "vfio-user:open");
        fix = g_strdup_printf("%s is not trusted: writable by group and others (mode 0666); fix: chmod go-w %s",
                              path, path);
        ck_assert_str_eq(reason, fix);
        ck_assert(!g_file_test(marker, G_FILE_TEST_EXISTS));
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("probe-daemon");
        TCase *tc = tcase_create("daemon");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, probe_leftover_killed);
        tcase_add_test(tc, untrusted_descriptor_not_run);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
