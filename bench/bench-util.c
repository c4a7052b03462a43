/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench-util.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

uint64_t bench_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* ---- samples ---------------------------------------------------------------- */

void bench_samples_init(BenchSamples *s) {
        s->v = g_array_new(false, false, sizeof(double));
}

void bench_samples_clear(BenchSamples *s) {
        g_clear_pointer(&s->v, g_array_unref);
}

void bench_samples_add(BenchSamples *s, double x) {
        g_array_append_val(s->v, x);
}

guint bench_samples_len(const BenchSamples *s) {
        return s->v ? s->v->len : 0;
}

static gint double_cmp(gconstpointer a, gconstpointer b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y ? 1 : 0;
}

double bench_samples_percentile(const BenchSamples *s, double q) {
        g_autoptr(GArray) sorted = NULL;
        guint n = bench_samples_len(s), rank;

        if (n == 0)
                return 0;
        sorted = g_array_sized_new(false, false, sizeof(double), n);
        g_array_append_vals(sorted, s->v->data, n);
        g_array_sort(sorted, double_cmp);
        /* Nearest rank: the smallest value with at least q% at or below it. */
        rank = (guint) ceil(q / 100.0 * n);
        if (rank < 1)
                rank = 1;
        if (rank > n)
                rank = n;
        return g_array_index(sorted, double, rank - 1);
}

double bench_samples_median(const BenchSamples *s) {
        return bench_samples_percentile(s, 50);
}

double bench_samples_p99(const BenchSamples *s) {
        return bench_samples_percentile(s, 99);
}

/* ---- results ------------------------------------------------------------------ */

typedef struct {
        char *id, *label, *unit, *ref_label, *target_text;
        double median, p99, ref_median, ref_p99;
        guint n, ref_n;
        bool has_ref, has_target;
        double value, target;
        BenchGoal goal;
} Row;

struct BenchReport {
        GPtrArray *rows;
        GPtrArray *config; /* "key", "value" pairs */
};

static void row_free(Row *r) {
        g_free(r->id);
        g_free(r->label);
        g_free(r->unit);
        g_free(r->ref_label);
        g_free(r->target_text);
        g_free(r);
}

BenchReport *bench_report_new(void) {
        BenchReport *r = g_new0(BenchReport, 1);
        r->rows = g_ptr_array_new_with_free_func((GDestroyNotify) row_free);
        r->config = g_ptr_array_new_with_free_func(g_free);
        return r;
}

void bench_report_free(BenchReport *r) {
        if (!r)
                return;
        g_ptr_array_unref(r->rows);
        g_ptr_array_unref(r->config);
        g_free(r);
}

void bench_report_set_config(BenchReport *r, const char *key, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        g_ptr_array_add(r->config, g_strdup(key));
        g_ptr_array_add(r->config, g_strdup_vprintf(fmt, ap));
        va_end(ap);
}

static bool row_met(const Row *r) {
        if (!r->has_target)
                return true;
        return r->goal == BENCH_AT_MOST ? r->value <= r->target : r->value >= r->target;
}

static Row *row_new(const char *id, const char *label, const char *unit, const BenchSamples *ours) {
        Row *row = g_new0(Row, 1);
        row->id = g_strdup(id);
        row->label = g_strdup(label);
        row->unit = g_strdup(unit);
        row->median = bench_samples_median(ours);
        row->p99 = bench_samples_p99(ours);
        row->n = bench_samples_len(ours);
        return row;
}

void bench_report_add(BenchReport *r, const char *id, const char *label, const char *unit,
                      const BenchSamples *ours, const char *ref_label, const BenchSamples *ref,
                      double value, BenchGoal goal, double target, const char *target_text) {
        Row *row = row_new(id, label, unit, ours);

        if (ref) {
                row->has_ref = true;
                row->ref_label = g_strdup(ref_label);
                row->ref_median = bench_samples_median(ref);
                row->ref_p99 = bench_samples_p99(ref);
                row->ref_n = bench_samples_len(ref);
        }
        row->has_target = true;
        row->value = value;
        row->goal = goal;
        row->target = target;
        row->target_text = g_strdup(target_text);
        g_ptr_array_add(r->rows, row);
        /* As it happens, so a long run shows progress. */
        fprintf(stderr, "  %-44s %s\n", label, row_met(row) ? "met" : "NOT MET");
}

void bench_report_add_ref(BenchReport *r, const char *id, const char *label, const char *unit,
                          const BenchSamples *ours, const char *ref_label, const BenchSamples *ref) {
        Row *row = row_new(id, label, unit, ours);

        row->has_ref = true;
        row->ref_label = g_strdup(ref_label);
        row->ref_median = bench_samples_median(ref);
        row->ref_p99 = bench_samples_p99(ref);
        row->ref_n = bench_samples_len(ref);
        g_ptr_array_add(r->rows, row);
}

void bench_report_add_info(BenchReport *r, const char *id, const char *label, const char *unit,
                           const BenchSamples *ours) {
        g_ptr_array_add(r->rows, row_new(id, label, unit, ours));
}

static char *fmt_num(double x) {
        if (x == 0)
                return g_strdup("0");
        if (fabs(x) >= 1000)
                return g_strdup_printf("%.0f", x);
        if (fabs(x) >= 100)
                return g_strdup_printf("%.1f", x);
        if (fabs(x) >= 1)
                return g_strdup_printf("%.2f", x);
        return g_strdup_printf("%.3f", x);
}

static char *fmt_pair(double median, double p99) {
        g_autofree char *a = fmt_num(median), *b = fmt_num(p99);
        return g_strdup_printf("%s / %s", a, b);
}

void bench_report_print(const BenchReport *r, FILE *out) {
        fprintf(out, "\n%-44s %-7s %-21s %-24s %-21s %-13s %-13s %s\n", "benchmark", "unit",
                "ours median / p99", "reference", "ref median / p99", "ratio med/p99", "target",
                "judged: met");
        for (guint i = 0; i < r->rows->len; i++) {
                const Row *row = r->rows->pdata[i];
                g_autofree char *ours = fmt_pair(row->median, row->p99);
                g_autofree char *ref = row->has_ref ? fmt_pair(row->ref_median, row->ref_p99) : g_strdup("");
                g_autofree char *ratio = NULL;

                if (row->has_ref && row->ref_median > 0 && row->ref_p99 > 0)
                        ratio = g_strdup_printf("%.2f / %.2f", row->median / row->ref_median,
                                                row->p99 / row->ref_p99);
                else
                        ratio = g_strdup("");
                g_autofree char *judged = NULL;
                if (row->has_target) {
                        g_autofree char *v = fmt_num(row->value);
                        judged = g_strdup_printf("%s: %s", v, row_met(row) ? "yes" : "NO");
                }
                fprintf(out, "%-44s %-7s %-21s %-24s %-21s %-13s %-13s %s\n", row->label, row->unit,
                        ours, row->has_ref ? row->ref_label : "", ref, ratio,
                        row->has_target ? row->target_text : "", judged ? judged : "-");
        }
        fprintf(out, "\n");
}

bool bench_report_all_met(const BenchReport *r) {
        for (guint i = 0; i < r->rows->len; i++)
                if (!row_met(r->rows->pdata[i]))
                        return false;
        return true;
}

static void add_stat(JsonBuilder *b, const char *name, double median, double p99, guint n) {
        json_builder_set_member_name(b, name);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "median");
        json_builder_add_double_value(b, median);
        json_builder_set_member_name(b, "p99");
        json_builder_add_double_value(b, p99);
        json_builder_set_member_name(b, "samples");
        json_builder_add_int_value(b, n);
        json_builder_end_object(b);
}

bool bench_report_write_json(const BenchReport *r, const char *path, GError **error) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "config");
        json_builder_begin_object(b);
        for (guint i = 0; i + 1 < r->config->len; i += 2) {
                json_builder_set_member_name(b, r->config->pdata[i]);
                json_builder_add_string_value(b, r->config->pdata[i + 1]);
        }
        json_builder_end_object(b);
        json_builder_set_member_name(b, "all_targets_met");
        json_builder_add_boolean_value(b, bench_report_all_met(r));
        json_builder_set_member_name(b, "results");
        json_builder_begin_array(b);
        for (guint i = 0; i < r->rows->len; i++) {
                const Row *row = r->rows->pdata[i];
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "id");
                json_builder_add_string_value(b, row->id);
                json_builder_set_member_name(b, "label");
                json_builder_add_string_value(b, row->label);
                json_builder_set_member_name(b, "unit");
                json_builder_add_string_value(b, row->unit);
                add_stat(b, "ours", row->median, row->p99, row->n);
                if (row->has_ref) {
                        json_builder_set_member_name(b, "reference_label");
                        json_builder_add_string_value(b, row->ref_label);
                        add_stat(b, "reference", row->ref_median, row->ref_p99, row->ref_n);
                        if (row->ref_median > 0 && row->ref_p99 > 0) {
                                json_builder_set_member_name(b, "ratio");
                                json_builder_begin_object(b);
                                json_builder_set_member_name(b, "median");
                                json_builder_add_double_value(b, row->median / row->ref_median);
                                json_builder_set_member_name(b, "p99");
                                json_builder_add_double_value(b, row->p99 / row->ref_p99);
                                json_builder_end_object(b);
                        }
                }
                if (row->has_target) {
                        json_builder_set_member_name(b, "value");
                        json_builder_add_double_value(b, row->value);
                        json_builder_set_member_name(b, "target");
                        json_builder_add_string_value(b, row->target_text);
                        json_builder_set_member_name(b, "met");
                        json_builder_add_boolean_value(b, row_met(row));
                }
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);

        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        json_generator_set_pretty(gen, true);
        return json_generator_to_file(gen, path, error);
}

/* ---- the daemon ------------------------------------------------------------------ */

struct BenchDaemon {
        McHarness *h;
        pid_t pid;
        int notify_fd;
        char *notify_path;
        char *log;
        uint64_t spawned_ns;
};

static bool args_have(const char *const *args, const char *prefix) {
        for (; args && *args; args++)
                if (g_str_has_prefix(*args, prefix))
                        return true;
        return false;
}

BenchDaemon *bench_daemon_spawn(McHarness *h, const char *const *args) {
        static unsigned counter;
        BenchDaemon *d = g_new0(BenchDaemon, 1);
        g_autofree char *bin = mc_harness_build_path("src/migcompatd");
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *dir = mc_harness_dir(h);

        d->h = h;
        d->notify_path = g_strdup_printf("%s/bench-notify-%u", dir, counter);
        d->log = g_strdup_printf("%s/bench-daemon-%u.log", dir, counter++);
        g_assert(strlen(d->notify_path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, d->notify_path);
        d->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (d->notify_fd < 0 || bind(d->notify_fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                g_error("notify socket %s: %s", d->notify_path, g_strerror(errno));

        /* For profiling: MC_BENCH_WRAP="perf record -g -o FILE --". */
        if (g_getenv("MC_BENCH_WRAP")) {
                g_auto(GStrv) wrap = g_strsplit(g_getenv("MC_BENCH_WRAP"), " ", -1);
                for (guint i = 0; wrap[i]; i++)
                        g_ptr_array_add(argv, g_strdup(wrap[i]));
        }
        g_ptr_array_add(argv, g_strdup(bin));
        if (g_getenv("MC_BENCH_VERBOSE"))
                g_ptr_array_add(argv, g_strdup("-v"));
        if (!args_have(args, "--data-dir"))
                g_ptr_array_add(argv, g_strdup_printf("--data-dir=%s/data", dir));
        if (!args_have(args, "--descriptor-dir"))
                g_ptr_array_add(argv, g_strdup_printf("--descriptor-dir=%s/descriptors", dir));
        if (!args_have(args, "--cache-dir") && !args_have(args, "--no-cache"))
                g_ptr_array_add(argv, g_strdup_printf("--cache-dir=%s/cache", dir));
        for (; args && *args; args++)
                g_ptr_array_add(argv, g_strdup(*args));
        g_ptr_array_add(argv, NULL);

        d->spawned_ns = bench_now_ns();
        d->pid = fork();
        if (d->pid < 0)
                g_error("fork: %s", g_strerror(errno));
        if (d->pid == 0) {
                int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                /* Not without the benchmark. */
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                char pid[32];
                if (fd >= 0) {
                        dup2(fd, STDOUT_FILENO);
                        dup2(fd, STDERR_FILENO);
                }
                setenv("DBUS_SYSTEM_BUS_ADDRESS", mc_harness_bus_address(h), 1);
                setenv("NOTIFY_SOCKET", d->notify_path, 1);
                setenv("WATCHDOG_USEC", "20000000", 1);
                snprintf(pid, sizeof pid, "%d", (int) getpid());
                setenv("WATCHDOG_PID", pid, 1);
                execvp(argv->pdata[0], (char **) argv->pdata);
                _exit(127);
        }
        return d;
}

uint64_t bench_daemon_wait_ready(BenchDaemon *d, int timeout_ms) {
        uint64_t deadline = bench_now_ns() + (uint64_t) timeout_ms * 1000000u;

        while (bench_now_ns() < deadline) {
                struct pollfd p = { .fd = d->notify_fd, .events = POLLIN };
                char buf[4096];
                ssize_t n;

                if (poll(&p, 1, 100) <= 0) {
                        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
                                d->pid = 0;
                                break;
                        }
                        continue;
                }
                n = recv(d->notify_fd, buf, sizeof buf - 1, 0);
                if (n <= 0)
                        continue;
                buf[n] = '\0';
                /* READY=1 as a whole line of the datagram. */
                if (strncmp(buf, "READY=1", 7) == 0 || strstr(buf, "\nREADY=1")) {
                        uint64_t t = bench_now_ns() - d->spawned_ns;
                        /* Nobody reads the socket from now on: close it, or
                         * the daemon's STATUS= updates would fill its queue
                         * (10 datagrams) and block it in sendmsg(). */
                        close(d->notify_fd);
                        d->notify_fd = -1;
                        unlink(d->notify_path);
                        return t;
                }
        }
        {
                g_autofree char *log = NULL;
                g_file_get_contents(d->log, &log, NULL, NULL);
                fprintf(stderr, "migcompatd did not become ready; its log:\n%s\n", log ? log : "");
        }
        return 0;
}

BenchDaemon *bench_daemon_start(McHarness *h, const char *const *args) {
        BenchDaemon *d = bench_daemon_spawn(h, args);
        if (!bench_daemon_wait_ready(d, 120000))
                g_error("migcompatd did not start");
        return d;
}

pid_t bench_daemon_pid(const BenchDaemon *d) {
        return d->pid;
}

char *bench_daemon_log(const BenchDaemon *d) {
        char *log = NULL;
        if (!g_file_get_contents(d->log, &log, NULL, NULL))
                return g_strdup("");
        return log;
}

void bench_daemon_stop(BenchDaemon *d) {
        if (!d)
                return;
        if (d->pid > 0) {
                kill(d->pid, SIGTERM);
                waitpid(d->pid, NULL, 0);
        }
        if (g_getenv("MC_BENCH_SHOW_LOG")) {
                g_autofree char *log = bench_daemon_log(d);
                fprintf(stderr, "---- migcompatd log ----\n%s---- end of log ----\n", log);
        }
        if (d->notify_fd >= 0)
                close(d->notify_fd);
        unlink(d->notify_path);
        g_free(d->notify_path);
        g_free(d->log);
        g_free(d);
}

uint64_t bench_proc_cpu_ns(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/schedstat", (int) pid);
        g_autofree char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return 0;
        return g_ascii_strtoull(text, NULL, 10);
}

bool bench_proc_rss(pid_t pid, uint64_t *hwm_kib, uint64_t *rss_kib) {
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid);
        g_autofree char *text = NULL;
        bool got_hwm = false, got_rss = false;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return false;
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                if (nl)
                        *nl = '\0';
                if (g_str_has_prefix(line, "VmHWM:")) {
                        *hwm_kib = g_ascii_strtoull(line + 6, NULL, 10);
                        got_hwm = true;
                } else if (g_str_has_prefix(line, "VmRSS:")) {
                        *rss_kib = g_ascii_strtoull(line + 6, NULL, 10);
                        got_rss = true;
                }
                line = nl ? nl + 1 : NULL;
        }
        return got_hwm && got_rss;
}

int bench_proc_fds(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        int n = 0;

        if (!dir)
                return -1;
        while (g_dir_read_name(dir))
                n++;
        return n;
}

/* ---- running ------------------------------------------------------------------ */

int bench_run_test(const TTest *test) {
        Suite *s = suite_create("bench");
        TCase *tc = tcase_create("bench");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        /* In this process: figures of a forked test child would be no
         * different, but failing asserts must still be reported. */
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_SILENT);
        failed = srunner_ntests_failed(sr);
        if (failed) {
                TestResult **tr = srunner_failures(sr);
                fprintf(stderr, "failed: %s:%d: %s\n", tr_lfile(tr[0]), tr_lno(tr[0]), tr_msg(tr[0]));
                free(tr);
        }
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The work's process group, for the signal handler only. */
static volatile pid_t work_group;

static void forward_signal(int sig) {
        if (work_group > 0)
                kill(-work_group, SIGKILL);
        signal(sig, SIG_DFL);
        raise(sig);
}

int bench_run_in_group(int (*fn)(void *userdata), void *userdata) {
        int status = 0;
        pid_t pid;

        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return perror("fork"), EXIT_FAILURE;
        setpgid(pid, pid);
        if (pid == 0) {
                int r;
                setpgid(0, 0);
                /* Not without us. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                r = fn(userdata);
                fflush(NULL);
                _exit(r);
        }
        /* Interrupted (Ctrl-C, a CI time limit): end the child's group
         * too, not only ourselves. */
        work_group = pid;
        signal(SIGINT, forward_signal);
        signal(SIGTERM, forward_signal);
        signal(SIGHUP, forward_signal);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        (void) kill(-pid, SIGKILL);
        work_group = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE;
}
