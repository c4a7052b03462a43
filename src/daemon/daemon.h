/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* migcompatd's context: the one place its state lives. Data flows one
 * way: the sources (mdev, vfio-pci, vfio-user, data files) feed the
 * registry and the engine answers from it. The core knows nothing of what
 * is served on the bus: the bus layer (bus.h) listens to the registry and
 * is told when the daemon is ready; it calls down into the core, never
 * the other way round. */

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

typedef struct McDaemon McDaemon;

/* The initial scans are done (called once, before READY=1): the bus layer
 * takes the name here. A negative errno ends the daemon. */
typedef int (*McDaemonReadyFunc)(McDaemon *d, void *userdata);

struct McDaemon {
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
        bool settled;      /* initial scans done: ready callback run, READY=1 sent */
        uint64_t n_checks; /* answered, for the status line and benchmarks */
        GString *reply;    /* a check's JSON answer, reused: no large allocation per check */
        McAnswerCache *answers;
        sd_event_source *bus_drain;
        McDaemonReadyFunc ready;
        void *ready_userdata;
};

/* The answer cache's defaults: entries, and bytes in all. */
#define MC_ANSWER_CACHE_ENTRIES 256
#define MC_ANSWER_CACHE_BYTES (1024 * 1024)

void mc_daemon_config_clear(McDaemonConfig *c) __attribute__((nonnull));

McDaemon *mc_daemon_new(McDaemonConfig *config /* contents taken */) __attribute__((nonnull));
void mc_daemon_free(McDaemon *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDaemon, mc_daemon_free)

/* Called once the initial scans are complete, before READY=1. */
void mc_daemon_set_ready_callback(McDaemon *d, McDaemonReadyFunc ready, void *userdata);

/* Connect to the system bus and start every source; the ready callback
 * runs and READY=1 is sent once the initial scans are complete. */
int mc_daemon_start(McDaemon *d) __attribute__((nonnull));
int mc_daemon_run(McDaemon *d) __attribute__((nonnull));

/* Rescan everything (the D-Bus Rescan() method). */
void mc_daemon_rescan(McDaemon *d) __attribute__((nonnull));
