/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* inotify on a set of directories, from an sd-event loop. Directories
 * that do not exist yet are noticed when they appear: the nearest existing
 * ancestor is watched until then. Changes are coalesced: one callback per
 * loop iteration with the set of changed names. */

#include <glib.h>
#include <systemd/sd-event.h>

typedef struct McDirWatch McDirWatch;

/* names: the file names (no directory part) that were created, written,
 * deleted, renamed or had their attributes changed in any of the
 * directories since the last call, each once, sorted; the consumer filters
 * them (hidden and temporary files are included). names == NULL means
 * "anything may have changed, rescan everything": a watched directory
 * appeared, disappeared or was renamed, its own owner or mode changed
 * (which decides whether its files may be trusted), or the kernel queue
 * overflowed. */
typedef void (*McDirWatchFunc)(McDirWatch *w, const GPtrArray *names, void *userdata);

/* dirs: NULL-terminated. Fails only when inotify itself is unavailable
 * (out of inotify instances); a directory that cannot be watched is
 * logged. */
McDirWatch *mc_dir_watch_new(sd_event *e, const char *const *dirs, McDirWatchFunc func,
                             void *userdata, GError **error);
void mc_dir_watch_free(McDirWatch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDirWatch, mc_dir_watch_free)

/* Whether dir (one of those given) is itself watched right now, rather
 * than through an ancestor; for tests. */
gboolean mc_dir_watch_is_watching(McDirWatch *w, const char *dir);
