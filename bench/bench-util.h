/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared pieces of the benchmark: clocks, samples (median, p99), the
 * result table and its JSON twin, and migcompatd started exactly as systemd
 * starts it (Type=notify, no -v), timed from exec to READY=1. */

#include <check.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness.h"

uint64_t bench_now_ns(void);

/* ---- samples ---------------------------------------------------------------- */

typedef struct {
        GArray *v; /* double */
} BenchSamples;

void bench_samples_init(BenchSamples *s);
void bench_samples_clear(BenchSamples *s);
void bench_samples_add(BenchSamples *s, double x);
guint bench_samples_len(const BenchSamples *s);
/* Nearest-rank percentile (0 < q <= 100) of the samples; 0 when empty. */
double bench_samples_percentile(const BenchSamples *s, double q);
double bench_samples_median(const BenchSamples *s);
double bench_samples_p99(const BenchSamples *s);

/* ---- results ------------------------------------------------------------------ */

typedef enum {
        BENCH_AT_MOST,  /* met when value <= target */
        BENCH_AT_LEAST, /* met when value >= target */
} BenchGoal;

typedef struct BenchReport BenchReport;

BenchReport *bench_report_new(void);
void bench_report_free(BenchReport *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BenchReport, bench_report_free)

void bench_report_set_config(BenchReport *r, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* One row: what ours measured against a reference measured in the same run
 * (ref NULL: an absolute figure). The ratio is ours' median over the
 * reference's median (and p99 over p99); value is the figure the target
 * applies to (a ratio, or an absolute value), with its goal. */
void bench_report_add(BenchReport *r, const char *id, const char *label, const char *unit,
                      const BenchSamples *ours, const char *ref_label, const BenchSamples *ref,
                      double value, BenchGoal goal, double target, const char *target_text);
/* A figure against a reference, with no target (printed, not judged). */
void bench_report_add_ref(BenchReport *r, const char *id, const char *label, const char *unit,
                          const BenchSamples *ours, const char *ref_label, const BenchSamples *ref);
/* A figure with no target (printed, not judged). */
void bench_report_add_info(BenchReport *r, const char *id, const char *label, const char *unit,
                           const BenchSamples *ours);

void bench_report_print(const BenchReport *r, FILE *out);
bool bench_report_write_json(const BenchReport *r, const char *path, GError **error);
/* Every row with a target met. */
bool bench_report_all_met(const BenchReport *r);

/* ---- the daemon ------------------------------------------------------------------ */

typedef struct BenchDaemon BenchDaemon;

/* Fork and exec migcompatd on the harness's bus, as the unit file runs it
 * (NOTIFY_SOCKET, WATCHDOG_USEC, stderr to a log file below the harness
 * directory), with the harness's --data-dir, --descriptor-dir and
 * --cache-dir unless args give them. Returns at once. */
BenchDaemon *bench_daemon_spawn(McHarness *h, const char *const *args);
/* Wait for READY=1; returns the nanoseconds from just before fork() to its
 * arrival, 0 when it did not come in timeout_ms (the log is printed). */
uint64_t bench_daemon_wait_ready(BenchDaemon *d, int timeout_ms);
BenchDaemon *bench_daemon_start(McHarness *h, const char *const *args);
pid_t bench_daemon_pid(const BenchDaemon *d);
/* Its log so far (free it). */
char *bench_daemon_log(const BenchDaemon *d);
/* SIGTERM and reap; then free. */
void bench_daemon_stop(BenchDaemon *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BenchDaemon, bench_daemon_stop)

/* CPU time a process has used so far, in ns (/proc/PID/schedstat); 0
 * when unreadable. */
uint64_t bench_proc_cpu_ns(pid_t pid);

/* VmHWM and VmRSS of a process, in KiB (false when unreadable). */
bool bench_proc_rss(pid_t pid, uint64_t *hwm_kib, uint64_t *rss_kib);

/* Open file descriptors of a process (entries of /proc/PID/fd); -1 when
 * unreadable. */
int bench_proc_fds(pid_t pid);

/* ---- running ------------------------------------------------------------------ */

/* Run a check test in this process (CK_NOFORK), so that the harness's
 * failing asserts are reported: EXIT_SUCCESS, or EXIT_FAILURE with the
 * first failure printed. */
int bench_run_test(const TTest *test);

/* Run fn in a child process leading a process group of its own, and end
 * that group when it returns, fails or we are interrupted (SIGINT,
 * SIGTERM, SIGHUP): whatever it started (buses, daemons) goes with it.
 * Returns fn's return value as the child's exit status. */
int bench_run_in_group(int (*fn)(void *userdata), void *userdata);
