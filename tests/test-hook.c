/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The libvirt qemu hook, run as libvirt runs it: "50-migcompat GUEST
 * OPERATION SUB-OPERATION -" with the domain XML on stdin, under /bin/sh,
 * against migcompatd on a private bus over a simulated host. Whatever
 * happens, stdout stays empty (libvirt would take it as a new domain XML);
 * a refusal is one line on stderr; operations other than "migrate begin"
 * leave stdin unread. */

#define _GNU_SOURCE
#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "harness.h"
#include "testbed.h"

#define CTL_METADATA_NS "https://migcompat.org/xmlns/libvirt-domain/1"

#define ACME_PARENT "0000:5e:00.0"
#define UUID_A "6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b"
#define UUID_B "0b5e9d7c-3a21-4f6e-8d4c-2b1a0f9e8d7c"
#define UUID_CCW "90c6c135-ad44-41d0-b1b7-bae47de48627"
#define UUID_AP "8d3ecf35-a8c4-4ab2-b8ea-0cb2d5ba5a8d"


typedef struct {
        McTestbed *tb;
        McHarness *h;
        char *acme;
        char *mtty;
        char *ccw;
        char *ap;
        char *conf;
        const char *env_bus; /* DBUS_SYSTEM_BUS_ADDRESS for the hook, if not the private bus */
} Fx;

static void fx_free(Fx *f) {
        mc_harness_free(f->h);
        mc_testbed_free(f->tb);
        g_free(f->acme);
        g_free(f->mtty);
        g_free(f->ccw);
        g_free(f->ap);
        g_free(f->conf);
        g_free(f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Fx, fx_free)

/* s390 types publish nothing; these data files give them models. The AP
 * one does not say which capabilities it has. */
static const char ccw_data[] =
        "{\"match\": {\"driver\": \"vfio_ccw\", \"type\": \"vfio_ccw-io\"},\n"
        " \"models\": {\"ibm.example/s390/vfio-ccw-io\": {\"versions\": [\"1\"], \"x-capabilities\": [\"stop-copy\"]}}}\n";
static const char ap_data[] =
        "{\"match\": {\"driver\": \"vfio_ap\", \"type\": \"vfio_ap-passthrough\"},\n"
        " \"models\": {\"ibm.example/s390/vfio-ap\": {\"versions\": [\"1\"]}}}\n";

static Fx *fx_new(void) {
        Fx *f = g_new0(Fx, 1);
        g_autofree char *ctl = mc_harness_build_path("src/migcompatctl");

        f->tb = mc_testbed_new();
        f->acme = mc_testbed_add_acme(f->tb, ACME_PARENT);
        f->mtty = mc_testbed_add_mtty(f->tb);
        f->ccw = mc_testbed_add_vfio_ccw(f->tb, "0.0.0313");
        f->ap = mc_testbed_add_vfio_ap(f->tb);
        f->h = mc_harness_new();
        g_free(mc_harness_write(f->h, "data/vfio-ccw.json", ccw_data));
        g_free(mc_harness_write(f->h, "data/vfio-ap.json", ap_data));
        f->conf = mc_harness_write(f->h, "libvirt-hook.conf", "# defaults\n");
        mc_harness_start_bus(f->h, MC_BUS_PERMISSIVE);
        /* What the hook reads from its environment (libvirt passes none of
         * it; the hook's defaults are the installed paths). */
        g_setenv("MIGCOMPATCTL", ctl, true);
        g_setenv("MIGCOMPAT_HOOK_CONF", f->conf, true);
        return f;
}

static void set_conf(Fx *f, const char *text) {
        ck_assert(g_file_set_contents(f->conf, text, -1, NULL));
}

typedef struct {
        int status;
        char *out;
        char *err;
        gsize unread; /* bytes of stdin the hook left in the pipe */
} HookRun;

static void hook_run_clear(HookRun *r) {
        g_free(r->out);
        g_free(r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HookRun, hook_run_clear)

static char *fixture(const char *name) {
        g_autofree char *rel = g_strconcat("tests/domains/", name, NULL);
        g_autofree char *path = mc_harness_source_path(rel);
        char *data = NULL;
        ck_assert_msg(g_file_get_contents(path, &data, NULL, NULL), "cannot read %s", path);
        return data;
}

/* Run the hook as libvirt does: GUEST OPERATION SUB-OPERATION "-", the
 * domain XML on stdin through a pipe whose read end the test keeps too, so
 * that afterwards it can tell how much of it the hook consumed. */
static void run_hook(Fx *f, const char *guest, const char *op, const char *subop, const char *xml, HookRun *r) {
        g_autofree char *hook = mc_harness_build_path("data/libvirt/hooks/qemu.d/50-migcompat");
        const char *argv[] = { "sh", hook, guest, op, subop, "-", NULL };
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;
        GString *bufs[2] = { g_string_new(NULL), g_string_new(NULL) };
        int in[2], fds[2] = { -1, -1 }, status = 0, open_fds = 2;
        size_t len = strlen(xml);
        gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
        GPid pid;

        ck_assert_msg(len < 60000, "fixture too large for one pipe buffer");
        ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
        ck_assert_int_eq(write(in[1], xml, len), (ssize_t) len);
        close(in[1]);
        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", f->env_bus ? f->env_bus : mc_harness_bus_address(f->h),
                               true);
        ck_assert_msg(g_spawn_async_with_pipes_and_fds(mc_harness_dir(f->h), argv, (const char *const *) env,
                                                       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                                       in[0], -1, -1, NULL, NULL, 0, &pid, NULL, &fds[0], &fds[1],
                                                       &error),
                      "%s", error ? error->message : "");

        /* Both outputs to their end: a hook stuck on anything never gets there. */
        while (open_fds > 0) {
                struct pollfd p[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = fds[1], .events = POLLIN } };
                gint64 left = (deadline - g_get_monotonic_time()) / 1000;

                if (left <= 0) {
                        kill(pid, SIGKILL);
                        ck_abort_msg("the hook did not finish (%s %s)", op, subop);
                }
                if (poll(p, 2, (int) left) <= 0)
                        continue;
                for (int i = 0; i < 2; i++) {
                        char chunk[4096];
                        ssize_t n;
                        if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
                                continue;
                        n = read(fds[i], chunk, sizeof chunk);
                        if (n > 0) {
                                g_string_append_len(bufs[i], chunk, n);
                        } else {
                                close(fds[i]);
                                fds[i] = -1;
                                p[i].fd = -1;
                                open_fds--;
                        }
                }
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r->out = g_string_free(bufs[0], false);
        r->err = g_string_free(bufs[1], false);

        /* What is left in the pipe was never read. */
        r->unread = 0;
        ck_assert_int_eq(fcntl(in[0], F_SETFL, O_NONBLOCK), 0);
        for (;;) {
                char chunk[4096];
                ssize_t n = read(in[0], chunk, sizeof chunk);
                if (n <= 0)
                        break;
                r->unread += (gsize) n;
        }
        close(in[0]);
        ck_assert_msg(!strstr(r->err, "Sanitizer"), "sanitizer report:\n%s", r->err);
}

/* libvirt must see no output on stdout, ever; and a message is one line. */
static void assert_one_line(const HookRun *r) {
        ck_assert_str_eq(r->out, "");
        ck_assert_msg(g_str_has_suffix(r->err, "\n") && strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
                      "not exactly one line on stderr:\n%s", r->err);
        ck_assert(g_str_has_prefix(r->err, "migcompat: "));
}

START_TEST(other_operations_pass_untouched) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *xml = fixture("vgpu-incompatible.xml");
        static const char *const ops[][2] = {
                { "prepare", "begin" }, { "start", "begin" },     { "started", "begin" }, { "stopped", "end" },
                { "release", "end" },   { "reconnect", "begin" }, { "attach", "begin" },  { "restore", "begin" },
                { "migrate", "end" },   { "migrate", "" },         { "", "" },
        };

        /* No daemon at all: these never ask it anything. */
        for (guint i = 0; i < G_N_ELEMENTS(ops); i++) {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu-new", ops[i][0], ops[i][1], xml, &r);
                ck_assert_msg(r.status == 0, "%s %s: status %d: %s", ops[i][0], ops[i][1], r.status, r.err);
                ck_assert_str_eq(r.out, "");
                ck_assert_str_eq(r.err, "");
                ck_assert_msg(r.unread == strlen(xml), "%s %s read stdin", ops[i][0], ops[i][1]);
        }
}
END_TEST

START_TEST(migrate_vfio_pci) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *good = fixture("vgpu-metadata.xml");
        g_autofree char *bad = fixture("vgpu-incompatible.xml");

        mc_harness_start_daemon(f->h, NULL);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_msg(r.status == 0, "%s", r.err);
                ck_assert_str_eq(r.out, "");
                ck_assert_str_eq(r.err, "");
                ck_assert_uint_eq(r.unread, 0);
        }
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu-new", "migrate", "begin", bad, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
                ck_assert_contains(r.err, "migcompat: refusing incoming migration of domain \"rhel9-vgpu-new\": device "
                                          "hostdev0 (acme.example/vgpu version v3) cannot land on this host: "
                                          "version-unsupported: ");
                ck_assert_contains(r.err, "v3");
                ck_assert_uint_eq(r.unread, 0);
        }
}
END_TEST

START_TEST(migrate_without_metadata) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *plain = fixture("plain.xml");
        g_autofree char *nometa = fixture("vgpu-no-metadata.xml");
        g_autoptr(GString) elsewhere = g_string_new(nometa);
        g_autofree char *inst = NULL;

        /* The destination device of the vGPU exists already (only
         * acme_vgpu-4 could take it, and its one instance is this one). */
        mc_testbed_set_available(f->tb, f->acme, "acme_vgpu-2", 0);
        inst = mc_testbed_add_instance(f->tb, f->acme, "acme_vgpu-4", UUID_A,
                                       (const char *const[]) { "device_model", "acme.example/vgpu", "version", "v1",
                                                               "display", "on", "framebuffer", "2048", NULL },
                                       false);
        mc_harness_start_daemon(f->h, NULL);

        /* Nothing described, no mdev: passes with a notice. */
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "debian12", "migrate", "begin", plain, &r);
                ck_assert_int_eq(r.status, 0);
                assert_one_line(&r);
                ck_assert_contains(r.err, "domain \"debian12\" has no migcompat metadata");
                ck_assert_contains(r.err, "nothing to check");
        }
        /* An mdev hostdev whose device is not here either. */
        g_string_replace(elsewhere, UUID_A, UUID_B, 0);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "win11-vgpu", "migrate", "begin", elsewhere->str, &r);
                ck_assert_int_eq(r.status, 0);
                assert_one_line(&r);
                ck_assert_contains(r.err, "nothing to check");
        }
        /* The device that exists is described, checked, and fits: its
         * instance counts as the domain's own. */
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "win11-vgpu", "migrate", "begin", nometa, &r);
                ck_assert_msg(r.status == 0, "%s", r.err);
                ck_assert_str_eq(r.out, "");
                ck_assert_str_eq(r.err, "");
                ck_assert_uint_eq(r.unread, 0);
        }
}
END_TEST

START_TEST(migrate_local_not_migratable) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *nometa = fixture("vgpu-no-metadata.xml");
        g_autoptr(GString) xml = g_string_new(nometa);
        G_GNUC_UNUSED g_autofree char *inst = mc_testbed_add_instance(f->tb, f->mtty, "mtty-2", UUID_B, NULL, false);
        g_auto(HookRun) r = { 0 };

        mc_harness_start_daemon(f->h, NULL);
        g_string_replace(xml, UUID_A, UUID_B, 0);
        run_hook(f, "win11-vgpu", "migrate", "begin", xml->str, &r);
        ck_assert_int_eq(r.status, 1);
        assert_one_line(&r);
        ck_assert_contains(r.err, "device hostdev0 (no device model) cannot land on this host: not-migratable: mdev "
                                  "instance " UUID_B " is of type mtty-2 on parent mtty");
}
END_TEST

START_TEST(migrate_s390_ccw_ap) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *s390 = fixture("s390-ccw-ap.xml");
        g_autoptr(GString) no_require = g_string_new(s390);
        g_autofree char *ccw_inst = NULL, *ap_inst = NULL;

        /* The destination's devices exist already; vfio_ccw-io had one
         * instance, now taken by this domain's own device. */
        ccw_inst = mc_testbed_add_instance(f->tb, f->ccw, "vfio_ccw-io", UUID_CCW, NULL, false);
        ap_inst = mc_testbed_add_instance(f->tb, f->ap, "vfio_ap-passthrough", UUID_AP, NULL, false);
        mc_harness_start_daemon(f->h, NULL);

        /* The AP device requires stop-copy, which its data file does not
         * state: unknown, so refused by default. */
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "zvm-guest", "migrate", "begin", s390, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
                ck_assert_contains(r.err, "refusing incoming migration of domain \"zvm-guest\": device hostdev1 "
                                          "(ibm.example/s390/vfio-ap version 1) may not land on this host "
                                          "(compatibility unknown): capability-unknown: ");
        }
        /* ...and let through when configured so. */
        set_conf(f, "# let unknown pass\n  on_unknown = allow\n");
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "zvm-guest", "migrate", "begin", s390, &r);
                ck_assert_msg(r.status == 0, "%s", r.err);
                assert_one_line(&r);
                ck_assert_contains(r.err, "migcompat: accepting incoming migration of domain \"zvm-guest\": device "
                                          "hostdev1");
        }
        set_conf(f, "on_unknown=refuse\n");
        /* Without the requirement: both fit, the CCW one only because its
         * type's last instance is this domain's own. */
        g_string_replace(no_require, "<mc:require capability=\"stop-copy\"/>", "", 1);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "zvm-guest", "migrate", "begin", no_require->str, &r);
                ck_assert_msg(r.status == 0, "%s", r.err);
                ck_assert_str_eq(r.out, "");
                ck_assert_str_eq(r.err, "");
        }
}
END_TEST

START_TEST(daemon_unreachable_policy) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *good = fixture("vgpu-metadata.xml");
        g_autofree char *plain = fixture("plain.xml");

        /* No daemon: fail closed. */
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
                ck_assert_contains(r.err, "migcompat: cannot check the incoming migration of domain \"rhel9-vgpu\": "
                                          "migcompatd is not running");
                ck_assert_contains(r.err, "; refusing it (on_daemon_unreachable=allow in ");
        }
        /* Nothing to check needs no daemon. */
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "debian12", "migrate", "begin", plain, &r);
                ck_assert_int_eq(r.status, 0);
                assert_one_line(&r);
        }
        set_conf(f, "on_daemon_unreachable=allow\n");
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 0);
                assert_one_line(&r);
                ck_assert_contains(r.err, "migcompatd is not running");
                ck_assert_contains(r.err, "; allowing it unchecked (on_daemon_unreachable=allow)");
        }
        /* An unknown value is not "allow". */
        set_conf(f, "on_daemon_unreachable=sure\n");
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 1);
        }
}
END_TEST

/* migcompatctl's exit status 4 (access denied by the bus policy or the
 * daemon) is decided as an unreachable daemon is: refused, unless
 * on_daemon_unreachable=allow. A stand-in migcompatctl answers it. */
START_TEST(access_denied_policy) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *good = fixture("vgpu-metadata.xml");
        g_autofree char *ctl = mc_harness_write(
                f->h, "denied-ctl",
                "#!/bin/sh\n"
                "cat >/dev/null\n"
                "echo 'migcompat: cannot check the incoming migration of domain \"rhel9-vgpu\": "
                "Check: access denied by the system bus policy' >&2\n"
                "exit 4\n");

        ck_assert_int_eq(chmod(ctl, 0755), 0);
        g_setenv("MIGCOMPATCTL", ctl, true);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
                ck_assert_contains(r.err, "access denied by the system bus policy; refusing it "
                                          "(on_daemon_unreachable=allow in ");
        }
        set_conf(f, "on_daemon_unreachable=allow\n");
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 0);
                assert_one_line(&r);
                ck_assert_contains(r.err, "; allowing it unchecked (on_daemon_unreachable=allow)");
        }
}
END_TEST

START_TEST(bad_input_and_missing_ctl) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *good = fixture("vgpu-metadata.xml");
        g_autofree char *half = g_strndup(good, strlen(good) / 2);

        mc_harness_start_daemon(f->h, NULL);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", half, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
                /* Named by the name libvirt gave, though the XML ends before
                 * its <name>; no position in a document nobody can open. */
                ck_assert_contains(r.err, "migcompat: cannot check the incoming migration of domain \"rhel9-vgpu\": "
                                          "the domain XML: ");
                ck_assert_msg(!strstr(r.err, "line") && !strstr(r.err, "stdin"), "%s", r.err);
                ck_assert(g_str_has_suffix(r.err, "; refusing it\n"));
        }
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", "", &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
        }
        /* Bad metadata: the domain by the name libvirt gave, the element
         * as the domain XML spells it, no position in it. */
        {
                g_autoptr(GString) bad = g_string_new(good);
                g_auto(HookRun) r = { 0 };
                g_string_replace(bad, "<migcompat:param ", "<migcompat:parm ", 1);
                run_hook(f, "rhel9-vgpu", "migrate", "begin", bad->str, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
                ck_assert_contains(r.err, "migcompat: cannot check the incoming migration of domain \"rhel9-vgpu\": "
                                          "the domain XML: migcompat metadata: <migcompat:parm>: unknown element; "
                                          "<migcompat:device> holds <migcompat:param>, <migcompat:require> and <migcompat:derived-from> "
                                          "elements; refusing it\n");
        }
        /* The same element in the default namespace, as migcompat 0.1
         * wrote it and libvirt kept it: read alike. */
        {
                g_autoptr(GString) legacy = g_string_new(good);
                g_auto(HookRun) r = { 0 };
                g_string_replace(legacy, "<migcompat:migcompat xmlns:migcompat=",
                                 "<migcompat xmlns:migcompat=\"" CTL_METADATA_NS "\" xmlns=", 1);
                g_string_replace(legacy, "migcompat:", "", 0);
                ck_assert_msg(!strstr(legacy->str, "<migcompat:"), "%s", legacy->str);
                run_hook(f, "rhel9-vgpu", "migrate", "begin", legacy->str, &r);
                ck_assert_msg(r.status == 0, "%s\n%s", r.err, legacy->str);
                ck_assert_str_eq(r.err, "");
        }
        /* migcompatctl gone (the package removed, the hook kept): step aside. */
        g_setenv("MIGCOMPATCTL", "/nonexistent/migcompatctl", true);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 0);
                assert_one_line(&r);
                ck_assert_contains(r.err, "is not installed");
                ck_assert_uint_eq(r.unread, strlen(good));
        }
}
END_TEST

/* libvirt runs hooks with a clean environment: the bus address can come
 * from the settings, and wins over the environment. */
START_TEST(bus_address_setting) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *good = fixture("vgpu-metadata.xml");
        g_autofree char *conf = NULL;

        mc_harness_start_daemon(f->h, NULL);
        f->env_bus = "unix:path=/nonexistent/system_bus_socket";
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_int_eq(r.status, 1);
                assert_one_line(&r);
        }
        conf = g_strdup_printf("# the private bus\nsystem_bus_address = %s  \n", mc_harness_bus_address(f->h));
        set_conf(f, conf);
        {
                g_auto(HookRun) r = { 0 };
                run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
                ck_assert_msg(r.status == 0, "%s", r.err);
                ck_assert_str_eq(r.err, "");
        }
}
END_TEST

/* A bus that refuses the hook's call the way dbus-daemon does when its
 * policy says no: the name is owned, every call answered AccessDenied with
 * dbus-daemon's long account of the rules. */
typedef struct {
        const char *address;
        gint stop;
        gint ready;
} Refuser;

static int refuse(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_errorf(
                m, SD_BUS_ERROR_ACCESS_DENIED,
                "Rejected send message, 2 matched rules; type=\"method_call\", sender=\":1.7\" (uid=1000 "
                "pid=4242 comm=\"migcompatctl check-domain --hook\") interface=\"org.migcompat.MigCompat1.Manager\" "
                "member=\"%s\" error name=\"(unset)\" requested_reply=\"0\" destination=\"org.migcompat.MigCompat1\" "
                "(uid=0 pid=1 comm=\"/usr/libexec/migcompatd\")",
                sd_bus_message_get_member(m));
}

static gpointer refuser_thread(gpointer data) {
        Refuser *rf = data;
        sd_bus *bus = NULL;
        sd_bus_slot *slot = NULL;

        ck_assert_int_ge(sd_bus_new(&bus), 0);
        ck_assert_int_ge(sd_bus_set_address(bus, rf->address), 0);
        ck_assert_int_ge(sd_bus_set_bus_client(bus, 1), 0);
        ck_assert_int_ge(sd_bus_start(bus), 0);
        ck_assert_int_ge(sd_bus_add_fallback(bus, &slot, "/", refuse, NULL), 0);
        ck_assert_int_ge(sd_bus_request_name(bus, "org.migcompat.MigCompat1", 0), 0);
        g_atomic_int_set(&rf->ready, 1);
        while (!g_atomic_int_get(&rf->stop)) {
                if (sd_bus_process(bus, NULL) > 0)
                        continue;
                sd_bus_wait(bus, 100 * 1000);
        }
        sd_bus_slot_unref(slot);
        sd_bus_flush_close_unref(bus);
        return NULL;
}

START_TEST(access_denied_is_one_short_line) {
        g_autoptr(Fx) f = fx_new();
        g_autofree char *good = fixture("vgpu-metadata.xml");
        Refuser rf = { .address = mc_harness_bus_address(f->h) };
        GThread *t = g_thread_new("refuser", refuser_thread, &rf);
        g_auto(HookRun) r = { 0 };

        while (!g_atomic_int_get(&rf.ready))
                g_usleep(10 * 1000);
        run_hook(f, "rhel9-vgpu", "migrate", "begin", good, &r);
        g_atomic_int_set(&rf.stop, 1);
        g_thread_join(t);

        ck_assert_int_eq(r.status, 1);
        assert_one_line(&r);
        ck_assert_contains(r.err, "migcompat: cannot check the incoming migration of domain \"rhel9-vgpu\": ");
        ck_assert_contains(r.err, ": access denied");
        ck_assert_contains(r.err, "; refusing it");
        ck_assert_msg(!strstr(r.err, "matched rules") && !strstr(r.err, "uid="), "%s", r.err);
        /* Short: the settings file's path (a long temporary one here) aside. */
        ck_assert_msg(strlen(r.err) - strlen(f->conf) < 200, "%zu characters: %s", strlen(r.err), r.err);
}
END_TEST

static Suite *hook_suite(void) {
        Suite *s = suite_create("hook");
        TCase *tc = tcase_create("qemu");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, other_operations_pass_untouched);
        tcase_add_test(tc, migrate_vfio_pci);
        tcase_add_test(tc, migrate_without_metadata);
        tcase_add_test(tc, migrate_local_not_migratable);
        tcase_add_test(tc, migrate_s390_ccw_ap);
        tcase_add_test(tc, daemon_unreachable_policy);
        tcase_add_test(tc, access_denied_policy);
        tcase_add_test(tc, bad_input_and_missing_ctl);
        tcase_add_test(tc, bus_address_setting);
        tcase_add_test(tc, access_denied_is_one_short_line);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(hook_suite)
