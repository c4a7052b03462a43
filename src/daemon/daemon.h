/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* migcompatd's context: the one place its state lives. Data flows one
 * way: the sources (mdev, vfio-user, data files) feed the registry, the
 * registry feeds the bus objects and the engine answers from it. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "answer-cache.h"
#include "mc-compat.h"
#include "data-files.h"
#include "dir-watch.h"
#include "mdev-source.h"
#include "pci-source.h"
#include "registry.h"
#include "vfiouser-source.h"

typedef struct {
        char **data_dirs;       /* mdev-models.d, lowest precedence first */
        char **pci_data_dirs;   /* vfio-pci-models.d, lowest precedence first */
        char **descriptor_dirs; /* vfio-user.d, lowest precedence first */
        char *cache_dir;        /* NULL: no probe cache */
        uint64_t probe_timeout_usec;
        unsigned probe_parallel;
        unsigned answer_cache;  /* answers remembered (answer-cache.h); 0: none */
        bool no_mdev;           /* do not look at sysfs for mdev devices (tests) */
        bool no_pci;            /* do not look at sysfs for PCI functions (tests) */
} McDaemonConfig;

typedef struct McDaemon {
        McDaemonConfig config;
        sd_event *event;
        sd_bus *bus;
        McRegistry *registry;
        McDataFiles *data_files;
        McDirWatch *data_watch;
        McMdevSource *mdev;
        McDataFiles *pci_data_files;
        McDirWatch *pci_data_watch;
        McPciSource *pci;
        McVfioUserSource *vfio_user;

        char *hostname;
        char *machine_id;
        bool settled;      /* initial scans done: the name is ours, READY=1 sent */
        uint64_t n_checks; /* answered, for the status line and benchmarks */
        GString *reply;    /* a check's JSON answer, reused: no large allocation per check */
        McAnswerCache *answers;
        sd_event_source *bus_drain;
} McDaemon;

/* The answer cache's defaults: entries, and bytes in all. */
#define MC_ANSWER_CACHE_ENTRIES 256
#define MC_ANSWER_CACHE_BYTES (1024 * 1024)

void mc_daemon_config_clear(McDaemonConfig *c);

McDaemon *mc_daemon_new(McDaemonConfig *config /* contents taken */);
void mc_daemon_free(McDaemon *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDaemon, mc_daemon_free)

/* Connect to the system bus, start every source; the name is requested
 * and READY=1 sent once the initial scans are complete. */
int mc_daemon_start(McDaemon *d);
int mc_daemon_run(McDaemon *d);

/* Rescan everything (the D-Bus Rescan() method). */
void mc_daemon_rescan(McDaemon *d);

/* The bus side (bus-manager.c, bus-impl.c). */
int mc_bus_register(McDaemon *d);
void mc_bus_emit_removing(McDaemon *d, const GPtrArray *paths);
void mc_bus_emit_committed(McDaemon *d, const GPtrArray *added, const GPtrArray *changed,
                           guint64 generation);
int mc_bus_impl_register(McDaemon *d);
/* Check src against the registry and send the answer (JSON) as m's reply. */
int mc_bus_reply_check(McDaemon *d, sd_bus_message *m, const McSource *src,
                       const McCheckOptions *opts);
/* The same for a source description as sent (text): the answer comes from
 * the answer cache when the question was answered since the catalog last
 * changed. A text that is not a source description is an error (origin
 * names it) and is not remembered. */
int mc_bus_answer_check(McDaemon *d, sd_bus_message *m, const char *text, const char *origin,
                        const McCheckOptions *opts, sd_bus_error *error);

/* Errors (DESIGN.md §3): org.migcompat.MigCompat1.Error.* */
#define MC_BUS_ERROR_INVALID_SOURCE "org.migcompat.MigCompat1.Error.InvalidSource"
#define MC_BUS_ERROR_NOT_FOUND "org.migcompat.MigCompat1.Error.NotFound"
#define MC_BUS_ERROR_NOT_MIGRATABLE "org.migcompat.MigCompat1.Error.NotMigratable"
#define MC_BUS_ERROR_ACCESS_DENIED "org.migcompat.MigCompat1.Error.AccessDenied"
#define MC_BUS_ERROR_NOT_READY "org.migcompat.MigCompat1.Error.NotReady"
