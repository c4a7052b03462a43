/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Integration test harness: a private dbus-daemon configured like the
 * system bus (with our policy file, or permissive), migcompatd started on
 * it as systemd would (NOTIFY_SOCKET, WATCHDOG_USEC), and a client
 * connection. Under umockdev-wrapper the daemon shares the test's testbed.
 *
 * Everything lives in one temporary directory; mc_harness_free() stops the
 * daemon and the bus and removes it. All functions abort the test on
 * failure. */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "mc-sd-util.h"

typedef struct McHarness McHarness;

typedef enum {
        MC_BUS_PERMISSIVE,  /* anyone may do anything: tests the daemon's own checks */
        MC_BUS_SYSTEM,      /* Debian's system-bus default policy + dbus/org.migcompat.MigCompat1.conf */
} McBusPolicy;

McHarness *mc_harness_new(void);
void mc_harness_free(McHarness *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McHarness, mc_harness_free)

const char *mc_harness_dir(McHarness *h);
/* Create a subdirectory of the harness directory; returns its path. */
char *mc_harness_mkdir(McHarness *h, const char *name);
/* Write a file below the harness directory; returns its path. */
char *mc_harness_write(McHarness *h, const char *relpath, const char *content);

void mc_harness_start_bus(McHarness *h, McBusPolicy policy);
/* The same bus on dbus-broker (the broker most distributions now run)
 * instead of dbus-daemon, without systemd: systemd-socket-activate hands
 * dbus-broker-launch the listening socket, with another bus (a
 * dbus-daemon of the harness) as the one it would ask systemd on. The
 * launcher logs to /run/systemd/journal/socket: when nothing owns one, the
 * harness binds one that drains, and removes it when freed. */
void mc_harness_start_broker(McHarness *h, McBusPolicy policy);
const char *mc_harness_bus_address(McHarness *h);

/* Start migcompatd with these extra arguments (NULL-terminated; the
 * harness adds --data-dir/--pci-data-dir/--descriptor-dir/--cache-dir below its directory
 * unless args name them) and wait for READY=1 (at most timeout_ms). */
void mc_harness_start_daemon(McHarness *h, const char *const *args);
/* Like start, but do not wait for READY=1. */
void mc_harness_spawn_daemon(McHarness *h, const char *const *args);
/* Wait for the next notification containing "needle" (e.g. "READY=1");
 * returns the whole datagram, or NULL on timeout. */
char *mc_harness_wait_notify(McHarness *h, const char *needle, int timeout_ms);
pid_t mc_harness_daemon_pid(McHarness *h);
/* SIGTERM, wait, and return the exit status (-1: killed by a signal). */
int mc_harness_stop_daemon(McHarness *h);
/* The daemon's log (stderr) so far. */
char *mc_harness_daemon_log(McHarness *h);

/* A new client connection to the private bus (as this process's user). */
sd_bus *mc_harness_connect(McHarness *h);

/* Run a command with DBUS_SYSTEM_BUS_ADDRESS set to the private bus; as
 * user "nobody" when unprivileged. Returns the exit status; stdout and
 * stderr are stored in *out / *err when given. */
int mc_harness_run(McHarness *h, bool unprivileged, const char *const *argv, char **out, char **err);

/* Path of a built binary ("migcompatd", "migcompatctl") or a source file. */
char *mc_harness_build_path(const char *rel);
char *mc_harness_source_path(const char *rel);

/* Process an sd-bus connection until pred(userdata) or the timeout. */
bool mc_harness_bus_wait(sd_bus *bus, bool (*pred)(void *userdata), void *userdata, int timeout_ms);

/* ---- service tests: bus activation, wrapped daemons ---- */

/* Like mc_harness_start_bus(), with bus activation from the activation
 * files in service_dir. The bus starts services itself (no systemd, no
 * setuid helper) with DBUS_SYSTEM_BUS_ADDRESS naming this bus, and its
 * stderr, which they inherit, goes to "bus.log" in the harness directory. */
void mc_harness_start_bus_with_services(McHarness *h, McBusPolicy policy, const char *service_dir);
/* The bus's log so far (see above). */
char *mc_harness_bus_log(McHarness *h);

/* Like mc_harness_spawn_daemon(), with the daemon's command line prefixed
 * by wrapper (NULL-terminated; e.g. a sandbox or a tracer that execs the
 * rest). WATCHDOG_PID names the wrapper's process. */
void mc_harness_spawn_daemon_wrapped(McHarness *h, const char *const *wrapper, const char *const *args);
/* Wait (at most timeout_ms) for the daemon, or its wrapper, to exit by
 * itself; returns its exit status, -1 when killed by a signal, -2 on
 * timeout (it is still running then). */
int mc_harness_wait_daemon(McHarness *h, int timeout_ms);
/* Stop the bus (SIGTERM) and wait for it; the daemon keeps running. */
void mc_harness_stop_bus(McHarness *h);
