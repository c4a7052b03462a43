/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mc-log.h"

/* Child processes are watched through pidfds: the pidfd becomes readable
 * when the process exits and is then reaped with waitid(P_PID, WNOHANG).
 * We deliberately do not use sd_event_add_child{,_pidfd}(): both require
 * SIGCHLD to be blocked in every thread of the process before they are
 * used, a process-wide rule that every user of the pool (the daemon, the
 * tests, the benchmarks, GLib) would have to honour, and they reap in
 * sd-event's own dispatch. A pidfd in a plain io source needs no signal
 * handling at all, cannot be confused by pid reuse, and keeps each child's
 * lifetime in this file. Requires Linux >= 5.3. */

#define STDERR_KEEP 4096       /* bytes of stderr kept for the reason */
#define STDERR_LINE_MAX 200    /* characters of it shown */
#define READ_CHUNK (64 * 1024)

static const char *const probe_env[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG=C.UTF-8",
        NULL,
};

typedef enum {
        JOB_QUEUED,   /* in pool->queued */
        JOB_FAILED,   /* could not start; in pool->failed, waiting for delivery */
        JOB_RUNNING,  /* in pool->running, holds a slot */
        JOB_REAPING,  /* delivered or cancelled; process killed, in pool->reaping */
} JobState;

/* What the child reports through the exec error pipe. */
typedef struct {
        int stage; /* CHILD_STAGE_* */
        int err;
} ChildError;

enum {
        CHILD_STAGE_SETUP = 1,
        CHILD_STAGE_EXEC = 2,
};

struct McProbeJob {
        McProbePool *pool;
        GList link; /* in exactly one of the pool's queues */
        JobState state;

        char **argv;
        int prog_fd;          /* what to execute, or -1: argv[0] */
        int prog_fd_errno;    /* it could not be duplicated: never fall back to argv[0] */
        McProbeCallback callback;
        void *userdata;

        pid_t pid;
        sd_event_source *pid_source; /* owns the pidfd */
        sd_event_source *out_source; /* owns the stdout read end */
        sd_event_source *err_source; /* owns the stderr read end */
        sd_event_source *timer;
        int exec_err_fd;

        GByteArray *out;
        GString *err;
        bool overrun;
        int spawn_errno;      /* JOB_FAILED */
        const char *spawn_what;
};

/* A process a probe left behind that was re-parented to us (we are a
 * child subreaper): SIGKILLed, waited for through its pidfd. */
typedef struct {
        McProbePool *pool;
        pid_t pid;
        sd_event_source *source; /* owns the pidfd */
} Orphan;

struct McProbePool {
        sd_event *event;
        unsigned max_parallel;
        uint64_t timeout_usec;
        size_t output_cap;

        bool adopt;           /* mc_probe_pool_adopt_orphans() */
        GHashTable *orphans;  /* pid -> Orphan*, being killed */

        GQueue queued;
        GQueue failed;
        GQueue running;
        GQueue reaping;
        sd_event_source *pump;

        uint64_t n_spawned;
};

const char *mc_probe_status_to_string(McProbeStatus s) {
        switch (s) {
        case MC_PROBE_OK:
                return "ok";
        case MC_PROBE_EXITED:
                return "exited";
        case MC_PROBE_SIGNALED:
                return "signaled";
        case MC_PROBE_TIMEOUT:
                return "timeout";
        case MC_PROBE_OVERRUN:
                return "overrun";
        case MC_PROBE_SPAWN_ERROR:
                return "spawn-error";
        }
        return "unknown";
}

static void safe_close(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
                *fd = -1;
        }
}

static GQueue *job_queue(McProbeJob *job) {
        switch (job->state) {
        case JOB_QUEUED:
                return &job->pool->queued;
        case JOB_FAILED:
                return &job->pool->failed;
        case JOB_RUNNING:
                return &job->pool->running;
        case JOB_REAPING:
                return &job->pool->reaping;
        }
        g_assert_not_reached();
}

static void job_move(McProbeJob *job, JobState state) {
        g_queue_unlink(job_queue(job), &job->link);
        job->state = state;
        g_queue_push_tail_link(job_queue(job), &job->link);
}

/* Stop reading output and the clock; the pidfd source stays until reaped. */
static void job_stop_io(McProbeJob *job) {
        job->out_source = sd_event_source_disable_unref(job->out_source);
        job->err_source = sd_event_source_disable_unref(job->err_source);
        job->timer = sd_event_source_disable_unref(job->timer);
        safe_close(&job->exec_err_fd);
}

static void job_free(McProbeJob *job) {
        g_queue_unlink(job_queue(job), &job->link);
        job_stop_io(job);
        job->pid_source = sd_event_source_disable_unref(job->pid_source);
        safe_close(&job->prog_fd);
        g_strfreev(job->argv);
        if (job->out)
                g_byte_array_unref(job->out);
        if (job->err)
                g_string_free(job->err, TRUE);
        g_free(job);
}

static void pool_schedule_pump(McProbePool *pool) {
        if (pool->pump)
                (void) sd_event_source_set_enabled(pool->pump, SD_EVENT_ONESHOT);
}

/* SIGKILL the child's whole process group. The group id is the child's
 * pid; the child is not reaped yet when this runs, so neither the pid nor
 * the group id can have been reused. */
static void job_kill(McProbeJob *job) {
        if (job->pid <= 0)
                return;
        if (kill(-job->pid, SIGKILL) < 0 && errno == ESRCH)
                (void) kill(job->pid, SIGKILL);
}

/* ---- the child side: only async-signal-safe calls from here ---- */

static _Noreturn void child_fail(int exec_w, int stage) {
        ChildError ce = { .stage = stage, .err = errno };
        ssize_t n = write(exec_w, &ce, sizeof ce);
        (void) n;
        _exit(127);
}

static _Noreturn void child_run(char *const *argv, int prog_fd, int devnull, int out_w, int err_w,
                                int exec_w, pid_t parent, bool subreaper) {
        sigset_t ss;

        /* Ignored signals and the signal mask survive execve(); a program
         * must not start with SIGPIPE ignored or SIGTERM blocked just
         * because the daemon runs that way. */
        for (int sig = 1; sig < _NSIG; sig++) {
                struct sigaction sa = { .sa_handler = SIG_DFL };
                (void) sigaction(sig, &sa, NULL);
        }
        sigemptyset(&ss);
        (void) sigprocmask(SIG_SETMASK, &ss, NULL);

        if (setpgid(0, 0) < 0)
                child_fail(exec_w, CHILD_STAGE_SETUP);
        /* Do not outlive the daemon. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                child_fail(exec_w, CHILD_STAGE_SETUP);
        /* Keep what it leaves behind while it runs (kept across execve()):
         * only once it has exited does that go to the daemon, so the
         * daemon never kills what belongs to a probe still running (see
         * pool_sweep()). */
        if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                child_fail(exec_w, CHILD_STAGE_SETUP);
        if (getppid() != parent)
                _exit(127);

        /* All four fds are >= 3 (see fd_above_stdio()), so these cannot
         * clobber each other. */
        if (dup2(devnull, STDIN_FILENO) < 0 || dup2(out_w, STDOUT_FILENO) < 0 ||
            dup2(err_w, STDERR_FILENO) < 0)
                child_fail(exec_w, CHILD_STAGE_SETUP);
        if (exec_w != 3) {
                if (dup2(exec_w, 3) < 0)
                        child_fail(exec_w, CHILD_STAGE_SETUP);
                exec_w = 3;
                if (fcntl(exec_w, F_SETFD, FD_CLOEXEC) < 0)
                        child_fail(exec_w, CHILD_STAGE_SETUP);
        }
        /* The program to execute goes to 4; it is >= 5 (see
         * mc_probe_pool_submit_fd()), so nothing above clobbered it. */
        if (prog_fd >= 0) {
                if (dup2(prog_fd, 4) < 0 || fcntl(4, F_SETFD, FD_CLOEXEC) < 0)
                        child_fail(exec_w, CHILD_STAGE_SETUP);
                prog_fd = 4;
        }
        if (close_range(prog_fd >= 0 ? 5 : 4, ~0U, 0) < 0) {
                /* Kernels before 5.9. */
                for (int fd = prog_fd >= 0 ? 5 : 4; fd < 65536; fd++)
                        (void) close(fd);
        }

        if (prog_fd < 0) {
                execve(argv[0], argv, (char *const *) probe_env);
                child_fail(exec_w, CHILD_STAGE_EXEC);
        }
        /* Execute the very file that was checked, not whatever the path
         * names by now. */
        syscall(SYS_execveat, prog_fd, "", argv, probe_env, AT_EMPTY_PATH);
        if (errno == ENOENT) {
                /* A script: its interpreter opens it as /dev/fd/4, which a
                 * close-on-exec fd does not survive. It keeps fd 4. */
                if (fcntl(prog_fd, F_SETFD, 0) < 0)
                        child_fail(exec_w, CHILD_STAGE_SETUP);
                syscall(SYS_execveat, prog_fd, "", argv, probe_env, AT_EMPTY_PATH);
        }
        child_fail(exec_w, CHILD_STAGE_EXEC);
}

/* ---- the parent side ---- */

/* Keep pipe ends away from 0-2, in case the daemon runs with some of them
 * closed: the child dup2()s onto 0-2 and must not overwrite its sources. */
static int fd_above_stdio(int fd) {
        int nfd;

        if (fd < 0 || fd > 2)
                return fd;
        nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        safe_close(&fd);
        return nfd;
}

static int make_pipe(int fds[2], int read_flags) {
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        fds[0] = fd_above_stdio(fds[0]);
        fds[1] = fd_above_stdio(fds[1]);
        if (fds[0] < 0 || fds[1] < 0) {
                int r = -errno;
                safe_close(&fds[0]);
                safe_close(&fds[1]);
                return r;
        }
        if (read_flags && fcntl(fds[0], F_SETFL, read_flags) < 0) {
                int r = -errno;
                safe_close(&fds[0]);
                safe_close(&fds[1]);
                return r;
        }
        return 0;
}

static int job_on_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int job_on_stdout(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int job_on_stderr(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int job_on_timeout(sd_event_source *s, uint64_t usec, void *userdata);

static char *format_duration(uint64_t usec) {
        if (usec % G_USEC_PER_SEC == 0)
                return g_strdup_printf("%" G_GUINT64_FORMAT " s", usec / G_USEC_PER_SEC);
        if (usec % 1000 == 0)
                return g_strdup_printf("%" G_GUINT64_FORMAT " ms", usec / 1000);
        return g_strdup_printf("%" G_GUINT64_FORMAT " us", usec);
}

/* Wait for a child we have SIGKILLed and that we cannot watch from the
 * loop (setup failed, or the pool is going away). SIGKILL makes this
 * short. */
static void reap_blocking(pid_t pid) {
        siginfo_t si;
        while (waitid(P_PID, pid, &si, WEXITED) < 0 && errno == EINTR)
                ;
}

/* ---- what probes leave behind ----
 *
 * A probe's process group is killed when it ends, but a program can leave
 * it (setsid(), setpgid(), a double-forked daemon). Without cgroups there
 * is no record of what a process started, except the process tree: when
 * the daemon is a child subreaper, every descendant whose parent dies is
 * re-parented to the daemon instead of to init. Since the probes are the
 * only processes the daemon starts, every child of the daemon that is not
 * a probe's main process is something a probe left behind. Each probe's
 * main process is itself a subreaper, so what it leaves behind stays its
 * own while it runs and comes to us only once it has exited: a leftover
 * found here belongs to a probe that has ended, never to one still
 * running. It is SIGKILLed (with its process group, if it leads one) and
 * reaped. Killing one re-parents its own children to us; they are found
 * when it is reaped, so a whole tree goes, level by level. The sweep runs
 * whenever a probe's main process or an orphan has been reaped. */

static void orphan_free(Orphan *o) {
        o->source = sd_event_source_disable_unref(o->source);
        g_free(o);
}

static bool pool_knows_pid(McProbePool *pool, pid_t pid) {
        GQueue *queues[] = { &pool->running, &pool->reaping };

        if (g_hash_table_contains(pool->orphans, GINT_TO_POINTER(pid)))
                return true;
        for (gsize q = 0; q < G_N_ELEMENTS(queues); q++)
                for (GList *l = queues[q]->head; l; l = l->next)
                        if (((McProbeJob *) l->data)->pid == pid)
                                return true;
        return false;
}

/* The pids of every child of this process, from the children lists of
 * all its threads (an orphan is re-parented to any live thread). Falls
 * back to scanning /proc when the kernel lacks CONFIG_PROC_CHILDREN. */
static GArray *list_children(void) {
        GArray *pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
        pid_t self = getpid();
        struct dirent *de;
        bool have_children_files = false;
        DIR *d;

        d = opendir("/proc/self/task");
        while (d && (de = readdir(d))) {
                g_autofree char *path = NULL;
                g_autofree char *data = NULL;
                g_auto(GStrv) words = NULL;

                if (de->d_name[0] == '.')
                        continue;
                path = g_strdup_printf("/proc/self/task/%s/children", de->d_name);
                if (!g_file_get_contents(path, &data, NULL, NULL))
                        continue;
                have_children_files = true;
                words = g_strsplit_set(data, " \n", -1);
                for (char **w = words; *w; w++) {
                        pid_t pid = (pid_t) atoi(*w);
                        if (pid > 0)
                                g_array_append_val(pids, pid);
                }
        }
        if (d)
                closedir(d);
        if (have_children_files)
                return pids;

        d = opendir("/proc");
        while (d && (de = readdir(d))) {
                g_autofree char *path = NULL;
                g_autofree char *stat = NULL;
                const char *p;
                pid_t pid = (pid_t) atoi(de->d_name), ppid = 0;

                if (pid <= 0)
                        continue;
                path = g_strdup_printf("/proc/%d/stat", (int) pid);
                /* "pid (comm) state ppid ...": comm may hold anything. */
                if (!g_file_get_contents(path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')) ||
                    sscanf(p + 1, " %*c %d", &ppid) != 1)
                        continue;
                if (ppid == self)
                        g_array_append_val(pids, pid);
        }
        if (d)
                closedir(d);
        return pids;
}

static void pool_sweep(McProbePool *pool);

static int orphan_on_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Orphan *o = userdata;
        McProbePool *pool = o->pool;
        siginfo_t si = { 0 };

        if (waitid(P_PID, o->pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0)
                return 0; /* not yet */
        mc_log_debug("probe: reaped process %d left behind by a probe", (int) o->pid);
        g_hash_table_remove(pool->orphans, GINT_TO_POINTER(o->pid));
        /* Its children are ours now. */
        pool_sweep(pool);
        return 0;
}

static void pool_sweep(McProbePool *pool) {
        g_autoptr(GArray) pids = NULL;

        if (!pool->adopt)
                return;
        pids = list_children();
        for (guint i = 0; i < pids->len; i++) {
                pid_t pid = g_array_index(pids, pid_t, i);
                Orphan *o;
                int pidfd, r;

                if (pool_knows_pid(pool, pid))
                        continue;
                /* Our unreaped child: the pid cannot be reused, so the
                 * pidfd, the group test and the kills all mean it. */
                pidfd = pidfd_open(pid, 0);
                if (pidfd < 0)
                        continue; /* reaped by someone else meanwhile */
                mc_log_debug("probe: killing process %d left behind by a probe", (int) pid);
                if (getpgid(pid) == pid)
                        (void) kill(-pid, SIGKILL);
                (void) kill(pid, SIGKILL);

                o = g_new0(Orphan, 1);
                o->pool = pool;
                o->pid = pid;
                r = sd_event_add_io(pool->event, &o->source, pidfd, EPOLLIN, orphan_on_exit, o);
                if (r < 0) {
                        close(pidfd);
                        g_free(o);
                        reap_blocking(pid);
                        continue;
                }
                (void) sd_event_source_set_io_fd_own(o->source, true);
                g_hash_table_insert(pool->orphans, GINT_TO_POINTER(pid), o);
        }
}

/* For mc_probe_pool_free(): kill and reap everything left, blocking. The
 * number of rounds is bounded in case something keeps forking faster than
 * we kill (it cannot: a process with SIGKILL pending cannot fork). */
static void pool_sweep_blocking(McProbePool *pool) {
        if (!pool->adopt)
                return;
        for (int round = 0; round < 64; round++) {
                GHashTableIter it;
                gpointer v;

                pool_sweep(pool);
                if (g_hash_table_size(pool->orphans) == 0)
                        return;
                g_hash_table_iter_init(&it, pool->orphans);
                while (g_hash_table_iter_next(&it, NULL, &v))
                        reap_blocking(((Orphan *) v)->pid);
                g_hash_table_remove_all(pool->orphans);
        }
}

/* Start one queued job. On failure the job is left with spawn_errno set
 * and no process. */
static bool job_spawn(McProbeJob *job) {
        McProbePool *pool = job->pool;
        int out[2] = { -1, -1 }, err[2] = { -1, -1 }, exe[2] = { -1, -1 };
        int devnull = -1, pidfd = -1;
        pid_t parent = getpid(), pid;
        int r;

        job->spawn_what = "cannot start it";
        if (job->prog_fd_errno) {
                r = -job->prog_fd_errno;
                goto fail;
        }

        devnull = fd_above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY));
        if (devnull < 0) {
                r = -errno;
                goto fail;
        }
        if ((r = make_pipe(out, O_NONBLOCK)) < 0 || (r = make_pipe(err, O_NONBLOCK)) < 0 ||
            (r = make_pipe(exe, O_NONBLOCK)) < 0)
                goto fail;

        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto fail;
        }
        if (pid == 0)
                child_run(job->argv, job->prog_fd, devnull, out[1], err[1], exe[1], parent, pool->adopt);

        pool->n_spawned++;
        job->pid = pid;
        /* Both sides set the group, so it exists whichever runs first;
         * EACCES here means the child already exec'd, after its own
         * setpgid(). */
        (void) setpgid(pid, pid);

        safe_close(&devnull);
        safe_close(&out[1]);
        safe_close(&err[1]);
        safe_close(&exe[1]);

        job->exec_err_fd = exe[0];
        exe[0] = -1;

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = -errno;
                goto fail_child;
        }
        r = sd_event_add_io(pool->event, &job->pid_source, pidfd, EPOLLIN, job_on_exit, job);
        if (r < 0)
                goto fail_child;
        (void) sd_event_source_set_io_fd_own(job->pid_source, true);
        pidfd = -1;

        r = sd_event_add_io(pool->event, &job->out_source, out[0], EPOLLIN, job_on_stdout, job);
        if (r < 0)
                goto fail_child;
        (void) sd_event_source_set_io_fd_own(job->out_source, true);
        out[0] = -1;

        r = sd_event_add_io(pool->event, &job->err_source, err[0], EPOLLIN, job_on_stderr, job);
        if (r < 0)
                goto fail_child;
        (void) sd_event_source_set_io_fd_own(job->err_source, true);
        err[0] = -1;

        r = sd_event_add_time_relative(pool->event, &job->timer, CLOCK_MONOTONIC,
                                       pool->timeout_usec, 1000, job_on_timeout, job);
        if (r < 0)
                goto fail_child;

        job->out = g_byte_array_new();
        job->err = g_string_new(NULL);
        return true;

fail_child:
        job_kill(job);
        reap_blocking(job->pid);
        job->pid = 0;
        job_stop_io(job);
        job->pid_source = sd_event_source_disable_unref(job->pid_source);
fail:
        safe_close(&devnull);
        safe_close(&pidfd);
        safe_close(&out[0]);
        safe_close(&out[1]);
        safe_close(&err[0]);
        safe_close(&err[1]);
        safe_close(&exe[0]);
        safe_close(&exe[1]);
        job->spawn_errno = -r;
        return false;
}

/* The first line of what the program wrote to stderr, made printable and
 * short; NULL when there is none. */
static char *stderr_first_line(const GString *err) {
        g_autoptr(GString) line = g_string_new(NULL);
        g_autofree char *valid = NULL;
        gsize i;

        if (!err)
                return NULL;
        for (i = 0; i < err->len && err->str[i] != '\n' && line->len < STDERR_LINE_MAX; i++) {
                unsigned char c = (unsigned char) err->str[i];
                g_string_append_c(line, (c < 0x20 || c == 0x7f) ? ' ' : (char) c);
        }
        valid = g_utf8_make_valid(line->str, (gssize) line->len);
        g_strstrip(valid);
        if (valid[0] == '\0')
                return NULL;
        return g_steal_pointer(&valid);
}

static char *reason_with_stderr(McProbeJob *job, const char *what) {
        g_autofree char *line = stderr_first_line(job->err);
        if (line)
                return g_strdup_printf("%s %s: %s", job->argv[0], what, line);
        return g_strdup_printf("%s %s", job->argv[0], what);
}

/* Hand the result to the owner and forget the job's handle. The slot is
 * given back before the callback, so the callback sees a consistent pool;
 * the pump runs from the loop, never from here. */
static void job_deliver(McProbeJob *job, McProbeStatus status, int code, GBytes *output,
                        const char *reason) {
        McProbeResult result = {
                .status = status,
                .code = code,
                .output = output,
                .reason = reason,
        };
        McProbeCallback cb = job->callback;
        void *ud = job->userdata;
        bool had_slot = job->state == JOB_RUNNING;

        job_stop_io(job);
        if (job->pid_source)
                job_move(job, JOB_REAPING);
        if (had_slot)
                pool_schedule_pump(job->pool);
        job->callback = NULL;

        if (status == MC_PROBE_OK)
                mc_log_debug("probe %s: ok, %zu bytes", job->argv[0],
                             output ? g_bytes_get_size(output) : (size_t) 0);
        else
                mc_log_debug("probe: %s", reason);

        /* A job with no process left is finished once delivered; one still
         * being reaped stays until its pidfd fires. */
        if (!job->pid_source)
                job_free(job);
        if (cb)
                cb(&result, ud);
}

static void job_fail_overrun(McProbeJob *job) {
        g_autofree char *reason = NULL;

        job_kill(job);
        reason = g_strdup_printf("%s printed more than %zu bytes", job->argv[0],
                                 job->pool->output_cap);
        job_deliver(job, MC_PROBE_OVERRUN, 0, NULL, reason);
}

/* Read what is available without blocking. Returns false when the job
 * was delivered (overrun). */
static bool job_read_stdout(McProbeJob *job) {
        size_t cap = job->pool->output_cap;
        int fd;

        if (!job->out_source)
                return true;
        fd = sd_event_source_get_io_fd(job->out_source);
        for (;;) {
                /* Never hold more than cap + 1 bytes: one byte too many is
                 * the proof of an overrun. */
                size_t want = MIN((size_t) READ_CHUNK, cap + 1 - job->out->len);
                size_t old = job->out->len;
                ssize_t n;

                g_byte_array_set_size(job->out, (guint) (old + want));
                n = read(fd, job->out->data + old, want);
                g_byte_array_set_size(job->out, (guint) (old + MAX(n, 0)));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                job->out_source = sd_event_source_disable_unref(job->out_source);
                        return true;
                }
                if (n == 0) {
                        job->out_source = sd_event_source_disable_unref(job->out_source);
                        return true;
                }
                if (job->out->len > cap) {
                        job->overrun = true;
                        return true;
                }
        }
}

static void job_read_stderr(McProbeJob *job) {
        char buf[4096];
        int fd;

        if (!job->err_source)
                return;
        fd = sd_event_source_get_io_fd(job->err_source);
        for (;;) {
                ssize_t n = read(fd, buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                job->err_source = sd_event_source_disable_unref(job->err_source);
                        return;
                }
                if (n == 0) {
                        job->err_source = sd_event_source_disable_unref(job->err_source);
                        return;
                }
                /* Keep the beginning, drain the rest so the program never
                 * blocks on a full stderr pipe. */
                if (job->err->len < STDERR_KEEP)
                        g_string_append_len(job->err, buf,
                                            (gssize) MIN((size_t) n, STDERR_KEEP - job->err->len));
        }
}

static int job_on_stdout(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        McProbeJob *job = userdata;

        job_read_stdout(job);
        if (job->overrun)
                job_fail_overrun(job);
        return 0;
}

static int job_on_stderr(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        job_read_stderr(userdata);
        return 0;
}

static int job_on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        McProbeJob *job = userdata;
        g_autofree char *duration = format_duration(job->pool->timeout_usec);
        g_autofree char *what = g_strdup_printf("timed out after %s", duration);
        g_autofree char *reason = NULL;

        job_kill(job);
        job_read_stderr(job);
        reason = reason_with_stderr(job, what);
        job_deliver(job, MC_PROBE_TIMEOUT, 0, NULL, reason);
        return 0;
}

/* The main child exited (or, for a delivered job, finally died). */
static int job_on_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        McProbeJob *job = userdata;
        g_autofree char *reason = NULL;
        g_autofree char *what = NULL;
        g_autoptr(GBytes) output = NULL;
        ChildError ce;
        siginfo_t si = { 0 };
        ssize_t n;

        /* Whatever it left in its process group (a daemonised helper
         * holding stdout open) must not keep the probe pending or linger;
         * the leader is still an unreaped zombie, so the group id is
         * still ours. */
        job_kill(job);

        if (waitid(P_PID, job->pid, &si, WEXITED | WNOHANG) < 0) {
                /* ECHILD: SIGCHLD set to SIG_IGN by someone, the kernel
                 * reaped it; the status is lost. */
                si.si_pid = job->pid;
                si.si_code = CLD_KILLED;
                si.si_status = 0;
        } else if (si.si_pid == 0) {
                /* Spurious wakeup: not exited yet. */
                return 0;
        }
        job->pid = 0;
        job->pid_source = sd_event_source_disable_unref(job->pid_source);
        /* What it left outside its process group is ours now. */
        pool_sweep(job->pool);

        if (job->state == JOB_REAPING) {
                job_free(job);
                return 0;
        }

        /* Collect what was written before the exit. */
        job_read_stdout(job);
        job_read_stderr(job);
        if (job->overrun) {
                job_fail_overrun(job);
                return 0;
        }

        n = job->exec_err_fd >= 0 ? read(job->exec_err_fd, &ce, sizeof ce) : -1;
        if (n == (ssize_t) sizeof ce) {
                if (ce.stage == CHILD_STAGE_EXEC)
                        reason = g_strdup_printf("%s: %s", job->argv[0], g_strerror(ce.err));
                else
                        reason = g_strdup_printf("%s: cannot set up the process: %s",
                                                 job->argv[0], g_strerror(ce.err));
                job_deliver(job, MC_PROBE_SPAWN_ERROR, ce.err, NULL, reason);
                return 0;
        }

        if (si.si_code == CLD_EXITED && si.si_status == 0) {
                output = g_byte_array_free_to_bytes(g_steal_pointer(&job->out));
                job_deliver(job, MC_PROBE_OK, 0, output, NULL);
                return 0;
        }
        if (si.si_code == CLD_EXITED) {
                what = g_strdup_printf("exited with status %d", si.si_status);
                reason = reason_with_stderr(job, what);
                job_deliver(job, MC_PROBE_EXITED, si.si_status, NULL, reason);
                return 0;
        }
        if (si.si_status > 0 && sigabbrev_np(si.si_status))
                what = g_strdup_printf("was killed by signal SIG%s", sigabbrev_np(si.si_status));
        else
                what = g_strdup_printf("was killed by signal %d", si.si_status);
        reason = reason_with_stderr(job, what);
        job_deliver(job, MC_PROBE_SIGNALED, si.si_status, NULL, reason);
        return 0;
}

static int pool_on_pump(sd_event_source *s, void *userdata) {
        McProbePool *pool = userdata;
        GList *l;

        while (pool->running.length < pool->max_parallel && (l = g_queue_peek_head_link(&pool->queued))) {
                McProbeJob *job = l->data;
                if (job_spawn(job))
                        job_move(job, JOB_RUNNING);
                else
                        job_move(job, JOB_FAILED);
        }

        /* One at a time: a callback may cancel a job further down. */
        while ((l = g_queue_peek_head_link(&pool->failed))) {
                McProbeJob *job = l->data;
                g_autofree char *reason = g_strdup_printf("%s: %s: %s", job->argv[0], job->spawn_what,
                                                          g_strerror(job->spawn_errno));
                job_deliver(job, MC_PROBE_SPAWN_ERROR, job->spawn_errno, NULL, reason);
        }
        return 0;
}

McProbePool *mc_probe_pool_new(sd_event *e, unsigned max_parallel, uint64_t timeout_usec,
                               size_t output_cap) {
        McProbePool *pool = g_new0(McProbePool, 1);
        int r;

        pool->event = sd_event_ref(e);
        pool->max_parallel = MAX(max_parallel, 1u);
        pool->timeout_usec = timeout_usec;
        pool->output_cap = MIN(output_cap, (size_t) G_MAXUINT - READ_CHUNK);
        g_queue_init(&pool->queued);
        g_queue_init(&pool->failed);
        g_queue_init(&pool->running);
        g_queue_init(&pool->reaping);
        pool->orphans = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) orphan_free);

        r = sd_event_add_defer(e, &pool->pump, pool_on_pump, pool);
        if (r < 0)
                g_error("cannot add an event source: %s", g_strerror(-r)); /* ENOMEM only */
        (void) sd_event_source_set_enabled(pool->pump, SD_EVENT_OFF);
        return pool;
}

void mc_probe_pool_free(McProbePool *pool) {
        GList *l;

        if (!pool)
                return;

        while ((l = g_queue_peek_head_link(&pool->queued)))
                job_free(l->data);
        while ((l = g_queue_peek_head_link(&pool->failed)))
                job_free(l->data);
        /* Kill everything first, then reap, so the waits overlap. */
        for (l = pool->running.head; l; l = l->next)
                job_kill(l->data);
        for (l = pool->reaping.head; l; l = l->next)
                job_kill(l->data);
        while ((l = g_queue_peek_head_link(&pool->running))) {
                McProbeJob *job = l->data;
                reap_blocking(job->pid);
                job_free(job);
        }
        while ((l = g_queue_peek_head_link(&pool->reaping))) {
                McProbeJob *job = l->data;
                reap_blocking(job->pid);
                job_free(job);
        }

        pool_sweep_blocking(pool);
        g_hash_table_unref(pool->orphans);

        pool->pump = sd_event_source_disable_unref(pool->pump);
        sd_event_unref(pool->event);
        g_free(pool);
}

void mc_probe_pool_submit(McProbePool *pool, const char *const *argv, McProbeCallback callback,
                          void *userdata, McProbeJob **ret) {
        mc_probe_pool_submit_fd(pool, -1, argv, callback, userdata, ret);
}

void mc_probe_pool_submit_fd(McProbePool *pool, int prog_fd, const char *const *argv,
                             McProbeCallback callback, void *userdata, McProbeJob **ret) {
        McProbeJob *job;

        g_return_if_fail(pool);
        g_return_if_fail(argv && argv[0]);

        job = g_new0(McProbeJob, 1);
        /* Above 4, where the child puts it (see child_run()). A failed dup
         * shows as EBADF when the job is started. */
        job->prog_fd = prog_fd >= 0 ? fcntl(prog_fd, F_DUPFD_CLOEXEC, 5) : -1;
        if (prog_fd >= 0 && job->prog_fd < 0)
                job->prog_fd_errno = errno;
        job->pool = pool;
        job->link.data = job;
        job->state = JOB_QUEUED;
        job->argv = g_strdupv((char **) argv);
        job->callback = callback;
        job->userdata = userdata;
        job->exec_err_fd = -1;
        g_queue_push_tail_link(&pool->queued, &job->link);
        pool_schedule_pump(pool);

        if (ret)
                *ret = job;
}

void mc_probe_job_cancel(McProbeJob *job) {
        if (!job)
                return;

        switch (job->state) {
        case JOB_QUEUED:
        case JOB_FAILED:
                job_free(job);
                return;
        case JOB_RUNNING:
                job_kill(job);
                job->callback = NULL;
                job_stop_io(job);
                job_move(job, JOB_REAPING);
                pool_schedule_pump(job->pool);
                return;
        case JOB_REAPING:
                /* Already delivered: the handle was stale. */
                g_warn_if_reached();
                return;
        }
}

uint64_t mc_probe_pool_n_spawned(const McProbePool *pool) {
        return pool->n_spawned;
}

unsigned mc_probe_pool_n_pending(const McProbePool *pool) {
        return pool->queued.length + pool->failed.length + pool->running.length;
}

unsigned mc_probe_pool_n_children(const McProbePool *pool) {
        return pool->running.length + pool->reaping.length + g_hash_table_size(pool->orphans);
}

int mc_probe_pool_adopt_orphans(McProbePool *pool) {
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
                return -errno;
        pool->adopt = true;
        /* Anything already re-parented to us. */
        pool_sweep(pool);
        return 0;
}
