/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "harness.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct McHarness {
        char *dir;
        GPid bus_pid;
        char *bus_address;
        pid_t daemon_pid;
        int notify_fd;
        char *notify_path;
        /* A thread empties the notify socket at once: its queue holds ten
         * datagrams, and a daemon whose STATUS=/WATCHDOG=1 find it full
         * would block in sd_notify(). */
        GThread *notify_thread;
        GAsyncQueue *notify_queue;
        gint notify_stop;
        char *daemon_log;
        /* dbus-broker (mc_harness_start_broker()): the other bus its
         * launcher is given, and the journal socket when we bound it. */
        GPid other_bus_pid;
        int journal_fd;
        GThread *journal_thread;
        gint journal_stop;
};

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

char *mc_harness_build_path(const char *rel) {
        const char *b = getenv("MC_BUILD_DIR");
        ck_assert_msg(b, "MC_BUILD_DIR is not set (run the tests through ctest)");
        return g_build_filename(b, rel, NULL);
}

char *mc_harness_source_path(const char *rel) {
        const char *s = getenv("MC_SOURCE_DIR");
        ck_assert_msg(s, "MC_SOURCE_DIR is not set (run the tests through ctest)");
        return g_build_filename(s, rel, NULL);
}

McHarness *mc_harness_new(void) {
        McHarness *h = g_new0(McHarness, 1);
        g_autoptr(GError) error = NULL;

        h->dir = g_dir_make_tmp("migcompat-test-XXXXXX", &error);
        ck_assert_msg(h->dir, "mkdtemp: %s", error ? error->message : "");
        /* The directory is shared with the unprivileged user in policy tests. */
        chmod(h->dir, 0755);
        h->notify_fd = -1;
        h->journal_fd = -1;
        return h;
}

static void rm_rf(const char *path) {
        g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
        const char *name;

        if (d) {
                while ((name = g_dir_read_name(d))) {
                        g_autofree char *child = g_build_filename(path, name, NULL);
                        if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                                rm_rf(child);
                        else
                                unlink(child);
                }
        }
        rmdir(path);
}

void mc_harness_free(McHarness *h) {
        if (!h)
                return;
        if (h->daemon_pid > 0) {
                kill(h->daemon_pid, SIGKILL);
                waitpid(h->daemon_pid, NULL, 0);
        }
        if (h->bus_pid > 0) {
                kill(h->bus_pid, SIGTERM);
                waitpid(h->bus_pid, NULL, 0);
        }
        if (h->other_bus_pid > 0) {
                kill(h->other_bus_pid, SIGTERM);
                waitpid(h->other_bus_pid, NULL, 0);
        }
        if (h->journal_thread) {
                g_atomic_int_set(&h->journal_stop, 1);
                g_thread_join(h->journal_thread);
                /* Ours: bound by this harness, so it is ours to remove. */
                unlink(JOURNAL_SOCKET);
                close(h->journal_fd);
        }
        if (h->notify_thread) {
                g_atomic_int_set(&h->notify_stop, 1);
                g_thread_join(h->notify_thread);
        }
        if (h->notify_queue)
                g_async_queue_unref(h->notify_queue);
        if (h->notify_fd >= 0)
                close(h->notify_fd);
        rm_rf(h->dir);
        g_free(h->dir);
        g_free(h->bus_address);
        g_free(h->notify_path);
        g_free(h->daemon_log);
        g_free(h);
}

const char *mc_harness_dir(McHarness *h) {
        return h->dir;
}

char *mc_harness_mkdir(McHarness *h, const char *name) {
        char *p = g_build_filename(h->dir, name, NULL);
        ck_assert_int_eq(g_mkdir_with_parents(p, 0755), 0);
        return p;
}

char *mc_harness_write(McHarness *h, const char *relpath, const char *content) {
        char *p = g_build_filename(h->dir, relpath, NULL);
        g_autofree char *dir = g_path_get_dirname(p);
        g_autoptr(GError) error = NULL;

        ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
        ck_assert_msg(g_file_set_contents(p, content, -1, &error), "%s", error ? error->message : "");
        chmod(p, 0644);
        return p;
}

/* ---- the bus ------------------------------------------------------------------ */

static const char bus_config_head[] =
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig>\n"
        "  <type>system</type>\n"
        "  <listen>unix:path=%s/system_bus_socket</listen>\n"
        "  <auth>EXTERNAL</auth>\n";

/* The default policy of Debian's system.conf: method calls must be allowed
 * by the service's own policy file. */
static const char bus_config_system[] =
        "  <policy context=\"default\">\n"
        "    <allow user=\"*\"/>\n"
        "    <deny own=\"*\"/>\n"
        "    <deny send_type=\"method_call\"/>\n"
        "    <allow send_type=\"signal\"/>\n"
        "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
        "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
        "    <allow receive_type=\"method_call\"/>\n"
        "    <allow receive_type=\"method_return\"/>\n"
        "    <allow receive_type=\"error\"/>\n"
        "    <allow receive_type=\"signal\"/>\n"
        "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
        "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
        "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
        "  </policy>\n"
        "  <include>%s</include>\n";

static const char bus_config_permissive[] =
        "  <policy context=\"default\">\n"
        "    <allow user=\"*\"/>\n"
        "    <allow own=\"*\"/>\n"
        "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
        "    <allow receive_sender=\"*\"/>\n"
        "  </policy>\n";

void mc_harness_start_bus(McHarness *h, McBusPolicy policy) {
        g_autoptr(GString) conf = g_string_new(NULL);
        g_autofree char *policy_file = mc_harness_source_path("dbus/org.migcompat.MigCompat1.conf");
        g_autofree char *conf_path = NULL;
        g_autoptr(GError) error = NULL;
        const char *argv[] = { "dbus-daemon", NULL, "--nofork", "--print-address=1", NULL };
        int out_fd = -1;
        char buf[512] = "";
        ssize_t n;
        uint64_t deadline;
        gsize len = 0;

        g_string_append_printf(conf, bus_config_head, h->dir);
        if (policy == MC_BUS_SYSTEM)
                g_string_append_printf(conf, bus_config_system, policy_file);
        else
                g_string_append(conf, bus_config_permissive);
        g_string_append(conf, "</busconfig>\n");
        conf_path = mc_harness_write(h, "bus.conf", conf->str);

        g_autofree char *arg = g_strdup_printf("--config-file=%s", conf_path);
        argv[1] = arg;
        ck_assert_msg(g_spawn_async_with_pipes(NULL, (char **) argv, NULL,
                                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                               NULL, NULL,
                                               &h->bus_pid, NULL, &out_fd, NULL, &error),
                      "dbus-daemon: %s", error ? error->message : "");
        /* The address line tells the bus is listening. */
        deadline = now_ms() + 10000;
        while (!strchr(buf, '\n') && now_ms() < deadline) {
                struct pollfd p = { .fd = out_fd, .events = POLLIN };
                if (poll(&p, 1, 100) <= 0)
                        continue;
                n = read(out_fd, buf + len, sizeof buf - 1 - len);
                if (n <= 0)
                        break;
                len += (gsize) n;
                buf[len] = '\0';
        }
        close(out_fd);
        ck_assert_msg(strchr(buf, '\n'), "dbus-daemon did not start");
        *strchr(buf, '\n') = '\0';
        h->bus_address = g_strdup(buf);
        /* Let an unprivileged user reach the socket. */
        g_autofree char *sock = g_build_filename(h->dir, "system_bus_socket", NULL);
        chmod(sock, 0666);
}

/* ---- dbus-broker ------------------------------------------------------------ */

static char *read_address_line(int fd, int timeout_ms);

static gpointer journal_drain(gpointer data) {
        McHarness *h = data;
        char buf[8192];

        while (!g_atomic_int_get(&h->journal_stop)) {
                struct pollfd p = { .fd = h->journal_fd, .events = POLLIN };
                if (poll(&p, 1, 100) > 0)
                        (void) recv(h->journal_fd, buf, sizeof buf, MSG_DONTWAIT);
        }
        return NULL;
}

/* dbus-broker-launch logs to the journal and blocks when nobody reads:
 * use the socket that is there when something owns it, else bind one
 * that drains (a socket file nobody owns is a leftover: replaced). */
static void ensure_journal(McHarness *h) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd;

        g_strlcpy(sa.sun_path, JOURNAL_SOCKET, sizeof sa.sun_path);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0) {
                close(fd);
                return;
        }
        if (errno == ECONNREFUSED)
                unlink(JOURNAL_SOCKET);
        ck_assert_int_eq(g_mkdir_with_parents("/run/systemd/journal", 0755), 0);
        ck_assert_msg(bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0, "bind %s: %s", JOURNAL_SOCKET,
                      g_strerror(errno));
        chmod(JOURNAL_SOCKET, 0666);
        h->journal_fd = fd;
        h->journal_thread = g_thread_new("journal-drain", journal_drain, h);
}

void mc_harness_start_broker(McHarness *h, McBusPolicy policy) {
        g_autoptr(GString) conf = g_string_new(NULL);
        g_autofree char *policy_file = mc_harness_source_path("dbus/org.migcompat.MigCompat1.conf");
        g_autofree char *conf_path = NULL, *other_sock = NULL, *other_arg = NULL, *other_addr = NULL;
        g_autofree char *sock = NULL, *env_arg = NULL, *log = NULL;
        g_autoptr(GError) error = NULL;
        const char *other_argv[] = { "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL, NULL };
        int out_fd = -1, log_fd;
        uint64_t deadline;

        ck_assert_msg(!h->bus_address, "the bus is already running");
        ensure_journal(h);

        /* The launcher wants a bus of its own to talk to (systemd's, for
         * activation): any other bus will do. */
        other_sock = g_build_filename(h->dir, "other_bus_socket", NULL);
        other_arg = g_strdup_printf("--address=unix:path=%s", other_sock);
        other_argv[4] = other_arg;
        ck_assert_msg(g_spawn_async_with_pipes(NULL, (char **) other_argv, NULL,
                                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                                       G_SPAWN_STDERR_TO_DEV_NULL,
                                               NULL, NULL, &h->other_bus_pid, NULL, &out_fd, NULL, &error),
                      "dbus-daemon: %s", error ? error->message : "");
        other_addr = read_address_line(out_fd, 10000);
        close(out_fd);
        ck_assert_msg(other_addr, "the launcher's other bus did not start");

        /* The same configuration as dbus-daemon's, but for <listen>: the
         * socket is handed over. */
        g_string_append(conf, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                              " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                              "<busconfig>\n  <type>system</type>\n  <auth>EXTERNAL</auth>\n");
        if (policy == MC_BUS_SYSTEM)
                g_string_append_printf(conf, bus_config_system, policy_file);
        else
                g_string_append(conf, bus_config_permissive);
        g_string_append(conf, "</busconfig>\n");
        conf_path = mc_harness_write(h, "broker.conf", conf->str);

        sock = g_build_filename(h->dir, "system_bus_socket", NULL);
        env_arg = g_strdup_printf("DBUS_SESSION_BUS_ADDRESS=%s", other_addr);
        {
                const char *argv[] = { "systemd-socket-activate", "-E", env_arg, "-l", sock,
                                       "dbus-broker-launch", "--scope", "user", "--config-file", conf_path, NULL };
                log = g_build_filename(h->dir, "bus.log", NULL);
                log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                ck_assert_int_ge(log_fd, 0);
                ck_assert_msg(g_spawn_async_with_pipes_and_fds(NULL, argv, NULL,
                                                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                                               NULL, -1, log_fd, log_fd, NULL, NULL, 0, &h->bus_pid,
                                                               NULL, NULL, NULL, &error),
                              "systemd-socket-activate: %s", error ? error->message : "");
                close(log_fd);
        }
        /* It listens before the launcher runs (the first client starts
         * it); the socket file appears just before it listens. */
        h->bus_address = g_strdup_printf("unix:path=%s", sock);
        deadline = now_ms() + 10000;
        for (;;) {
                g_autoptr(sd_bus) bus = NULL;
                g_auto(sd_bus_error) e = SD_BUS_ERROR_NULL;
                g_autoptr(sd_bus_message) reply = NULL;
                int r = sd_bus_new(&bus);

                ck_assert_int_ge(r, 0);
                ck_assert_int_ge(sd_bus_set_address(bus, h->bus_address), 0);
                ck_assert_int_ge(sd_bus_set_bus_client(bus, 1), 0);
                r = sd_bus_start(bus);
                /* Answered by the broker itself: it is up. */
                if (r >= 0)
                        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                               "org.freedesktop.DBus", "GetId", &e, &reply, "");
                if (r >= 0)
                        break;
                ck_assert_msg(now_ms() < deadline, "dbus-broker does not answer: %s",
                              e.message ? e.message : g_strerror(-r));
                g_usleep(10000);
        }
        chmod(sock, 0666);
}

const char *mc_harness_bus_address(McHarness *h) {
        return h->bus_address;
}

sd_bus *mc_harness_connect(McHarness *h) {
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        ck_assert_int_ge(r, 0);
        ck_assert_int_ge(sd_bus_set_address(bus, h->bus_address), 0);
        ck_assert_int_ge(sd_bus_set_bus_client(bus, 1), 0);
        r = sd_bus_start(bus);
        ck_assert_msg(r >= 0, "cannot connect to %s: %s", h->bus_address, g_strerror(-r));
        return bus;
}

/* ---- the daemon --------------------------------------------------------------- */

static gpointer notify_drain(gpointer data) {
        McHarness *h = data;

        while (!g_atomic_int_get(&h->notify_stop)) {
                struct pollfd p = { .fd = h->notify_fd, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                if (poll(&p, 1, 50) <= 0)
                        continue;
                n = recv(h->notify_fd, buf, sizeof buf - 1, MSG_DONTWAIT);
                if (n <= 0)
                        continue;
                buf[n] = '\0';
                /* Keep the newest few hundred; old pings are of no interest. */
                while (g_async_queue_length(h->notify_queue) > 512)
                        g_free(g_async_queue_try_pop(h->notify_queue));
                g_async_queue_push(h->notify_queue, g_strdup(buf));
        }
        return NULL;
}

static void open_notify_socket(McHarness *h) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (h->notify_fd >= 0)
                return;
        h->notify_path = g_build_filename(h->dir, "notify", NULL);
        ck_assert_uint_lt(strlen(h->notify_path), sizeof sa.sun_path);
        strcpy(sa.sun_path, h->notify_path);
        h->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(h->notify_fd, 0);
        ck_assert_int_eq(bind(h->notify_fd, (struct sockaddr *) &sa, sizeof sa), 0);
        h->notify_queue = g_async_queue_new_full(g_free);
        h->notify_thread = g_thread_new("notify", notify_drain, h);
}

static bool args_have(const char *const *args, const char *prefix) {
        for (; args && *args; args++)
                if (g_str_has_prefix(*args, prefix))
                        return true;
        return false;
}

void mc_harness_spawn_daemon(McHarness *h, const char *const *args) {
        mc_harness_spawn_daemon_wrapped(h, NULL, args);
}

char *mc_harness_wait_notify(McHarness *h, const char *needle, int timeout_ms) {
        uint64_t deadline = now_ms() + (uint64_t) timeout_ms;

        while (now_ms() < deadline) {
                char *msg = g_async_queue_timeout_pop(h->notify_queue, 50 * 1000);

                if (!msg) {
                        /* A daemon that died will never notify. */
                        if (h->daemon_pid > 0 && waitpid(h->daemon_pid, NULL, WNOHANG) == h->daemon_pid) {
                                h->daemon_pid = 0;
                                return NULL;
                        }
                        continue;
                }
                if (strstr(msg, needle))
                        return msg;
                g_free(msg);
        }
        return NULL;
}

void mc_harness_start_daemon(McHarness *h, const char *const *args) {
        g_autofree char *ready = NULL;

        mc_harness_spawn_daemon(h, args);
        ready = mc_harness_wait_notify(h, "READY=1", 60000);
        if (!ready) {
                g_autofree char *log = mc_harness_daemon_log(h);
                ck_abort_msg("migcompatd did not become ready; its log:\n%s", log);
        }
}

pid_t mc_harness_daemon_pid(McHarness *h) {
        return h->daemon_pid;
}

int mc_harness_stop_daemon(McHarness *h) {
        int status = 0;

        if (h->daemon_pid <= 0)
                return -1;
        kill(h->daemon_pid, SIGTERM);
        ck_assert_int_eq(waitpid(h->daemon_pid, &status, 0), h->daemon_pid);
        h->daemon_pid = 0;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return -1;
}

char *mc_harness_daemon_log(McHarness *h) {
        char *data = NULL;
        if (!h->daemon_log || !g_file_get_contents(h->daemon_log, &data, NULL, NULL))
                return g_strdup("");
        return data;
}

/* ---- commands ------------------------------------------------------------------ */

int mc_harness_run(McHarness *h, bool unprivileged, const char *const *argv, char **out, char **err) {
        g_autoptr(GPtrArray) full = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;
        int status = 0;

        if (unprivileged) {
                /* setpriv keeps the environment (umockdev's preload included)
                 * and drops every privilege, like a login user. */
                g_ptr_array_add(full, g_strdup("setpriv"));
                g_ptr_array_add(full, g_strdup("--reuid=65534"));
                g_ptr_array_add(full, g_strdup("--regid=65534"));
                g_ptr_array_add(full, g_strdup("--clear-groups"));
                g_ptr_array_add(full, g_strdup("--inh-caps=-all"));
                g_ptr_array_add(full, g_strdup("--bounding-set=-all"));
                g_ptr_array_add(full, g_strdup("--"));
        }
        for (; *argv; argv++)
                g_ptr_array_add(full, g_strdup(*argv));
        g_ptr_array_add(full, NULL);
        if (h->bus_address)
                env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, true);
        /* Sanitizer logs would land in the command's stderr: keep them there. */
        ck_assert_msg(g_spawn_sync(h->dir, (char **) full->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL, out,
                                   err, &status, &error),
                      "%s: %s", (char *) full->pdata[0], error ? error->message : "");
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return -1;
}

bool mc_harness_bus_wait(sd_bus *bus, bool (*pred)(void *userdata), void *userdata, int timeout_ms) {
        uint64_t deadline = now_ms() + (uint64_t) timeout_ms;

        while (!pred(userdata)) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return false;
                if (r > 0)
                        continue;
                if (now_ms() >= deadline)
                        return false;
                sd_bus_wait(bus, 50 * 1000);
        }
        return true;
}

/* ---- service tests: bus activation, wrapped daemons ------------------------------ */

static char *read_address_line(int fd, int timeout_ms) {
        char buf[512] = "";
        uint64_t deadline = now_ms() + (uint64_t) timeout_ms;
        gsize len = 0;

        while (!strchr(buf, '\n') && now_ms() < deadline) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t n;

                if (poll(&p, 1, 100) <= 0)
                        continue;
                n = read(fd, buf + len, sizeof buf - 1 - len);
                if (n <= 0)
                        break;
                len += (gsize) n;
                buf[len] = '\0';
        }
        if (!strchr(buf, '\n'))
                return NULL;
        *strchr(buf, '\n') = '\0';
        return g_strdup(buf);
}

void mc_harness_start_bus_with_services(McHarness *h, McBusPolicy policy, const char *service_dir) {
        g_autoptr(GString) conf = g_string_new(NULL);
        g_autofree char *policy_file = mc_harness_source_path("dbus/org.migcompat.MigCompat1.conf");
        g_autofree char *conf_path = NULL, *arg = NULL, *log = NULL, *sock = NULL, *address = NULL;
        g_autofree char *escaped = g_markup_escape_text(service_dir, -1);
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;
        const char *argv[] = { "dbus-daemon", NULL, "--nofork", "--print-address=1", NULL };
        int out_fd = -1, log_fd;

        ck_assert_msg(!h->bus_address, "the bus is already running");
        g_string_append_printf(conf, bus_config_head, h->dir);
        if (policy == MC_BUS_SYSTEM)
                g_string_append_printf(conf, bus_config_system, policy_file);
        else
                g_string_append(conf, bus_config_permissive);
        /* No <servicehelper>: the bus forks the Exec= line itself. */
        g_string_append_printf(conf, "  <servicedir>%s</servicedir>\n", escaped);
        g_string_append(conf, "</busconfig>\n");
        conf_path = mc_harness_write(h, "bus.conf", conf->str);
        arg = g_strdup_printf("--config-file=%s", conf_path);
        argv[1] = arg;

        /* What a service it starts connects to (the address is known
         * before the bus runs: it is the socket path). */
        sock = g_build_filename(h->dir, "system_bus_socket", NULL);
        address = g_strdup_printf("unix:path=%s", sock);
        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", address, true);
        env = g_environ_unsetenv(env, "NOTIFY_SOCKET");
        log = g_build_filename(h->dir, "bus.log", NULL);
        log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        ck_assert_int_ge(log_fd, 0);
        ck_assert_msg(g_spawn_async_with_pipes_and_fds(NULL, argv, (const char *const *) env,
                                                       G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                                       NULL, -1, -1, log_fd, NULL, NULL, 0, &h->bus_pid, NULL,
                                                       &out_fd, NULL, &error),
                      "dbus-daemon: %s", error ? error->message : "");
        close(log_fd);
        h->bus_address = read_address_line(out_fd, 10000);
        close(out_fd);
        ck_assert_msg(h->bus_address, "dbus-daemon did not start");
        chmod(sock, 0666);
}

char *mc_harness_bus_log(McHarness *h) {
        g_autofree char *log = g_build_filename(h->dir, "bus.log", NULL);
        char *data = NULL;
        if (!g_file_get_contents(log, &data, NULL, NULL))
                return g_strdup("");
        return data;
}

void mc_harness_spawn_daemon_wrapped(McHarness *h, const char *const *wrapper, const char *const *args) {
        g_autofree char *bin = mc_harness_build_path("src/migcompatd");
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *log = g_build_filename(h->dir, "daemon.log", NULL);
        pid_t pid;

        ck_assert_msg(h->bus_address, "start the bus first");
        ck_assert_msg(h->daemon_pid <= 0, "a daemon is already running");
        open_notify_socket(h);
        for (; wrapper && *wrapper; wrapper++)
                g_ptr_array_add(argv, g_strdup(*wrapper));
        g_ptr_array_add(argv, g_strdup(bin));
        g_ptr_array_add(argv, g_strdup("-v"));
        if (!args_have(args, "--data-dir"))
                g_ptr_array_add(argv, g_strdup_printf("--data-dir=%s/data", h->dir));
        if (!args_have(args, "--pci-data-dir"))
                g_ptr_array_add(argv, g_strdup_printf("--pci-data-dir=%s/pci-data", h->dir));
        if (!args_have(args, "--descriptor-dir"))
                g_ptr_array_add(argv, g_strdup_printf("--descriptor-dir=%s/descriptors", h->dir));
        if (!args_have(args, "--cache-dir") && !args_have(args, "--no-cache"))
                g_ptr_array_add(argv, g_strdup_printf("--cache-dir=%s/cache", h->dir));
        for (; args && *args; args++)
                g_ptr_array_add(argv, g_strdup(*args));
        g_ptr_array_add(argv, NULL);

        g_free(h->daemon_log);
        h->daemon_log = g_strdup(log);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                if (fd >= 0) {
                        dup2(fd, STDOUT_FILENO);
                        dup2(fd, STDERR_FILENO);
                }
                setenv("DBUS_SYSTEM_BUS_ADDRESS", h->bus_address, 1);
                setenv("NOTIFY_SOCKET", h->notify_path, 1);
                setenv("WATCHDOG_USEC", "2000000", 1);
                g_autofree char *mypid = g_strdup_printf("%d", (int) getpid());
                setenv("WATCHDOG_PID", mypid, 1);
                execvp(argv->pdata[0], (char **) argv->pdata);
                _exit(127);
        }
        h->daemon_pid = pid;
}

int mc_harness_wait_daemon(McHarness *h, int timeout_ms) {
        uint64_t deadline = now_ms() + (uint64_t) timeout_ms;
        int status = 0, pidfd;
        pid_t r;

        ck_assert_msg(h->daemon_pid > 0, "no daemon is running");
        /* A pidfd becomes readable when the process exits. */
        pidfd = pidfd_open(h->daemon_pid, 0);
        ck_assert_msg(pidfd >= 0, "pidfd_open: %s", g_strerror(errno));
        for (;;) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                uint64_t now = now_ms();

                if (now >= deadline) {
                        close(pidfd);
                        return -2;
                }
                if (poll(&p, 1, (int) (deadline - now)) > 0)
                        break;
        }
        close(pidfd);
        r = waitpid(h->daemon_pid, &status, 0);
        ck_assert_int_eq(r, h->daemon_pid);
        h->daemon_pid = 0;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return -1;
}

void mc_harness_stop_bus(McHarness *h) {
        ck_assert_msg(h->bus_pid > 0, "the bus is not running");
        kill(h->bus_pid, SIGTERM);
        ck_assert_int_eq(waitpid(h->bus_pid, NULL, 0), h->bus_pid);
        h->bus_pid = 0;
}
