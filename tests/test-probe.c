/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe runner against a stand-in program (tests/progs/mc-probe-prog.c)
 * whose first argument picks a behaviour. */
#define _GNU_SOURCE
#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mc-error.h"
#include "mc-parse.h"
#include "probe.h"

#define FLAG "--print-migration-info-json"
#define SEC G_USEC_PER_SEC
#define MSEC 1000



typedef struct {
        bool done;
        McProbeStatus status;
        int code;
        GBytes *output;
        char *reason;
        gint64 at;
        /* completion order across several results */
        GPtrArray *order;
        const char *tag;
} Res;

static void res_clear(Res *r) {
        g_clear_pointer(&r->output, g_bytes_unref);
        g_clear_pointer(&r->reason, g_free);
}

static void on_result(const McProbeResult *pr, void *userdata) {
        Res *r = userdata;

        ck_assert_msg(!r->done, "callback called twice");
        r->done = true;
        r->status = pr->status;
        r->code = pr->code;
        r->output = pr->output ? g_bytes_ref(pr->output) : NULL;
        r->reason = g_strdup(pr->reason);
        r->at = g_get_monotonic_time();
        if (r->order)
                g_ptr_array_add(r->order, (gpointer) r->tag);
        if (pr->status == MC_PROBE_OK)
                ck_assert_ptr_nonnull(pr->output);
        else
                ck_assert_ptr_nonnull(pr->reason);
}

static void on_never(const McProbeResult *pr, void *userdata) {
        ck_abort_msg("callback of a cancelled job was called");
}

static const char *output_str(Res *r) {
        /* Outputs of the stand-in are text; make them a C string. */
        static char buf[65536];
        gsize len = 0;
        const char *d = g_bytes_get_data(r->output, &len);
        ck_assert_uint_lt(len, sizeof buf);
        memcpy(buf, d, len);
        buf[len] = '\0';
        return buf;
}

/* No child of this process is left, zombie or alive. */
static void assert_no_children(void) {
        siginfo_t si = { 0 };
        int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
        ck_assert_msg(r < 0 && errno == ECHILD, "a child is left (pid %d)", (int) si.si_pid);
}

/* Let the loop run for a while, for "nothing else happens" checks. */
static void run_loop_for(sd_event *e, gint64 usec) {
        gint64 end = g_get_monotonic_time() + usec;
        while (g_get_monotonic_time() < end)
                ck_assert_int_ge(sd_event_run(e, 20 * MSEC), 0);
}

static void run_one(const char *const *argv, uint64_t timeout, size_t cap, Res *r) {
        sd_event *e = NULL;
        McProbePool *pool;

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 2, timeout, cap);
        mc_probe_pool_submit(pool, argv, on_result, r, NULL);
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 0); /* started from the loop */
        RUN_UNTIL(e, r->done);
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 1);
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);
        ck_assert_uint_eq(mc_probe_pool_n_pending(pool), 0);
        mc_probe_pool_free(pool);
        sd_event_unref(e);
        assert_no_children();
}

START_TEST(test_ok) {
        const char *argv[] = { MC_PROBE_PROG, "json", FLAG, NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(McInfo) info = NULL;
        Res r = { 0 };
        gsize len;
        const char *data;

        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OK);
        ck_assert_ptr_null(r.reason);
        data = g_bytes_get_data(r.output, &len);
        info = mc_info_parse(data, len, "probe", &error);
        ck_assert_msg(info, "%s", error ? error->message : "");
        ck_assert_ptr_nonnull(mc_info_find_model(info, "vendor-a.com/my-nic"));
        res_clear(&r);
}
END_TEST

START_TEST(test_exit_code) {
        const char *argv[] = { MC_PROBE_PROG, "fail", FLAG, NULL };
        Res r = { 0 };

        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_EXITED);
        ck_assert_int_eq(r.code, 3);
        ck_assert_ptr_null(r.output);
        /* First stderr line, control characters made harmless, no more. */
        ck_assert_str_eq(r.reason, MC_PROBE_PROG " exited with status 3: out of   cheese");
        ck_assert_ptr_null(strstr(r.reason, "second line"));
        res_clear(&r);
}
END_TEST

START_TEST(test_signaled) {
        const char *argv[] = { MC_PROBE_PROG, "signal", FLAG, NULL };
        Res r = { 0 };

        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_SIGNALED);
        ck_assert_int_eq(r.code, SIGUSR1);
        ck_assert_str_eq(r.reason, MC_PROBE_PROG " was killed by signal SIGUSR1: about to die");
        res_clear(&r);
}
END_TEST

START_TEST(test_timeout) {
        const char *argv[] = { MC_PROBE_PROG, "hang-stderr", FLAG, NULL };
        Res r = { 0 };
        gint64 start = g_get_monotonic_time();

        run_one(argv, 300 * MSEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_TIMEOUT);
        ck_assert_str_eq(r.reason, MC_PROBE_PROG " timed out after 300 ms: "
                                              "waiting for a device that never answers");
        ck_assert_int_ge(r.at - start, 300 * MSEC);
        ck_assert_int_lt(r.at - start, 10 * SEC);
        res_clear(&r);
}
END_TEST

START_TEST(test_timeout_seconds) {
        const char *argv[] = { MC_PROBE_PROG, "hang", FLAG, NULL };
        Res r = { 0 };

        run_one(argv, 1 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_TIMEOUT);
        ck_assert_str_eq(r.reason, MC_PROBE_PROG " timed out after 1 s");
        res_clear(&r);
}
END_TEST

START_TEST(test_overrun) {
        const char *argv[] = { MC_PROBE_PROG, "big", FLAG, NULL };
        Res r = { 0 };

        /* 100 MiB against a 1 MiB cap: killed, not read to the end. */
        run_one(argv, 20 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OVERRUN);
        ck_assert_str_eq(r.reason, MC_PROBE_PROG " printed more than 1048576 bytes");
        ck_assert_ptr_null(r.output);
        res_clear(&r);
}
END_TEST

START_TEST(test_cap_boundary) {
        const char *at_cap[] = { MC_PROBE_PROG, "exact", "4096", FLAG, NULL };
        const char *over[] = { MC_PROBE_PROG, "exact", "4097", FLAG, NULL };
        Res r = { 0 };

        run_one(at_cap, 10 * SEC, 4096, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OK);
        ck_assert_uint_eq(g_bytes_get_size(r.output), 4096);
        res_clear(&r);

        memset(&r, 0, sizeof r);
        run_one(over, 10 * SEC, 4096, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OVERRUN);
        res_clear(&r);
}
END_TEST

START_TEST(test_garbage_is_ok_status) {
        const char *argv[] = { MC_PROBE_PROG, "garbage", FLAG, NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(McInfo) info = NULL;
        Res r = { 0 };
        gsize len;
        const char *data;

        /* The runner does not judge the output; the parser does. */
        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OK);
        data = g_bytes_get_data(r.output, &len);
        info = mc_info_parse(data, len, "probe", &error);
        ck_assert_ptr_null(info);
        ck_assert_ptr_nonnull(error);
        res_clear(&r);
}
END_TEST

START_TEST(test_spawn_enoent) {
        const char *argv[] = { "/nonexistent/mc-probe-x", FLAG, NULL };
        Res r = { 0 };

        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_SPAWN_ERROR);
        ck_assert_int_eq(r.code, ENOENT);
        ck_assert_str_eq(r.reason, "/nonexistent/mc-probe-x: No such file or directory");
        res_clear(&r);
}
END_TEST

START_TEST(test_spawn_eacces) {
        g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "not-executable", NULL);
        g_autofree char *expect = NULL;
        const char *argv[] = { path, FLAG, NULL };
        Res r = { 0 };

        ck_assert(g_file_set_contents(path, "#!/bin/sh\necho hi\n", -1, NULL));
        ck_assert_int_eq(chmod(path, 0644), 0);
        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_SPAWN_ERROR);
        ck_assert_int_eq(r.code, EACCES);
        expect = g_strdup_printf("%s: Permission denied", path);
        ck_assert_str_eq(r.reason, expect);
        res_clear(&r);
        g_unlink(path);
        g_rmdir(dir);
}
END_TEST

START_TEST(test_clean_child) {
        const char *argv[] = { MC_PROBE_PROG, "env", FLAG, NULL };
        g_auto(GStrv) lines = NULL;
        sigset_t block;
        int leaked_fd, pid = -1, pgid = -2;
        unsigned n_env = 0, n_fd = 0;
        Res r = { 0 };

        /* What the daemon might have that a program must not inherit: an
         * fd without O_CLOEXEC, a blocked signal, an ignored SIGPIPE, and
         * this test's environment (ASAN_OPTIONS, MC_SOURCE_DIR, ...). */
        leaked_fd = open("/dev/zero", O_RDONLY);
        ck_assert_int_ge(leaked_fd, 3);
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
        signal(SIGPIPE, SIG_IGN);
        g_setenv("MC_SECRET", "must-not-leak", TRUE);

        run_one(argv, 10 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OK);
        lines = g_strsplit(output_str(&r), "\n", -1);
        for (char **l = lines; *l; l++) {
                if (g_str_has_prefix(*l, "pid=")) {
                        ck_assert_int_eq(sscanf(*l, "pid=%d pgid=%d", &pid, &pgid), 2);
                } else if (g_str_has_prefix(*l, "env:")) {
                        n_env++;
                        ck_assert_msg(strcmp(*l, "env:PATH=/usr/local/sbin:/usr/local/bin:"
                                                 "/usr/sbin:/usr/bin:/sbin:/bin") == 0 ||
                                              strcmp(*l, "env:LANG=C.UTF-8") == 0,
                                      "unexpected environment entry %s", *l);
                } else if (g_str_has_prefix(*l, "fd:")) {
                        n_fd++;
                        ck_assert_msg(g_str_has_prefix(*l, "fd:0=/dev/null") ||
                                              g_str_has_prefix(*l, "fd:1=pipe:") ||
                                              g_str_has_prefix(*l, "fd:2=pipe:"),
                                      "unexpected fd %s", *l);
                }
        }
        ck_assert_uint_eq(n_env, 2);
        ck_assert_uint_eq(n_fd, 3);
        ck_assert_contains(output_str(&r), "stdin=eof\n");
        ck_assert_contains(output_str(&r), "sigterm-blocked=0\n");
        ck_assert_contains(output_str(&r), "sigpipe-ignored=0\n");
        /* Its own process group. */
        ck_assert_int_gt(pid, 0);
        ck_assert_int_eq(pid, pgid);
        ck_assert_int_ne(pgid, getpgid(0));
        res_clear(&r);
        close(leaked_fd);
}
END_TEST

/* Wait for a process that is not our child to die; zombies count as dead
 * (whoever inherited it reaps it, not us). */
static bool process_dead(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
        g_autofree char *stat = NULL;
        const char *p;

        if (!g_file_get_contents(path, &stat, NULL, NULL))
                return true;
        p = strrchr(stat, ')');
        return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

START_TEST(test_grandchild_killed) {
        g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
        g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
        g_autofree char *content = NULL;
        const char *argv[] = { MC_PROBE_PROG, "fork", pidfile, FLAG, NULL };
        struct pollfd pfd;
        pid_t gc;
        int fd;
        Res r = { 0 };

        /* The grandchild holds stdout open and sleeps an hour: the probe
         * must end when the main child exits, not at the 20 s timeout. */
        run_one(argv, 20 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OK);
        ck_assert_contains(output_str(&r), "vendor-a.com/my-nic");

        ck_assert(g_file_get_contents(pidfile, &content, NULL, NULL));
        gc = atoi(content);
        ck_assert_int_gt(gc, 1);
        /* It was SIGKILLed with its group; await its death through a
         * pidfd rather than sleeping. */
        fd = pidfd_open(gc, 0);
        if (fd >= 0) {
                pfd = (struct pollfd) { .fd = fd, .events = POLLIN };
                ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
                close(fd);
        } else {
                ck_assert_int_eq(errno, ESRCH);
        }
        ck_assert(process_dead(gc));
        res_clear(&r);
        g_unlink(pidfile);
        g_rmdir(dir);
}
END_TEST

/* submit_fd runs the file that was opened, whatever the path names when
 * the job starts; a script works too. */
START_TEST(test_exec_fd_not_path) {
        g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
        g_autofree char *path = g_build_filename(dir, "prog", NULL);
        g_autofree char *other = g_build_filename(dir, "other", NULL);
        const char *argv[] = { path, "json", "a.com/opened", FLAG, NULL };
        const char script[] = "#!/bin/sh\necho \"script $1\"\n";
        g_autofree char *data = NULL;
        gsize len = 0;
        sd_event *e = NULL;
        McProbePool *pool;
        Res r = { 0 };
        int fd;

        ck_assert(g_file_get_contents(MC_PROBE_PROG, &data, &len, NULL));
        ck_assert(g_file_set_contents(path, data, (gssize) len, NULL));
        ck_assert_int_eq(chmod(path, 0755), 0);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        /* The path now names a script that says something else. */
        ck_assert(g_file_set_contents(other, script, -1, NULL));
        ck_assert_int_eq(chmod(other, 0755), 0);
        ck_assert_int_eq(rename(other, path), 0);

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 1, 10 * SEC, 1 << 20);
        mc_probe_pool_submit_fd(pool, fd, argv, on_result, &r, NULL);
        close(fd); /* the pool keeps its own */
        RUN_UNTIL(e, r.done);
        ck_assert_msg(r.status == MC_PROBE_OK, "%s", r.reason);
        ck_assert_uint_gt(g_bytes_get_size(r.output), 0);
        ck_assert_contains(output_str(&r), "a.com/opened");
        res_clear(&r);
        r = (Res) { 0 };

        /* The script, through its fd. */
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        mc_probe_pool_submit_fd(pool, fd, argv, on_result, &r, NULL);
        close(fd);
        RUN_UNTIL(e, r.done);
        ck_assert_msg(r.status == MC_PROBE_OK, "%s", r.reason);
        ck_assert_uint_gt(g_bytes_get_size(r.output), 0);
        ck_assert_str_eq(output_str(&r), "script json\n");
        res_clear(&r);

        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);
        mc_probe_pool_free(pool);
        sd_event_unref(e);
        assert_no_children();
        g_unlink(path);
        g_rmdir(dir);
}
END_TEST

/* A program that leaves a process outside its process group (setsid(),
 * double fork): with the pool adopting orphans, it is gone, and reaped,
 * once the probe has ended, whichever way it ends. */
START_TEST(test_escaped_descendant_killed) {
        static const struct {
                const char *mode[3];
                McProbeStatus status;
        } cases[] = {
                { { "json", NULL }, MC_PROBE_OK },
                { { "fail", NULL }, MC_PROBE_EXITED },
                { { "hang", NULL }, MC_PROBE_TIMEOUT },
                { { "big", NULL }, MC_PROBE_OVERRUN },
        };

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
                g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
                g_autofree char *content = NULL;
                const char *argv[] = { MC_PROBE_PROG, "escape", pidfile, cases[i].mode[0], FLAG, NULL };
                sd_event *e = NULL;
                McProbePool *pool;
                Res r = { 0 };
                pid_t gc;

                ck_assert_int_ge(sd_event_new(&e), 0);
                pool = mc_probe_pool_new(e, 2, 2 * SEC, 64 * 1024);
                ck_assert_int_eq(mc_probe_pool_adopt_orphans(pool), 0);
                mc_probe_pool_submit(pool, argv, on_result, &r, NULL);
                RUN_UNTIL(e, r.done);
                ck_assert_msg(r.status == cases[i].status, "%s: %s (%s)", cases[i].mode[0],
                              mc_probe_status_to_string(r.status), r.reason ? r.reason : "");
                RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);

                ck_assert(g_file_get_contents(pidfile, &content, NULL, NULL));
                gc = atoi(content);
                ck_assert_int_gt(gc, 1);
                /* Not running, and not a zombie of ours either. */
                ck_assert_msg(kill(gc, 0) < 0 && errno == ESRCH, "%s: process %d left behind is alive",
                              cases[i].mode[0], (int) gc);
                assert_no_children();

                mc_probe_pool_free(pool);
                sd_event_unref(e);
                res_clear(&r);
                g_unlink(pidfile);
                g_rmdir(dir);
        }
}
END_TEST

/* What a probe still running left behind is its own: another probe
 * ending meanwhile does not take it. */
START_TEST(test_escaped_descendant_of_running_probe_kept) {
        g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
        g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
        g_autofree char *content = NULL;
        const char *slow[] = { MC_PROBE_PROG, "escape", pidfile, "sleep", "1500", FLAG, NULL };
        const char *quick[] = { MC_PROBE_PROG, "json", FLAG, NULL };
        sd_event *e = NULL;
        McProbePool *pool;
        Res r1 = { 0 }, r2 = { 0 };
        pid_t gc;

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 2, 20 * SEC, 64 * 1024);
        ck_assert_int_eq(mc_probe_pool_adopt_orphans(pool), 0);
        mc_probe_pool_submit(pool, slow, on_result, &r1, NULL);
        RUN_UNTIL(e, g_file_test(pidfile, G_FILE_TEST_EXISTS));
        ck_assert(g_file_get_contents(pidfile, &content, NULL, NULL));
        gc = atoi(content);
        ck_assert_int_gt(gc, 1);

        mc_probe_pool_submit(pool, quick, on_result, &r2, NULL);
        RUN_UNTIL(e, r2.done);
        ck_assert_int_eq(r2.status, MC_PROBE_OK);
        run_loop_for(e, 200 * MSEC);
        ck_assert(!r1.done);
        ck_assert_msg(kill(gc, 0) == 0, "the running probe's process was killed when another ended");

        RUN_UNTIL(e, r1.done);
        ck_assert_int_eq(r1.status, MC_PROBE_OK);
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);
        ck_assert_msg(kill(gc, 0) < 0 && errno == ESRCH, "process %d left behind is alive", (int) gc);
        assert_no_children();

        mc_probe_pool_free(pool);
        sd_event_unref(e);
        res_clear(&r1);
        res_clear(&r2);
        g_unlink(pidfile);
        g_rmdir(dir);
}
END_TEST

/* Freeing the pool while a probe runs takes what it left with it. */
START_TEST(test_escaped_descendant_free) {
        g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
        g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
        g_autofree char *content = NULL;
        const char *argv[] = { MC_PROBE_PROG, "escape", pidfile, "hang", FLAG, NULL };
        sd_event *e = NULL;
        McProbePool *pool;
        pid_t gc;

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 1, 20 * SEC, 64 * 1024);
        ck_assert_int_eq(mc_probe_pool_adopt_orphans(pool), 0);
        mc_probe_pool_submit(pool, argv, on_never, NULL, NULL);
        RUN_UNTIL(e, g_file_test(pidfile, G_FILE_TEST_EXISTS));
        ck_assert(g_file_get_contents(pidfile, &content, NULL, NULL));
        gc = atoi(content);
        ck_assert_int_gt(gc, 1);
        mc_probe_pool_free(pool);
        sd_event_unref(e);
        ck_assert_msg(kill(gc, 0) < 0 && errno == ESRCH, "process %d left behind is alive", (int) gc);
        assert_no_children();
        g_unlink(pidfile);
        g_rmdir(dir);
}
END_TEST

START_TEST(test_grandchild_fast) {
        g_autofree char *dir = g_dir_make_tmp("mc-probe-XXXXXX", NULL);
        g_autofree char *pidfile = g_build_filename(dir, "pid", NULL);
        const char *argv[] = { MC_PROBE_PROG, "fork", pidfile, FLAG, NULL };
        gint64 start = g_get_monotonic_time();
        Res r = { 0 };

        run_one(argv, 20 * SEC, 1 << 20, &r);
        ck_assert_int_eq(r.status, MC_PROBE_OK);
        /* Far below the time limit: the open pipe did not hold it. */
        ck_assert_int_lt(r.at - start, 10 * SEC);
        res_clear(&r);
        g_unlink(pidfile);
        g_rmdir(dir);
}
END_TEST

START_TEST(test_parallel_bound) {
        const char *argv[] = { MC_PROBE_PROG, "sleep", "200", FLAG, NULL };
        sd_event *e = NULL;
        McProbePool *pool;
        Res r[8] = { 0 };
        unsigned max_seen = 0, done = 0;
        gint64 start, elapsed;

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 4, 20 * SEC, 1 << 20);
        start = g_get_monotonic_time();
        for (int i = 0; i < 8; i++)
                mc_probe_pool_submit(pool, argv, on_result, &r[i], NULL);
        ck_assert_uint_eq(mc_probe_pool_n_pending(pool), 8);
        while (done < 8) {
                ck_assert_int_lt(g_get_monotonic_time() - start, 20 * SEC);
                ck_assert_int_ge(sd_event_run(e, 100 * MSEC), 0);
                max_seen = MAX(max_seen, mc_probe_pool_n_children(pool));
                ck_assert_uint_le(mc_probe_pool_n_children(pool), 4);
                done = 0;
                for (int i = 0; i < 8; i++)
                        done += r[i].done;
        }
        elapsed = g_get_monotonic_time() - start;
        ck_assert_uint_eq(max_seen, 4);
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 8);
        /* Two waves of 200 ms: at least 400 ms; well under eight in a row
         * (loose, for a loaded machine). */
        ck_assert_int_ge(elapsed, 400 * MSEC);
        ck_assert_int_lt(elapsed, 1500 * MSEC);
        for (int i = 0; i < 8; i++) {
                ck_assert_int_eq(r[i].status, MC_PROBE_OK);
                res_clear(&r[i]);
        }
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);
        mc_probe_pool_free(pool);
        sd_event_unref(e);
        assert_no_children();
}
END_TEST

START_TEST(test_fifo) {
        const char *slow[] = { MC_PROBE_PROG, "sleep", "50", FLAG, NULL };
        const char *fast[] = { MC_PROBE_PROG, "json", FLAG, NULL };
        g_autoptr(GPtrArray) order = g_ptr_array_new();
        static const char *const tags[] = { "a", "b", "c", "d" };
        sd_event *e = NULL;
        McProbePool *pool;
        Res r[4] = { 0 };

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 1, 20 * SEC, 1 << 20);
        for (int i = 0; i < 4; i++) {
                r[i].order = order;
                r[i].tag = tags[i];
                /* A slow job first: the fast ones must still wait their turn. */
                mc_probe_pool_submit(pool, i == 0 ? slow : fast, on_result, &r[i], NULL);
        }
        RUN_UNTIL(e, order->len == 4);
        for (int i = 0; i < 4; i++) {
                ck_assert_str_eq(order->pdata[i], tags[i]);
                res_clear(&r[i]);
        }
        mc_probe_pool_free(pool);
        sd_event_unref(e);
        assert_no_children();
}
END_TEST

START_TEST(test_cancel) {
        const char *hang[] = { MC_PROBE_PROG, "hang", FLAG, NULL };
        const char *fast[] = { MC_PROBE_PROG, "json", FLAG, NULL };
        sd_event *e = NULL;
        McProbePool *pool;
        McProbeJob *running = NULL, *queued = NULL;
        Res after = { 0 };

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 1, 20 * SEC, 1 << 20);
        mc_probe_pool_submit(pool, hang, on_never, NULL, &running);
        mc_probe_pool_submit(pool, fast, on_never, NULL, &queued);
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 1);
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 1);

        /* A queued job never starts; a running one is killed and reaped. */
        mc_probe_job_cancel(queued);
        mc_probe_job_cancel(running);
        ck_assert_uint_eq(mc_probe_pool_n_pending(pool), 0);
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);
        assert_no_children();
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 1);

        /* The slot is free again. */
        mc_probe_pool_submit(pool, fast, on_result, &after, NULL);
        RUN_UNTIL(e, after.done);
        ck_assert_int_eq(after.status, MC_PROBE_OK);
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 2);
        res_clear(&after);

        mc_probe_pool_free(pool);
        sd_event_unref(e);
}
END_TEST

START_TEST(test_cancel_spawn_failure) {
        const char *bad[] = { "/nonexistent/x", FLAG, NULL };
        sd_event *e = NULL;
        McProbePool *pool;
        McProbeJob *job = NULL;

        /* Cancelled before the loop delivers its spawn error: silent. */
        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 1, 20 * SEC, 1 << 20);
        mc_probe_pool_submit(pool, bad, on_never, NULL, &job);
        mc_probe_job_cancel(job);
        for (int i = 0; i < 5; i++)
                ck_assert_int_ge(sd_event_run(e, 10 * MSEC), 0);
        ck_assert_uint_eq(mc_probe_pool_n_pending(pool), 0);
        mc_probe_pool_free(pool);
        sd_event_unref(e);
}
END_TEST

START_TEST(test_free_kills_and_reaps) {
        const char *hang[] = { MC_PROBE_PROG, "hang", FLAG, NULL };
        sd_event *e = NULL;
        McProbePool *pool;

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 3, 20 * SEC, 1 << 20);
        for (int i = 0; i < 5; i++)
                mc_probe_pool_submit(pool, hang, on_never, NULL, NULL);
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 3);
        /* Would hang on a child that was not killed. */
        mc_probe_pool_free(pool);
        assert_no_children();
        sd_event_unref(e);
}
END_TEST

typedef struct {
        McProbePool *pool;
        Res second;
        bool first_done;
} Chain;

static void on_chain(const McProbeResult *pr, void *userdata) {
        Chain *c = userdata;
        const char *argv[] = { MC_PROBE_PROG, "json", FLAG, NULL };

        ck_assert_int_eq(pr->status, MC_PROBE_OK);
        c->first_done = true;
        mc_probe_pool_submit(c->pool, argv, on_result, &c->second, NULL);
}

START_TEST(test_submit_from_callback) {
        const char *argv[] = { MC_PROBE_PROG, "json", FLAG, NULL };
        sd_event *e = NULL;
        Chain c = { 0 };

        ck_assert_int_ge(sd_event_new(&e), 0);
        c.pool = mc_probe_pool_new(e, 1, 20 * SEC, 1 << 20);
        mc_probe_pool_submit(c.pool, argv, on_chain, &c, NULL);
        RUN_UNTIL(e, c.second.done);
        ck_assert(c.first_done);
        ck_assert_int_eq(c.second.status, MC_PROBE_OK);
        ck_assert_uint_eq(mc_probe_pool_n_spawned(c.pool), 2);
        res_clear(&c.second);
        mc_probe_pool_free(c.pool);
        sd_event_unref(e);
        assert_no_children();
}
END_TEST

START_TEST(test_mixed_no_zombies) {
        const char *const *argvs[] = {
                (const char *const[]) { MC_PROBE_PROG, "json", FLAG, NULL },
                (const char *const[]) { MC_PROBE_PROG, "fail", FLAG, NULL },
                (const char *const[]) { MC_PROBE_PROG, "signal", FLAG, NULL },
                (const char *const[]) { MC_PROBE_PROG, "hang", FLAG, NULL },
                (const char *const[]) { MC_PROBE_PROG, "big", FLAG, NULL },
                (const char *const[]) { "/nonexistent/x", FLAG, NULL },
        };
        const McProbeStatus expect[] = { MC_PROBE_OK, MC_PROBE_EXITED, MC_PROBE_SIGNALED,
                                         MC_PROBE_TIMEOUT, MC_PROBE_OVERRUN, MC_PROBE_SPAWN_ERROR };
        sd_event *e = NULL;
        McProbePool *pool;
        Res r[6] = { 0 };

        ck_assert_int_ge(sd_event_new(&e), 0);
        pool = mc_probe_pool_new(e, 6, 500 * MSEC, 64 * 1024);
        for (int i = 0; i < 6; i++)
                mc_probe_pool_submit(pool, argvs[i], on_result, &r[i], NULL);
        RUN_UNTIL(e, r[0].done && r[1].done && r[2].done && r[3].done && r[4].done && r[5].done);
        for (int i = 0; i < 6; i++) {
                ck_assert_msg(r[i].status == expect[i], "job %d: %s, expected %s", i,
                              mc_probe_status_to_string(r[i].status),
                              mc_probe_status_to_string(expect[i]));
                res_clear(&r[i]);
        }
        ck_assert_uint_eq(mc_probe_pool_n_spawned(pool), 6);
        RUN_UNTIL(e, mc_probe_pool_n_children(pool) == 0);
        assert_no_children();
        mc_probe_pool_free(pool);
        sd_event_unref(e);
}
END_TEST

static Suite *probe_suite(void) {
        Suite *s = suite_create("probe");
        TCase *tc = tcase_create("core");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_ok);
        tcase_add_test(tc, test_exit_code);
        tcase_add_test(tc, test_signaled);
        tcase_add_test(tc, test_timeout);
        tcase_add_test(tc, test_timeout_seconds);
        tcase_add_test(tc, test_overrun);
        tcase_add_test(tc, test_cap_boundary);
        tcase_add_test(tc, test_garbage_is_ok_status);
        tcase_add_test(tc, test_spawn_enoent);
        tcase_add_test(tc, test_spawn_eacces);
        tcase_add_test(tc, test_clean_child);
        tcase_add_test(tc, test_grandchild_killed);
        tcase_add_test(tc, test_grandchild_fast);
        tcase_add_test(tc, test_exec_fd_not_path);
        tcase_add_test(tc, test_escaped_descendant_killed);
        tcase_add_test(tc, test_escaped_descendant_free);
        tcase_add_test(tc, test_escaped_descendant_of_running_probe_kept);
        tcase_add_test(tc, test_parallel_bound);
        tcase_add_test(tc, test_fifo);
        tcase_add_test(tc, test_cancel);
        tcase_add_test(tc, test_cancel_spawn_failure);
        tcase_add_test(tc, test_free_kills_and_reaps);
        tcase_add_test(tc, test_submit_from_callback);
        tcase_add_test(tc, test_mixed_no_zombies);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(probe_suite)
