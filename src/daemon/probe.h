/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Runs untrusted programs (vfio-user device programs with
 * --print-migration-info-json) from an sd-event loop: no shell, stdin from
 * /dev/null, a fixed environment, no inherited fds, its own process group
 * (killed when it ends, and what it left elsewhere with it, see
 * mc_probe_pool_adopt_orphans()), a time limit and an output cap, at most
 * max_parallel at once (the rest wait in FIFO order). Never blocks the
 * loop. */

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

typedef struct McProbePool McProbePool;
typedef struct McProbeJob McProbeJob;

typedef enum {
        MC_PROBE_OK,          /* exited 0; output holds stdout */
        MC_PROBE_EXITED,      /* exited non-zero; code holds the status */
        MC_PROBE_SIGNALED,    /* killed by a signal it did not get from us; code holds it */
        MC_PROBE_TIMEOUT,     /* ran longer than the time limit; killed */
        MC_PROBE_OVERRUN,     /* printed more than the output cap; killed */
        MC_PROBE_SPAWN_ERROR, /* could not be started (exec failed, fork failed, ...) */
} McProbeStatus;

const char *mc_probe_status_to_string(McProbeStatus s);

typedef struct {
        McProbeStatus status;
        int code;          /* exit status (EXITED), signal (SIGNALED), errno (SPAWN_ERROR), else 0 */
        GBytes *output;    /* stdout, MC_PROBE_OK only, else NULL */
        const char *reason; /* one line for people, NULL for MC_PROBE_OK:
                             * "/usr/libexec/foo timed out after 5 s",
                             * "/usr/libexec/foo exited with status 3: <first stderr line>",
                             * "/usr/libexec/x: No such file or directory" */
} McProbeResult;

/* Called exactly once per job that was not cancelled, from the event loop.
 * The result and everything in it is only valid during the call (take a
 * reference on output to keep it); the job handle is invalid after it
 * returns. The callback may submit and cancel other jobs; it must not
 * free the pool. */
typedef void (*McProbeCallback)(const McProbeResult *result, void *userdata);

/* max_parallel 0 means 1; output_cap is the largest accepted stdout, in
 * bytes (one more byte is an overrun). */
McProbePool *mc_probe_pool_new(sd_event *e, unsigned max_parallel, uint64_t timeout_usec,
                               size_t output_cap);
/* Cancels every job (no callbacks), SIGKILLs and reaps every child. */
void mc_probe_pool_free(McProbePool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McProbePool, mc_probe_pool_free)

/* Queue argv (argv[0] is the program's path, executed as is without PATH
 * lookup; the caller includes --print-migration-info-json). Never calls
 * the callback from inside this function: processes are started from the
 * loop. ret (optional) receives a handle for mc_probe_job_cancel(), valid
 * until the callback has run or the job is cancelled. */
void mc_probe_pool_submit(McProbePool *pool, const char *const *argv, McProbeCallback callback,
                          void *userdata, McProbeJob **ret);

/* The same, executing the file open at prog_fd (duplicated; the caller
 * keeps its fd) with execveat(AT_EMPTY_PATH) rather than the path in
 * argv[0], which only names it in argv and in reasons: the program run is
 * the one that was checked (trust.h), whatever the path names by then. A
 * script keeps the fd open as 4, for its interpreter. */
void mc_probe_pool_submit_fd(McProbePool *pool, int prog_fd, const char *const *argv,
                             McProbeCallback callback, void *userdata, McProbeJob **ret);

/* The callback will not be called; a running process group is SIGKILLed
 * (and reaped later by the pool). */
void mc_probe_job_cancel(McProbeJob *job);

/* Processes ever spawned by this pool (fork succeeded). */
uint64_t mc_probe_pool_n_spawned(const McProbePool *pool);
/* Jobs queued or running (not yet delivered or cancelled). */
unsigned mc_probe_pool_n_pending(const McProbePool *pool);
/* Child processes not yet reaped (running, or killed and not yet waited
 * for, including what probes left behind, see below). */
unsigned mc_probe_pool_n_children(const McProbePool *pool);

/* Make this process a child subreaper (PR_SET_CHILD_SUBREAPER) and this
 * pool responsible for every child of the process that is not one of its
 * jobs: whatever a probe leaves behind outside its process group (a
 * setsid() grandchild, a double-forked daemon) is re-parented to this
 * process once the probe's main process has exited (until then, to that
 * process, which the pool makes a subreaper too, so that another probe
 * ending never takes what belongs to one still running), and is
 * SIGKILLed and reaped when the probe's main process, or another such
 * leftover, has been reaped, and when the pool is freed. Only for a process whose other children all come
 * from this pool (migcompatd); without it they are re-parented to init and
 * survive. Returns 0 or -errno. */
int mc_probe_pool_adopt_orphans(McProbePool *pool);
