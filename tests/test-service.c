/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE

/* migcompatd as a service: the unit file passes systemd-analyze verify and
 * scores a low exposure; the unit, the activation file and the daemon agree
 * on names and paths; the system bus policy lets every user query and only
 * root rescan or own the name, and the daemon refuses a non-root Rescan by
 * itself too; a call activates the daemon from its activation file; the
 * daemon works inside an emulation of the unit's sandbox, and every system
 * call it makes passes the unit's SystemCallFilter=; it exits when the bus
 * goes away; and why the unit keeps the host's network namespace.
 *
 * Each check TCase is one ctest test (CK_RUN_CASE); a case whose tools are
 * missing exits 77 with the reason. */

#include <check.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "mc-config.h"
#include "mc-test-main.h"

/* What the unit achieves with systemd 252 (Debian 12); a looser sandbox
 * fails here. Keep in step with systemd/migcompatd.service.in. */
#define MAX_EXPOSURE 1.0

#define UUID "6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b"

static const char nic_source[] =
        "{\"devices\": [{\"id\": \"nic\", \"model\": \"vendor-a.com/my-nic\", \"version\": \"v1\", "
        "\"params\": {\"queues\": 4, \"num-resources\": 64}}]}";

/* ---- helpers ------------------------------------------------------------------ */

/* Run a command directly (no bus); returns its exit status. */
static int spawn(const char *const *argv, char **out, char **err) {
        g_autoptr(GError) error = NULL;
        int status = 0;

        ck_assert_msg(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status,
                                   &error),
                      "%s: %s", argv[0], error ? error->message : "");
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return -1;
}

static char *read_file(const char *path) {
        g_autoptr(GError) error = NULL;
        char *data = NULL;
        ck_assert_msg(g_file_get_contents(path, &data, NULL, &error), "%s", error ? error->message : "");
        return data;
}

/* Values of "Key=" lines in a unit or activation file, in order. */
static GPtrArray *file_values(const char *content, const char *key) {
        GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) lines = g_strsplit(content, "\n", -1);
        g_autofree char *prefix = g_strconcat(key, "=", NULL);

        for (char **l = lines; *l; l++)
                if (g_str_has_prefix(*l, prefix))
                        g_ptr_array_add(values, g_strstrip(g_strdup(*l + strlen(prefix))));
        return values;
}

/* The one value of a key (asserts there is exactly one). */
static char *file_value(const char *content, const char *key) {
        g_autoptr(GPtrArray) v = file_values(content, key);
        ck_assert_msg(v->len == 1, "%u \"%s=\" lines, expected one", v->len, key);
        return g_strdup(v->pdata[0]);
}

/* A host with one vfio-user program (the test stand-in), nothing else. */
static McHarness *host_new(void) {
        McHarness *h = mc_harness_new();
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *desc = g_strdup_printf(
                "{\"description\": \"test NIC\", \"binary\": \"%s\", \"args\": [\"json\", \"vendor-a.com/my-nic\"]}",
                prog);

        g_free(mc_harness_write(h, "descriptors/vnic.json", desc));
        g_free(mc_harness_mkdir(h, "data"));
        g_free(mc_harness_mkdir(h, "cache"));
        return h;
}

/* busctl --json=short on the harness bus, as root or nobody; asserts
 * success and returns the reply's "data" (NULL for an empty reply). */
static JsonNode *busctl_json(McHarness *h, bool nobody, const char *const *args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(JsonParser) p = json_parser_new();
        g_autoptr(GError) error = NULL;
        JsonObject *o;
        int r;

        g_ptr_array_add(argv, (char *) "busctl");
        g_ptr_array_add(argv, (char *) "--system");
        g_ptr_array_add(argv, (char *) "--json=short");
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        r = mc_harness_run(h, nobody, (const char *const *) argv->pdata, &out, &err);
        if (r != 0) {
                g_autofree char *cmd = g_strjoinv(" ", (char **) argv->pdata);
                ck_abort_msg("%s (as %s) failed (%d): %s", cmd, nobody ? "nobody" : "root", r, err);
        }
        /* A reply without arguments prints nothing. */
        if (!*g_strstrip(out))
                return NULL;
        ck_assert_msg(json_parser_load_from_data(p, out, -1, &error), "busctl output: %s\n%s",
                      error ? error->message : "", out);
        o = json_node_get_object(json_parser_get_root(p));
        ck_assert_msg(o && json_object_has_member(o, "data"), "busctl output: %s", out);
        return json_node_copy(json_object_get_member(o, "data"));
}

/* Argument i of a method reply, as a string. */
static char *reply_string(JsonNode *data, guint i) {
        JsonArray *a = json_node_get_array(data);
        ck_assert_uint_gt(json_array_get_length(a), i);
        return g_strdup(json_array_get_string_element(a, i));
}

static void assert_verdict(const char *result_json, const char *want) {
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o;

        ck_assert_msg(json_parser_load_from_data(p, result_json, -1, NULL), "not JSON: %s", result_json);
        o = json_node_get_object(json_parser_get_root(p));
        ck_assert_msg(o && json_object_has_member(o, "verdict"), "no verdict: %s", result_json);
        ck_assert_str_eq(json_object_get_string_member(o, "verdict"), want);
}

/* dbus-send --print-reply, as root or nobody, with the space-separated
 * dbus-send arguments in arg (or none). Returns NULL when the call
 * succeeded, else the D-Bus error name (and its message in *message). */
static char *dbus_send(McHarness *h, bool nobody, const char *dest, const char *path, const char *method,
                       const char *arg, char **message) {
        g_autofree char *dest_arg = g_strdup_printf("--dest=%s", dest);
        g_auto(GStrv) args = arg ? g_strsplit(arg, " ", -1) : g_new0(char *, 1);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autofree char *out = NULL, *err = NULL;
        const char *colon;

        g_ptr_array_add(argv, (char *) "dbus-send");
        g_ptr_array_add(argv, (char *) "--system");
        g_ptr_array_add(argv, (char *) "--print-reply");
        g_ptr_array_add(argv, dest_arg);
        g_ptr_array_add(argv, (char *) path);
        g_ptr_array_add(argv, (char *) method);
        for (char **a = args; *a; a++)
                g_ptr_array_add(argv, *a);
        g_ptr_array_add(argv, NULL);
        if (mc_harness_run(h, nobody, (const char *const *) argv->pdata, &out, &err) == 0)
                return NULL;
        /* "Error org.freedesktop.DBus.Error.AccessDenied: Rejected send message, ..." */
        ck_assert_msg(g_str_has_prefix(err, "Error ") && (colon = strchr(err, ':')), "dbus-send: %s", err);
        if (message)
                *message = g_strstrip(g_strdup(colon + 1));
        return g_strndup(err + 6, (gsize) (colon - err - 6));
}

static void assert_dbus_error(McHarness *h, bool nobody, const char *dest, const char *path, const char *method,
                              const char *arg, const char *want, const char *message_part) {
        g_autofree char *message = NULL;
        g_autofree char *name = dbus_send(h, nobody, dest, path, method, arg, &message);

        ck_assert_msg(name, "%s as %s succeeded, expected %s", method, nobody ? "nobody" : "root", want);
        ck_assert_msg(strcmp(name, want) == 0, "%s as %s: expected %s, got %s: %s", method,
                      nobody ? "nobody" : "root", want, name, message);
        if (message_part)
                ck_assert_msg(strstr(message, message_part), "%s: \"%s\" lacks \"%s\"", method, message,
                              message_part);
}

static unsigned count_substr(const char *haystack, const char *needle) {
        unsigned n = 0;
        for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static void assert_no_warnings(McHarness *h) {
        g_autofree char *log = mc_harness_daemon_log(h);
        /* "<3>" error, "<4>" warning; sanitizer reports say "ERROR:". */
        ck_assert_msg(!strstr(log, "<3>") && !strstr(log, "<4>") && !strstr(log, "ERROR:"),
                      "the daemon complained:\n%s", log);
}

static pid_t name_owner_pid(sd_bus *bus) {
        g_autoptr(sd_bus_creds) creds = NULL;
        pid_t pid = 0;
        int r = sd_bus_get_name_creds(bus, MC_BUS_NAME, SD_BUS_CREDS_PID, &creds);
        ck_assert_msg(r >= 0, "%s has no owner: %s", MC_BUS_NAME, g_strerror(-r));
        ck_assert_int_ge(sd_bus_creds_get_pid(creds, &pid), 0);
        return pid;
}

static bool name_has_owner(sd_bus *bus) {
        g_autoptr(sd_bus_message) reply = NULL;
        int has = -1;
        ck_assert_int_ge(sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "NameHasOwner", NULL, &reply, "s",
                                            MC_BUS_NAME),
                         0);
        ck_assert_int_ge(sd_bus_message_read(reply, "b", &has), 0);
        return has;
}

static void root_rescan(sd_bus *bus) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Rescan", &error, NULL,
                                   NULL);
        ck_assert_msg(r >= 0, "Rescan as root: %s: %s", error.name, error.message);
}

/* ---- the unit file ------------------------------------------------------------- */

START_TEST(unit_verify) {
        g_autofree char *unit = mc_harness_build_path("tests/service/migcompatd.service");
        /* Documentation= names man pages that are not installed on the
         * build machine; --man=no keeps verify from running man(1). */
        const char *argv[] = { "systemd-analyze", "verify", "--man=no", unit, NULL };
        g_autofree char *out = NULL, *err = NULL;
        int r = spawn(argv, &out, &err);

        printf("systemd-analyze verify %s: exit %d\n%s%s", unit, r, out, err);
        ck_assert_msg(r == 0, "systemd-analyze verify failed:\n%s%s", out, err);
        /* Warnings about other units on this machine are not ours. */
        ck_assert_msg(!strstr(out, "migcompatd") && !strstr(err, "migcompatd"),
                      "systemd-analyze verify has something to say about the unit:\n%s%s", out, err);
}
END_TEST

START_TEST(unit_security) {
        g_autofree char *unit = mc_harness_build_path("tests/service/migcompatd.service");
        const char *argv[] = { "systemd-analyze", "security", "--offline=true", "--no-pager", unit, NULL };
        g_autofree char *out = NULL, *err = NULL;
        g_auto(GStrv) lines = NULL;
        const char *overall;
        double score;
        char *end = NULL;
        int r = spawn(argv, &out, &err);

        ck_assert_msg(r == 0, "systemd-analyze security failed (%d):\n%s%s", r, out, err);
        /* What still counts against the unit, then the figure. */
        lines = g_strsplit(out, "\n", -1);
        printf("systemd-analyze security: what still counts against migcompatd.service:\n");
        for (char **l = lines; *l; l++)
                if (g_str_has_prefix(*l, "✗"))
                        printf("  %s\n", *l);
        for (char **l = lines; *l; l++)
                if (strstr(*l, "Overall exposure level"))
                        printf("%s\n", *l);
        overall = strstr(out, "Overall exposure level for migcompatd.service: ");
        ck_assert_msg(overall, "no overall exposure level in:\n%s", out);
        overall += strlen("Overall exposure level for migcompatd.service: ");
        score = g_ascii_strtod(overall, &end);
        ck_assert_msg(end != overall, "cannot read the exposure in \"%.40s\"", overall);
        printf("migcompatd.service exposure: %.1f (bound %.1f)\n", score, MAX_EXPOSURE);
        ck_assert_msg(score <= MAX_EXPOSURE + 0.01, "exposure %.1f is above %.1f: the sandbox got looser", score,
                      MAX_EXPOSURE);
}
END_TEST

/* The unit, the activation file and the daemon must agree: a mismatch only
 * shows on a real host (a name the bus never sees owned, a cache directory
 * the sandbox keeps read-only). */
START_TEST(unit_files_agree) {
        g_autofree char *daemon = mc_harness_build_path("src/migcompatd");
        const char *libexecdir = getenv("MC_INSTALL_LIBEXECDIR");
        g_autofree char *installed = NULL;
        struct {
                const char *unit, *activation, *daemon;
        } sets[] = {
                { "tests/service/migcompatd.service", "tests/service/org.migcompat.MigCompat1.service", daemon },
                { "systemd/migcompatd.service", "dbus/org.migcompat.MigCompat1.service", NULL },
        };

        ck_assert_msg(libexecdir, "MC_INSTALL_LIBEXECDIR is not set (run through ctest)");
        installed = g_build_filename(libexecdir, "migcompatd", NULL);
        sets[1].daemon = installed;

        for (guint i = 0; i < G_N_ELEMENTS(sets); i++) {
                g_autofree char *unit_path = mc_harness_build_path(sets[i].unit);
                g_autofree char *act_path = mc_harness_build_path(sets[i].activation);
                g_autofree char *unit = read_file(unit_path), *act = read_file(act_path);
                g_autofree char *exec_start_line = file_value(unit, "ExecStart");
                g_auto(GStrv) exec_start = g_strsplit(exec_start_line, " ", -1);
                g_autofree char *exec = file_value(act, "Exec");
                g_autofree char *bus_name = file_value(unit, "BusName");
                g_autofree char *name = file_value(act, "Name");
                g_autofree char *systemd_service = file_value(act, "SystemdService");
                g_autofree char *user = file_value(act, "User");
                g_autofree char *type = file_value(unit, "Type");
                g_autofree char *watchdog = file_value(unit, "WatchdogSec");
                g_autofree char *cache = file_value(unit, "CacheDirectory");
                g_autofree char *families = file_value(unit, "RestrictAddressFamilies");
                g_autoptr(GPtrArray) private_network = file_values(unit, "PrivateNetwork");
                g_autofree char *unit_name = g_path_get_basename(unit_path);

                g_autofree char *cache_arg = NULL;

                ck_assert_str_eq(exec_start[0], sets[i].daemon);
                /* The daemon writes where systemd made it writable, whatever
                 * its compiled-in default (which follows the install prefix). */
                cache_arg = g_strdup_printf("--cache-dir=%%C/%s", cache);
                ck_assert_msg(g_strv_contains((const char *const *) exec_start, cache_arg), "ExecStart=%s lacks %s",
                              exec_start_line, cache_arg);
                ck_assert_str_eq(exec, sets[i].daemon);
                ck_assert_str_eq(bus_name, MC_BUS_NAME);
                ck_assert_str_eq(name, MC_BUS_NAME);
                ck_assert_str_eq(systemd_service, unit_name);
                ck_assert_str_eq(user, "root");
                ck_assert_str_eq(type, "notify");
                ck_assert(*watchdog);
                ck_assert_str_eq(cache, "migcompat");
                /* udev's events reach the daemon only in the host's network namespace. */
                ck_assert_msg(private_network->len == 0, "PrivateNetwork= would cut the daemon off udev's events");
                ck_assert(strstr(families, "AF_NETLINK") && strstr(families, "AF_UNIX"));
        }
        /* The test copy names a daemon that exists. */
        ck_assert_int_eq(access(daemon, X_OK), 0);
}
END_TEST

/* Why the unit has no PrivateNetwork=: udevd's events (netlink
 * NETLINK_KOBJECT_UEVENT, multicast group 2, "udev", what libudev monitors
 * bind to) reach the sockets of the sender's network namespace only. Shown
 * on this kernel with two namespaces, as udevd and a privately networked
 * service would have them. */
#define UDEV_GROUP 2

static int uevent_socket(bool listen) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = listen ? UDEV_GROUP : 0 };
        int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

typedef struct {
        int listener, sender;
        int error;
} NetnsSockets;

/* Namespaces belong to the thread: this one moves to a new network
 * namespace, the test's stays in the host's. */
static gpointer netns_thread(gpointer userdata) {
        NetnsSockets *ns = userdata;
        if (unshare(CLONE_NEWNET) < 0) {
                ns->error = errno;
                return NULL;
        }
        ns->listener = uevent_socket(true);
        ns->sender = uevent_socket(false);
        return NULL;
}

/* A datagram no real udevd sends, so that events on a live host do not count. */
static char *multicast(int sender, const char *tag) {
        struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = UDEV_GROUP };
        char *msg = g_strdup_printf("add@/devices/migcompat-test-%d-%s", (int) getpid(), tag);
        ssize_t len = (ssize_t) strlen(msg) + 1;
        ck_assert_msg(sendto(sender, msg, (size_t) len, 0, (struct sockaddr *) &to, sizeof to) == len, "sendto: %s",
                      g_strerror(errno));
        return msg;
}

/* Whether msg is waiting on fd (netlink multicast is delivered during
 * sendto(), so there is nothing to wait for). */
static bool received(int fd, const char *msg) {
        char buf[8192];
        ssize_t n;
        bool found = false;

        while ((n = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
                buf[n] = '\0';
                found = found || strcmp(buf, msg) == 0;
        }
        return found;
}

START_TEST(private_network_hides_udev_events) {
        NetnsSockets ns = { -1, -1, 0 };
        int host_listener = uevent_socket(true), host_sender = uevent_socket(false);
        GThread *t;

        ck_assert_msg(host_listener >= 0 && host_sender >= 0, "netlink: %s",
                      g_strerror(-MIN(host_listener, host_sender)));
        t = g_thread_new("netns", netns_thread, &ns);
        g_thread_join(t);
        ck_assert_msg(ns.error == 0, "unshare(CLONE_NEWNET): %s", g_strerror(ns.error));
        ck_assert_msg(ns.listener >= 0 && ns.sender >= 0, "netlink in the namespace: %s",
                      g_strerror(-MIN(ns.listener, ns.sender)));

        /* "udevd" in the host namespace: the private one hears nothing. */
        {
                g_autofree char *msg = multicast(host_sender, "host");
                ck_assert(received(host_listener, msg));
                ck_assert_msg(!received(ns.listener, msg), "udev multicast crossed network namespaces");
        }
        /* The private namespace's netlink works, within itself only. */
        {
                g_autofree char *msg = multicast(ns.sender, "private");
                ck_assert(received(ns.listener, msg));
                ck_assert(!received(host_listener, msg));
        }

        close(host_listener);
        close(host_sender);
        close(ns.listener);
        close(ns.sender);
}
END_TEST

/* ---- access control ------------------------------------------------------------ */

START_TEST(system_bus_policy) {
        g_autoptr(McHarness) h = host_new();
        g_autoptr(sd_bus) bus = NULL;
        const char *no_mdev[] = { "--no-mdev", NULL };
        const char *request_name[] = { "call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "RequestName", "su", MC_BUS_NAME, "4", NULL };
        g_autoptr(JsonNode) owned = NULL;
        g_autofree char *log = NULL, *unique = NULL;

        mc_harness_start_bus(h, MC_BUS_SYSTEM);

        /* The name is free: root may take it (1: primary owner), nobody may not. */
        owned = busctl_json(h, false, request_name);
        ck_assert_int_eq(json_array_get_int_element(json_node_get_array(owned), 0), 1);
        assert_dbus_error(h, true, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName",
                          "string:" MC_BUS_NAME " uint32:4", "org.freedesktop.DBus.Error.AccessDenied",
                          "not allowed to own");

        mc_harness_start_daemon(h, no_mdev);
        bus = mc_harness_connect(h);

        /* Root may Rescan, and the call reaches the daemon: the unit's
         * ExecReload= command line as it stands. */
        {
                g_autofree char *unit_path = mc_harness_build_path("tests/service/migcompatd.service");
                g_autofree char *unit = read_file(unit_path);
                g_autofree char *reload = file_value(unit, "ExecReload");
                g_auto(GStrv) argv = g_strsplit(reload, " ", -1);
                g_autofree char *out = NULL, *err = NULL;
                int r = mc_harness_run(h, false, (const char *const *) argv, &out, &err);
                ck_assert_msg(r == 0, "ExecReload=%s: %d: %s", reload, r, err);
        }
        log = mc_harness_daemon_log(h);
        ck_assert_uint_eq(count_substr(log, "Rescanning on request"), 1);
        g_clear_pointer(&log, g_free);

        /* nobody: every query. */
        {
                const char *args[] = { "get-property", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Version",
                                       NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                ck_assert_str_eq(json_node_get_string(v), MC_VERSION);
        }
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetHostProfile", NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autofree char *profile = reply_string(v, 0);
                ck_assert_msg(strstr(profile, "vendor-a.com/my-nic"), "%s", profile);
        }
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", "s",
                                       nic_source, NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autofree char *result = reply_string(v, 0);
                assert_verdict(result, "compatible");
        }
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "CheckDevice",
                                       "ssa{sv}as", "vendor-a.com/my-nic", "v1", "2", "queues", "i", "4",
                                       "num-resources", "i", "64", "0", NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autofree char *verdict = reply_string(v, 0);
                ck_assert_str_eq(verdict, "compatible");
        }
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetImplementation", "s",
                                       "vfio-user:vnic", NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autofree char *path = reply_string(v, 0);
                const char *model_args[] = { "get-property", MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, "Model", NULL };
                const char *check_args[] = { "call", MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, "Check", "s", nic_source,
                                             NULL };
                const char *getall_args[] = { "call", MC_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                                              "s", MC_BUS_IMPL_IFACE, NULL };
                g_autoptr(JsonNode) model = busctl_json(h, true, model_args);
                g_autoptr(JsonNode) check = busctl_json(h, true, check_args);
                g_autoptr(JsonNode) all = busctl_json(h, true, getall_args);
                g_autofree char *result = reply_string(check, 0);

                ck_assert_str_eq(json_node_get_string(model), "vendor-a.com/my-nic");
                assert_verdict(result, "compatible");
                ck_assert(JSON_NODE_HOLDS_ARRAY(all));
        }
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.ObjectManager",
                                       "GetManagedObjects", NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autoptr(JsonGenerator) g = json_generator_new();
                g_autofree char *text = NULL;
                json_generator_set_root(g, v);
                text = json_generator_to_data(g, NULL);
                ck_assert_msg(strstr(text, MC_BUS_IMPL_PREFIX "/"), "%s", text);
        }
        {
                const char *ping[] = { "call", MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL };
                const char *getall[] = { "call", MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                                         "s", MC_BUS_MANAGER_IFACE, NULL };
                const char *introspect[] = { "busctl", "--system", "introspect", MC_BUS_NAME, MC_BUS_PATH, NULL };
                g_autofree char *out = NULL, *err = NULL;
                g_autoptr(JsonNode) all = NULL;
                ck_assert_ptr_null(busctl_json(h, true, ping));
                all = busctl_json(h, true, getall);
                ck_assert(JSON_NODE_HOLDS_ARRAY(all));
                ck_assert_msg(mc_harness_run(h, true, introspect, &out, &err) == 0, "introspect: %s", err);
                ck_assert_msg(strstr(out, MC_BUS_MANAGER_IFACE) && strstr(out, ".Rescan"), "%s", out);
        }
        /* Describe reaches the daemon (its own error, not the bus's). */
        assert_dbus_error(h, true, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE ".Describe", "string:" UUID,
                          MC_BUS_ERROR_PREFIX "NotFound", NULL);

        /* nobody: no Rescan. The bus refuses it, by well-known name and by
         * unique name alike, before the daemon sees it. */
        assert_dbus_error(h, true, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE ".Rescan", NULL,
                          "org.freedesktop.DBus.Error.AccessDenied", "Rejected send message");
        {
                g_autoptr(sd_bus_creds) creds = NULL;
                const char *u = NULL;
                ck_assert_int_ge(sd_bus_get_name_creds(bus, MC_BUS_NAME, SD_BUS_CREDS_UNIQUE_NAME, &creds), 0);
                ck_assert_int_ge(sd_bus_creds_get_unique_name(creds, &u), 0);
                unique = g_strdup(u);
        }
        assert_dbus_error(h, true, unique, MC_BUS_PATH, MC_BUS_MANAGER_IFACE ".Rescan", NULL,
                          "org.freedesktop.DBus.Error.AccessDenied", "Rejected send message");
        /* nor may it take the name while the daemon has it (root would queue). */
        assert_dbus_error(h, true, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName",
                          "string:" MC_BUS_NAME " uint32:4", "org.freedesktop.DBus.Error.AccessDenied",
                          "not allowed to own");
        log = mc_harness_daemon_log(h);
        ck_assert_msg(count_substr(log, "Rescanning on request") == 1, "a refused Rescan ran:\n%s", log);

        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
        assert_no_warnings(h);
}
END_TEST

/* Defence in depth: on a bus that lets anyone send anything, the daemon
 * itself refuses a Rescan from a non-root caller. */
START_TEST(daemon_refuses_rescan) {
        g_autoptr(McHarness) h = host_new();
        g_autoptr(sd_bus) bus = NULL;
        const char *no_mdev[] = { "--no-mdev", NULL };
        g_autofree char *log = NULL;

        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, no_mdev);
        bus = mc_harness_connect(h);

        assert_dbus_error(h, true, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE ".Rescan", NULL,
                          MC_BUS_ERROR_PREFIX "AccessDenied", "root");
        log = mc_harness_daemon_log(h);
        ck_assert_msg(!strstr(log, "Rescanning on request"), "nobody's Rescan ran:\n%s", log);
        g_clear_pointer(&log, g_free);
        /* The same call from root does run. */
        ck_assert_ptr_null(dbus_send(h, false, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE ".Rescan", NULL, NULL));
        log = mc_harness_daemon_log(h);
        ck_assert_uint_eq(count_substr(log, "Rescanning on request"), 1);
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
}
END_TEST

/* ---- calls as another user, on connections of our own ----------------------- */

typedef void (*AsUserFunc)(sd_bus *bus, GString *out, void *userdata);

static void write_all(int fd, const char *s, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, s, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        _exit(3);
                s += k;
                n -= (size_t) k;
        }
}

/* Run fn in a child process as uid (and its gid; 0 root, 65534 nobody)
 * on a connection of its own to the harness bus, and return what it
 * printed into out. orphaned: another process connects the socket (the
 * bus records that process as the caller) and has exited, and been
 * reaped, before fn runs on the inherited connection: the bus still
 * vouches for the user id, but /proc holds nothing for the pid the bus
 * names. */
static char *as_user(McHarness *h, uid_t uid, bool orphaned, AsUserFunc fn, void *userdata) {
        g_autofree char *socket_path = g_build_filename(mc_harness_dir(h), "system_bus_socket", NULL);
        g_autoptr(GString) result = g_string_new(NULL);
        int go[2], res[2], status = 0;
        char buf[4096];
        ssize_t n;
        pid_t a;

        ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(res, O_CLOEXEC), 0);
        fflush(NULL);
        a = fork();
        ck_assert_int_ge(a, 0);
        if (a == 0) {
                struct sockaddr_un sa = { .sun_family = AF_UNIX };
                g_autoptr(sd_bus) bus = NULL;
                g_autoptr(GString) out = g_string_new(NULL);
                int fd;
                char c;

                close(go[1]);
                close(res[0]);
                if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
                        _exit(10);
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                g_strlcpy(sa.sun_path, socket_path, sizeof sa.sun_path);
                if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                        _exit(11);
                if (orphaned) {
                        /* The connecting process ends here; its child goes on. */
                        pid_t c2 = fork();
                        if (c2 != 0)
                                _exit(c2 > 0 ? 0 : 12);
                }
                if (read(go[0], &c, 1) != 1)
                        _exit(13);
                if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 || sd_bus_set_bus_client(bus, 1) < 0 ||
                    sd_bus_start(bus) < 0)
                        _exit(14);
                fn(bus, out, userdata);
                write_all(res[1], out->str, out->len);
                _exit(0);
        }
        close(go[0]);
        close(res[1]);
        if (orphaned) {
                ck_assert_int_eq(waitpid(a, &status, 0), a);
                ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the connecting process: %d", status);
                {
                        g_autofree char *proc = g_strdup_printf("/proc/%d", (int) a);
                        ck_assert_msg(!g_file_test(proc, G_FILE_TEST_EXISTS), "%s is still there", proc);
                }
        }
        ck_assert_int_eq(write(go[1], "x", 1), 1);
        close(go[1]);
        while ((n = read(res[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
                if (n > 0)
                        g_string_append_len(result, buf, n);
        close(res[0]);
        if (!orphaned) {
                ck_assert_int_eq(waitpid(a, &status, 0), a);
                ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the caller as uid %u: status %d",
                              (unsigned) uid, status);
        }
        ck_assert_msg(result->len > 0, "the caller as uid %u printed nothing", (unsigned) uid);
        return g_string_free(g_steal_pointer(&result), false);
}

/* "ok", or the error's name: ": " message. */
static void call_rescan(sd_bus *bus, GString *out, void *userdata) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Rescan", &error, NULL,
                                   NULL);
        if (r >= 0)
                g_string_append(out, "ok");
        else
                g_string_append_printf(out, "%s: %s", error.name ? error.name : "?",
                                       error.message ? error.message : g_strerror(-r));
}

/* Rescan is decided on what the bus vouches for: root is let through and
 * anybody else gets the named error, on a connection of its own and on
 * one whose connecting process is gone, so that /proc has nothing (or, once
 * the pid is reused, another process) for the pid the bus names. */
START_TEST(rescan_decided_on_bus_credentials) {
        g_autoptr(McHarness) h = host_new();
        const char *no_mdev[] = { "--no-mdev", NULL };
        g_autofree char *log = NULL;
        unsigned rescans = 0;

        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, no_mdev);

        for (guint orphaned = 0; orphaned < 2; orphaned++) {
                g_autofree char *root = as_user(h, 0, orphaned, call_rescan, NULL);
                g_autofree char *nobody = as_user(h, 65534, orphaned, call_rescan, NULL);

                ck_assert_msg(strcmp(root, "ok") == 0, "root's Rescan%s: %s",
                              orphaned ? " on an inherited connection" : "", root);
                rescans++;
                ck_assert_msg(g_str_has_prefix(nobody, MC_BUS_ERROR_PREFIX "AccessDenied: Only root may "),
                              "nobody's Rescan%s: %s", orphaned ? " on an inherited connection" : "", nobody);
                log = mc_harness_daemon_log(h);
                ck_assert_msg(count_substr(log, "Rescanning on request") == rescans, "%s", log);
                g_clear_pointer(&log, g_free);
        }
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
}
END_TEST

/* ---- every method of the interface XML ----------------------------------------- */

typedef struct {
        char *iface, *name;
        char *in_sig;   /* the in arguments' types, concatenated */
        bool privileged; /* its comment in the XML says "root only" */
} XmlMethod;

static void xml_method_free(XmlMethod *m) {
        g_free(m->iface);
        g_free(m->name);
        g_free(m->in_sig);
        g_free(m);
}

typedef struct {
        GPtrArray *methods;
        char *iface;
        char *comment; /* the last comment, until the next element */
        XmlMethod *cur;
} XmlParse;

static const char *attr(const char **names, const char **values, const char *want) {
        for (; *names; names++, values++)
                if (strcmp(*names, want) == 0)
                        return *values;
        return NULL;
}

static void xml_start(GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
                      gpointer userdata, GError **error) {
        XmlParse *p = userdata;

        if (strcmp(element, "interface") == 0) {
                g_free(p->iface);
                p->iface = g_strdup(attr(names, values, "name"));
        } else if (strcmp(element, "method") == 0) {
                p->cur = g_new0(XmlMethod, 1);
                p->cur->iface = g_strdup(p->iface);
                p->cur->name = g_strdup(attr(names, values, "name"));
                p->cur->in_sig = g_strdup("");
                p->cur->privileged = p->comment && strstr(p->comment, "root only");
                g_ptr_array_add(p->methods, p->cur);
        } else if (strcmp(element, "arg") == 0 && p->cur) {
                const char *dir = attr(names, values, "direction");
                if (!dir || strcmp(dir, "in") == 0) {
                        char *sig = g_strconcat(p->cur->in_sig, attr(names, values, "type"), NULL);
                        g_free(p->cur->in_sig);
                        p->cur->in_sig = sig;
                }
        }
        g_clear_pointer(&p->comment, g_free);
}

static void xml_end(GMarkupParseContext *ctx, const char *element, gpointer userdata, GError **error) {
        XmlParse *p = userdata;
        if (strcmp(element, "method") == 0)
                p->cur = NULL;
        g_clear_pointer(&p->comment, g_free);
}

static void xml_passthrough(GMarkupParseContext *ctx, const char *text, gsize len, gpointer userdata,
                            GError **error) {
        XmlParse *p = userdata;
        if (len >= 4 && strncmp(text, "<!--", 4) == 0) {
                g_free(p->comment);
                p->comment = g_strndup(text, len);
        }
}

/* The methods of dbus/org.migcompat.MigCompat1.xml. */
static GPtrArray *xml_methods(void) {
        static const GMarkupParser parser = { xml_start, xml_end, NULL, xml_passthrough, NULL };
        g_autofree char *path = mc_harness_source_path("dbus/org.migcompat.MigCompat1.xml");
        g_autofree char *xml = read_file(path);
        XmlParse p = { .methods = g_ptr_array_new_with_free_func((GDestroyNotify) xml_method_free) };
        g_autoptr(GMarkupParseContext) ctx = g_markup_parse_context_new(&parser, 0, &p, NULL);
        g_autoptr(GError) error = NULL;

        ck_assert_msg(g_markup_parse_context_parse(ctx, xml, -1, &error) &&
                              g_markup_parse_context_end_parse(ctx, &error),
                      "%s: %s", path, error->message);
        g_free(p.iface);
        g_free(p.comment);
        return p.methods;
}

/* The length of the complete type at sig. */
static size_t complete_type_len(const char *sig) {
        size_t i = 0;
        int depth = 0;

        while (sig[i] == 'a')
                i++;
        do {
                if (sig[i] == '(' || sig[i] == '{')
                        depth++;
                else if (sig[i] == ')' || sig[i] == '}')
                        depth--;
                i++;
        } while (depth > 0 && sig[i]);
        return i;
}

/* A harmless value of every argument: "x" for strings, empty arrays, 0. */
static int append_defaults(sd_bus_message *m, const char *sig) {
        while (*sig) {
                size_t len = complete_type_len(sig);
                int r;
                if (sig[0] == 'a') {
                        g_autofree char *contents = g_strndup(sig + 1, len - 1);
                        r = sd_bus_message_open_container(m, 'a', contents);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                } else if (sig[0] == 's') {
                        r = sd_bus_message_append_basic(m, 's', "x");
                } else if (sig[0] == 'o') {
                        r = sd_bus_message_append_basic(m, 'o', "/");
                } else if (strchr("ybnqiuxtdh", sig[0])) {
                        uint64_t zero = 0;
                        r = sig[0] == 'h' ? -EINVAL : sd_bus_message_append_basic(m, sig[0], &zero);
                } else {
                        r = -EINVAL;
                }
                if (r < 0)
                        return r;
                sig += len;
        }
        return 0;
}

typedef struct {
        GPtrArray *methods;
        const char *impl_path;
} CallAll;

/* One line per method: "Interface.Method\tok" or "...\terror name: message". */
static void call_every_method(sd_bus *bus, GString *out, void *userdata) {
        const CallAll *ca = userdata;

        for (guint i = 0; i < ca->methods->len; i++) {
                const XmlMethod *xm = ca->methods->pdata[i];
                g_autoptr(sd_bus_message) m = NULL;
                g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                const char *path = strcmp(xm->iface, MC_BUS_IMPL_IFACE) == 0 ? ca->impl_path : MC_BUS_PATH;
                int r = sd_bus_message_new_method_call(bus, &m, MC_BUS_NAME, path, xm->iface, xm->name);

                if (r >= 0)
                        r = append_defaults(m, xm->in_sig);
                if (r >= 0)
                        r = sd_bus_call(bus, m, 10 * 1000000, &error, NULL);
                g_string_append_printf(out, "%s.%s\t", xm->iface, xm->name);
                if (r >= 0)
                        g_string_append(out, "ok\n");
                else
                        g_string_append_printf(out, "%s: %s\n", error.name ? error.name : "(no error name)",
                                               error.message ? error.message : g_strerror(-r));
        }
}

/* The system policy against the interface XML: nobody may call every
 * method not documented as root only, so that a new method cannot be
 * forgotten in the policy; the bus refuses the root-only ones. */
START_TEST(policy_lets_every_query_through) {
        g_autoptr(McHarness) h = host_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(GPtrArray) methods = xml_methods();
        const char *no_mdev[] = { "--no-mdev", NULL };
        g_autofree char *impl_path = NULL, *lines_text = NULL;
        g_auto(GStrv) lines = NULL;
        guint queries = 0, privileged = 0;

        mc_harness_start_bus(h, MC_BUS_SYSTEM);
        mc_harness_start_daemon(h, no_mdev);
        bus = mc_harness_connect(h);
        {
                g_autoptr(sd_bus_message) reply = NULL;
                const char *p = NULL;
                ck_assert_int_ge(sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "GetImplementation", NULL, &reply, "s", "vfio-user:vnic"),
                                 0);
                ck_assert_int_ge(sd_bus_message_read(reply, "o", &p), 0);
                impl_path = g_strdup(p);
        }

        {
                CallAll ca = { methods, impl_path };
                lines_text = as_user(h, 65534, false, call_every_method, &ca);
        }
        printf("every method of the interface XML, called by nobody on the system policy:\n%s", lines_text);
        lines = g_strsplit(lines_text, "\n", -1);
        ck_assert_uint_eq(g_strv_length(lines), methods->len + 1);
        for (guint i = 0; i < methods->len; i++) {
                const XmlMethod *xm = methods->pdata[i];
                const char *answer = strchr(lines[i], '\t') + 1;
                bool bus_denied = g_str_has_prefix(answer, SD_BUS_ERROR_ACCESS_DENIED ":");
                bool daemon_denied = g_str_has_prefix(answer, MC_BUS_ERROR_PREFIX "AccessDenied:");

                if (xm->privileged) {
                        privileged++;
                        ck_assert_msg(bus_denied, "%s.%s is root only, but the bus let nobody call it: %s",
                                      xm->iface, xm->name, answer);
                } else {
                        queries++;
                        ck_assert_msg(!bus_denied && !daemon_denied, "nobody may not call %s.%s: %s", xm->iface,
                                      xm->name, answer);
                        /* It reached the daemon: an answer or one of its errors. */
                        ck_assert_msg(strcmp(answer, "ok") == 0 || g_str_has_prefix(answer, MC_BUS_ERROR_PREFIX) ||
                                              g_str_has_prefix(answer, SD_BUS_ERROR_INVALID_ARGS ":"),
                                      "%s.%s: %s", xm->iface, xm->name, answer);
                }
        }
        /* Check, CheckWithOptions, CheckDevice, Describe, GetHostProfile,
         * GetImplementation, Implementation.Check; Rescan. */
        ck_assert_uint_ge(queries, 7);
        ck_assert_uint_ge(privileged, 1);
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
}
END_TEST

/* ---- bus activation ------------------------------------------------------------ */

/* Stop a process that is not our child (the bus started it). */
static void terminate_foreign(pid_t pid) {
        int fd = pidfd_open(pid, 0);
        struct pollfd p = { .events = POLLIN };

        ck_assert_msg(fd >= 0, "pidfd_open(%d): %s", (int) pid, g_strerror(errno));
        p.fd = fd;
        ck_assert_int_eq(pidfd_send_signal(fd, SIGTERM, NULL, 0), 0);
        ck_assert_msg(poll(&p, 1, 30000) == 1, "the activated daemon did not exit on SIGTERM");
        close(fd);
}

START_TEST(bus_activation) {
        g_autoptr(McHarness) h = host_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *daemon = mc_harness_build_path("src/migcompatd");
        g_autofree char *act_path = mc_harness_build_path("tests/service/org.migcompat.MigCompat1.service");
        g_autofree char *act = read_file(act_path);
        g_autofree char *exec = file_value(act, "Exec");
        g_autofree char *service_dir = mc_harness_mkdir(h, "services");
        g_autoptr(GString) ours = g_string_new(NULL);
        g_auto(GStrv) lines = g_strsplit(act, "\n", -1);
        g_autofree char *cmdline = NULL, *proc_path = NULL, *exe = NULL, *bus_log = NULL;
        gsize cmdline_len = 0;
        const char *nimpl[] = { "get-property", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "NImplementations",
                                NULL };
        g_autoptr(JsonNode) n = NULL;
        pid_t pid;

        /* The activation file as built, its Exec= given the test's directories. */
        ck_assert_str_eq(exec, daemon);
        for (char **l = lines; *l; l++) {
                if (g_str_has_prefix(*l, "Exec="))
                        g_string_append_printf(ours,
                                               "Exec=%s -v --no-mdev --data-dir=%s/data "
                                               "--descriptor-dir=%s/descriptors --cache-dir=%s/cache\n",
                                               exec, mc_harness_dir(h), mc_harness_dir(h), mc_harness_dir(h));
                else if (**l)
                        g_string_append_printf(ours, "%s\n", *l);
        }
        g_free(mc_harness_write(h, "services/org.migcompat.MigCompat1.service", ours->str));

        mc_harness_start_bus_with_services(h, MC_BUS_SYSTEM, service_dir);
        bus = mc_harness_connect(h);
        ck_assert(!name_has_owner(bus));
        {
                g_autoptr(sd_bus_message) reply = NULL;
                g_auto(GStrv) names = NULL;
                ck_assert_int_ge(sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                    "org.freedesktop.DBus", "ListActivatableNames", NULL, &reply, NULL),
                                 0);
                ck_assert_int_ge(sd_bus_message_read_strv(reply, &names), 0);
                ck_assert_msg(g_strv_contains((const char *const *) names, MC_BUS_NAME),
                              "the bus does not know the activation file");
        }

        /* Any user's query starts the daemon, and is answered once the
         * initial scans are complete: the program's one implementation. */
        n = busctl_json(h, true, nimpl);
        bus_log = mc_harness_bus_log(h);
        ck_assert_msg(json_node_get_int(n) == 1, "NImplementations %" G_GINT64_FORMAT "; bus log:\n%s",
                      json_node_get_int(n), bus_log);
        ck_assert(name_has_owner(bus));
        printf("bus log:\n%s", bus_log);
        ck_assert_msg(strstr(bus_log, "Activating service name='" MC_BUS_NAME "'"), "%s", bus_log);

        /* It is the daemon, started from the Exec= line. */
        pid = name_owner_pid(bus);
        proc_path = g_strdup_printf("/proc/%d/exe", (int) pid);
        exe = g_file_read_link(proc_path, NULL);
        ck_assert_str_eq(exe, daemon);
        g_free(proc_path);
        proc_path = g_strdup_printf("/proc/%d/cmdline", (int) pid);
        ck_assert(g_file_get_contents(proc_path, &cmdline, &cmdline_len, NULL));
        {
                bool found = false;
                for (gsize off = 0; off < cmdline_len; off += strlen(cmdline + off) + 1)
                        found = found || strcmp(cmdline + off, "--no-mdev") == 0;
                ck_assert_msg(found, "the activated daemon lacks the Exec= line's arguments");
        }

        terminate_foreign(pid);
        /* Its sanitizer reports, if any, went to the bus's stderr. */
        g_free(bus_log);
        bus_log = mc_harness_bus_log(h);
        ck_assert_msg(!strstr(bus_log, "ERROR:"), "%s", bus_log);
}
END_TEST

/* ---- the sandbox ------------------------------------------------------------------ */

static char *proc_status_field(pid_t pid, const char *field) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *status = read_file(path);
        g_autofree char *prefix = g_strdup_printf("\n%s:", field);
        const char *p = strstr(status, prefix);
        ck_assert_msg(p, "no %s in %s", field, path);
        p += strlen(prefix);
        return g_strstrip(g_strndup(p, strcspn(p, "\n")));
}

/* The daemon inside tests/service-sandbox.sh: a read-only file system but
 * the cache directory, /proc with hidepid=invisible,subset=pid, a user
 * namespace, no capabilities, no new privileges; the host's own sysfs and
 * udev netlink, not a simulation. Everything it does must still work;
 * notably root's Rescan, although root's processes are invisible to it. */
START_TEST(sandboxed_daemon) {
        g_autoptr(McHarness) h = host_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *script = mc_harness_source_path("tests/service-sandbox.sh");
        g_autofree char *cache = g_build_filename(mc_harness_dir(h), "cache", NULL);
        g_autofree char *cached = g_build_filename(cache, "vfio-user", "vnic.json", NULL);
        const char *wrapper[] = { "/bin/sh", script, cache, NULL };
        g_autofree char *ready = NULL, *log = NULL;
        pid_t pid;

        mc_harness_start_bus(h, MC_BUS_SYSTEM);
        mc_harness_spawn_daemon_wrapped(h, wrapper, NULL);
        ready = mc_harness_wait_notify(h, "READY=1", 60000);
        log = mc_harness_daemon_log(h);
        ck_assert_msg(ready, "the sandboxed daemon did not become ready:\n%s", log);
        bus = mc_harness_connect(h);

        /* The sandbox is real: the daemon has nothing. */
        pid = name_owner_pid(bus);
        ck_assert_int_eq(pid, mc_harness_daemon_pid(h));
        {
                g_autofree char *eff = proc_status_field(pid, "CapEff");
                g_autofree char *bnd = proc_status_field(pid, "CapBnd");
                g_autofree char *nnp = proc_status_field(pid, "NoNewPrivs");
                ck_assert_str_eq(eff, "0000000000000000");
                ck_assert_str_eq(bnd, "0000000000000000");
                ck_assert_str_eq(nnp, "1");
        }
        /* It probed the program (fork, exec, pidfd) and wrote the one
         * writable place. */
        ck_assert_msg(g_file_test(cached, G_FILE_TEST_IS_REGULAR), "no probe cache %s:\n%s", cached, log);
        root_rescan(bus);
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", "s",
                                       nic_source, NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autofree char *result = reply_string(v, 0);
                assert_verdict(result, "compatible");
        }
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
        g_free(log);
        log = mc_harness_daemon_log(h);
        ck_assert_msg(strstr(log, "Rescanning on request"), "%s", log);
        /* Following udev and the directories works without privileges. */
        assert_no_warnings(h);
}
END_TEST

/* ---- the system call filter ---------------------------------------------------- */

/* Add the system calls of a set (recursively) to the table. */
static void expand_syscall_set(const char *name, GHashTable *into, unsigned depth) {
        const char *argv[] = { "systemd-analyze", "syscall-filter", name, NULL };
        g_autofree char *out = NULL, *err = NULL;
        g_auto(GStrv) lines = NULL;

        ck_assert_uint_lt(depth, 8);
        if (name[0] != '@') {
                g_hash_table_add(into, g_strdup(name));
                return;
        }
        ck_assert_msg(spawn(argv, &out, &err) == 0, "systemd-analyze syscall-filter %s: %s", name, err);
        lines = g_strsplit(out, "\n", -1);
        /* The first line repeats the name; comments start with '#'. */
        for (char **l = lines + 1; *l; l++) {
                char *s = g_strstrip(*l);
                if (!*s || s[0] == '#')
                        continue;
                expand_syscall_set(s, into, depth + 1);
        }
}

/* What SystemCallFilter= lines allow: the union of the allow lists minus
 * the "~" deny lists (the unit uses no bare deny list first). */
static GHashTable *unit_allowed_syscalls(const char *unit) {
        g_autoptr(GPtrArray) filters = file_values(unit, "SystemCallFilter");
        GHashTable *allowed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) denied = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GHashTableIter it;
        gpointer key;

        ck_assert_uint_gt(filters->len, 0);
        for (guint i = 0; i < filters->len; i++) {
                const char *f = filters->pdata[i];
                bool deny = f[0] == '~';
                g_auto(GStrv) names = g_strsplit_set(deny ? f + 1 : f, " \t", -1);
                for (char **n = names; *n; n++)
                        if (**n)
                                expand_syscall_set(*n, deny ? denied : allowed, 0);
        }
        g_hash_table_iter_init(&it, denied);
        while (g_hash_table_iter_next(&it, &key, NULL))
                g_hash_table_remove(allowed, key);
        return allowed;
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) sd_bus_message_read(m, "t", userdata);
        return 0;
}

static bool changed(void *userdata) {
        return *(uint64_t *) userdata > 0;
}

/* Run the daemon (and its probes) under strace through start-up, a probe,
 * queries, Rescan, a new descriptor (inotify, another probe) and SIGTERM;
 * every system call it made must be one the
 * unit's filter allows, or the service would fail (EPERM) on a real host. */
START_TEST(syscall_filter_allows_daemon) {
        g_autoptr(McHarness) h = host_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *unit_path = mc_harness_build_path("tests/service/migcompatd.service");
        g_autofree char *unit = read_file(unit_path);
        g_autoptr(GHashTable) allowed = unit_allowed_syscalls(unit);
        g_autofree char *trace_path = g_build_filename(mc_harness_dir(h), "strace.log", NULL);
        /* LeakSanitizer cannot work under ptrace. */
        const char *wrapper[] = { "env", "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0",
                                  "strace", "-f", "-qq", "-o", trace_path, "--", NULL };
        g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GString) refused = g_string_new(NULL);
        g_autofree char *ready = NULL, *trace = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GRegex) call = g_regex_new("^[0-9]+ +([a-z0-9_]+)\\(", 0, 0, NULL);
        GHashTableIter it;
        gpointer key;
        pid_t pid;

        printf("%s allows %u system calls\n", unit_path, g_hash_table_size(allowed));
        ck_assert(g_hash_table_contains(allowed, "read") && g_hash_table_contains(allowed, "execve"));
        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_spawn_daemon_wrapped(h, wrapper, NULL);
        ready = mc_harness_wait_notify(h, "READY=1", 60000);
        ck_assert_msg(ready, "no READY=1 under strace");
        bus = mc_harness_connect(h);
        root_rescan(bus);
        {
                const char *args[] = { "call", MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", "s",
                                       nic_source, NULL };
                g_autoptr(JsonNode) v = busctl_json(h, true, args);
                g_autofree char *result = reply_string(v, 0);
                assert_verdict(result, "compatible");
        }
        /* A new descriptor: inotify, a second probe, a commit. */
        {
                g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
                g_autofree char *desc = g_strdup_printf(
                        "{\"description\": \"second NIC\", \"binary\": \"%s\", "
                        "\"args\": [\"json\", \"vendor-b.com/nic\"]}",
                        prog);
                uint64_t generation = 0;
                ck_assert_int_ge(sd_bus_match_signal(bus, NULL, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                     "ImplementationsChanged", on_changed, &generation),
                                 0);
                g_free(mc_harness_write(h, "descriptors/vnic2.json", desc));
                ck_assert_msg(mc_harness_bus_wait(bus, changed, &generation, 30000),
                              "no ImplementationsChanged after a new descriptor");
        }
        /* strace's child is the daemon; it exits with the daemon's status. */
        pid = name_owner_pid(bus);
        ck_assert_int_eq(kill(pid, SIGTERM), 0);
        ck_assert_int_eq(mc_harness_wait_daemon(h, 30000), 0);

        trace = read_file(trace_path);
        lines = g_strsplit(trace, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_autoptr(GMatchInfo) m = NULL;
                if (g_regex_match(call, *l, 0, &m))
                        g_hash_table_add(used, g_match_info_fetch(m, 1));
        }
        ck_assert_uint_gt(g_hash_table_size(used), 20);
        ck_assert(g_hash_table_contains(used, "execve"));
        g_hash_table_iter_init(&it, used);
        while (g_hash_table_iter_next(&it, &key, NULL))
                if (!g_hash_table_contains(allowed, key))
                        g_string_append_printf(refused, " %s", (char *) key);
        printf("the daemon made %u distinct system calls\n", g_hash_table_size(used));
        ck_assert_msg(refused->len == 0, "SystemCallFilter= refuses what the daemon calls:%s", refused->str);
}
END_TEST

/* ---- the bus going away -------------------------------------------------------- */

/* Without its bus the daemon serves nobody; it must exit with a failure
 * status, so that Restart=on-failure brings it back on the new bus,
 * rather than keep pinging the watchdog as a zombie service. */
START_TEST(exits_when_bus_goes_away) {
        g_autoptr(McHarness) h = host_new();
        const char *no_mdev[] = { "--no-mdev", NULL };
        int status;

        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, no_mdev);
        mc_harness_stop_bus(h);
        status = mc_harness_wait_daemon(h, 10000);
        {
                g_autofree char *log = mc_harness_daemon_log(h);
                printf("migcompatd after losing its bus: %d\n%s", status, log);
        }
        ck_assert_msg(status != -2, "migcompatd still runs 10 s after its bus went away");
        ck_assert_msg(status > 0, "migcompatd exited with %d: a success status would not restart it", status);
}
END_TEST

/* ---- main ------------------------------------------------------------------------ */

typedef struct {
        const char *name;
        const char *tools; /* space-separated, all needed */
} CaseInfo;

static const CaseInfo cases[] = {
        { "unit", "systemd-analyze" },
        { "policy", "dbus-daemon busctl dbus-send setpriv" },
        { "activation", "dbus-daemon busctl setpriv" },
        { "sandbox", "dbus-daemon busctl setpriv unshare findmnt mount" },
        { "syscalls", "dbus-daemon busctl setpriv strace systemd-analyze" },
        { "bus-loss", "dbus-daemon" },
};

static Suite *service_suite(void) {
        Suite *s = suite_create("service");
        TCase *tc[G_N_ELEMENTS(cases)];

        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                tc[i] = tcase_create(cases[i].name);
                tcase_set_timeout(tc[i], 120);
                suite_add_tcase(s, tc[i]);
        }
        tcase_add_test(tc[0], unit_verify);
        tcase_add_test(tc[0], unit_security);
        tcase_add_test(tc[0], unit_files_agree);
        tcase_add_test(tc[0], private_network_hides_udev_events);
        tcase_add_test(tc[1], system_bus_policy);
        tcase_add_test(tc[1], daemon_refuses_rescan);
        tcase_add_test(tc[1], rescan_decided_on_bus_credentials);
        tcase_add_test(tc[1], policy_lets_every_query_through);
        tcase_add_test(tc[2], bus_activation);
        tcase_add_test(tc[3], sandboxed_daemon);
        tcase_add_test(tc[4], syscall_filter_allows_daemon);
        tcase_add_test(tc[5], exits_when_bus_goes_away);
        return s;
}

/* Exit 77 when a case to run lacks a tool. */
static bool tools_present(void) {
        const char *only = getenv("CK_RUN_CASE");
        bool ok = true;

        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_auto(GStrv) tools = NULL;
                if (only && strcmp(only, cases[i].name) != 0)
                        continue;
                tools = g_strsplit(cases[i].tools, " ", -1);
                for (char **t = tools; *t; t++) {
                        g_autofree char *path = g_find_program_in_path(*t);
                        if (!path) {
                                printf("SKIP %s: %s is not installed (see tools/install-deps.sh)\n", cases[i].name,
                                       *t);
                                ok = false;
                        }
                }
        }
        return ok;
}

int main(void) {
        if (!tools_present())
                return 77;
        return mc_test_run(service_suite());
}
