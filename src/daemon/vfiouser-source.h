/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The vfio-user implementations of this host (docs/ARCHITECTURE.md; migcompat-formats(5)): the
 * descriptors in the vfio-user.d directories, each program probed with
 * --print-migration-info-json (or its cached answer), published as McImpl
 * through McVfioUserOps. Follows changes to the descriptor directories and
 * to the directories holding the programs (inotify).
 *
 * What is published when:
 * - A descriptor whose program is being probed for the first time is not
 *   published until the probe ends (success or failure), so nothing
 *   flips from "probing" to its real state on the bus.
 * - When a published program changes (new binary, new descriptor
 *   content), its previous implementation stays published until the new
 *   probe replaces it: no remove/add flap during package upgrades; the
 *   window is bounded by the probe time limit.
 * - Every failure is published as a not-migratable implementation whose
 *   not_migratable_reason says exactly what failed. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "mc-types.h"
#include "probe.h"

typedef struct McVfioUserSource McVfioUserSource;

typedef struct {
        /* An implementation appeared or changed (same id replaces); the
         * reference is passed. */
        void (*put)(void *userdata, McImpl *impl);
        /* An implementation went away. */
        void (*remove)(void *userdata, const char *id);
        /* End of a batch of put/remove calls (one change notification). */
        void (*changed)(void *userdata);
        /* Called once, when the initial scan is complete: every descriptor
         * found at start has been published (all first probes done). May be
         * called from inside mc_vfiouser_source_start(). Optional. */
        void (*settled)(void *userdata);
} McVfioUserOps;

typedef struct {
        /* Descriptor directories, lowest precedence first; NULL: the
         * installed /usr/share/migcompat/vfio-user.d, /etc/migcompat/vfio-user.d. */
        const char *const *dirs;
        /* Probe cache directory; NULL: no cache. */
        const char *cache_dir;
        uint64_t probe_timeout_usec; /* 0: 5 s */
        unsigned max_parallel;       /* 0: 4 */
        size_t output_cap;           /* 0: MC_MAX_DOCUMENT_SIZE */
        bool no_watch;               /* no inotify: changes only on rescan */
} McVfioUserConfig;

/* ops is copied; callbacks must not free the source. */
McVfioUserSource *mc_vfiouser_source_new(sd_event *e, const McVfioUserConfig *config,
                                         const McVfioUserOps *ops, void *userdata);
void mc_vfiouser_source_free(McVfioUserSource *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McVfioUserSource, mc_vfiouser_source_free)

/* Initial scan: publishes what is known (cached results, failures) before
 * returning, starts the probes for the rest, and starts watching. */
void mc_vfiouser_source_start(McVfioUserSource *s);

/* Re-read every descriptor, re-stat every program; probe again those
 * whose identity changed and those whose last probe failed (a timeout may
 * have been a loaded host). */
void mc_vfiouser_source_rescan(McVfioUserSource *s);

/* The initial scan is complete (see McVfioUserOps.settled). */
bool mc_vfiouser_source_is_settled(const McVfioUserSource *s);

/* Probes queued or running, and descriptors known (for STATUS= lines). */
unsigned mc_vfiouser_source_n_probing(const McVfioUserSource *s);
unsigned mc_vfiouser_source_n_descriptors(const McVfioUserSource *s);

/* The pool, for its counters (tests, benchmarks). */
McProbePool *mc_vfiouser_source_get_pool(McVfioUserSource *s);
