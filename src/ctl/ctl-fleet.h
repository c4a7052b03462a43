/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A fleet's host profiles, as "export --format json" writes them, read
 * from files and directories (every *.json in one, dot-files left out: a
 * writer's temporary file is one until it is renamed). Profiles are read
 * one after the other and each is dropped once the caller has taken what
 * it needs from it, so memory follows one profile, not the fleet.
 *
 * A profile that cannot be read or parsed is reported and skipped, as is
 * one older than --max-age (host.exported-at, or the file's modification
 * time when the profile has none) and one superseded by a newer profile
 * of the same host (same machine-id, else host name) in the same
 * collection: a newer exported-at wins, then a higher generation. */

#include "ctl.h"
#include "mc-catalog.h"
#include "mc-parse.h"

typedef struct {
        char *path;
        char *name;          /* the profile's host name; the file's name when that is empty */
        char *machine_id;
        guint64 generation;
        gint64 exported_at;  /* -1: the profile does not say */
        gpointer answer;     /* what the caller's CtlFleetFunc returned */
        GDestroyNotify answer_free;
} CtlFleetHost;

void ctl_fleet_host_free(CtlFleetHost *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlFleetHost, ctl_fleet_host_free)

typedef struct {
        guint n_files;       /* profile files found */
        guint n_used;        /* profiles answered for */
        guint n_unreadable;  /* could not be read or parsed */
        guint n_stale;       /* older than --max-age */
        guint n_superseded;  /* a newer profile of the same host was there too */
} CtlFleetCounts;

/* Called once per profile read; returns what to keep for the host (may be
 * NULL). cat is built from profile and both are freed after the call. */
typedef gpointer (*CtlFleetFunc)(const CtlFleetHost *host, McProfile *profile, McCatalog *cat,
                                 gpointer userdata);

/* Every --profile of opts (paths: char*), or another list. Returns the
 * hosts answered for, in the order their files were read (sorted by name
 * within a directory), or NULL with a CTL_ERROR (CTL_EXIT_USAGE) when a
 * directory cannot be listed or no profile at all could be used. Notes
 * about skipped profiles go to stderr unless opts->quiet. */
GPtrArray *ctl_fleet_read(const CtlOptions *opts, GPtrArray *paths, CtlFleetFunc func, gpointer userdata,
                          GDestroyNotify answer_free, CtlFleetCounts *counts, GError **error);

/* The files a path names: itself, or every *.json of a directory, sorted.
 * Appended to out (char*, owned). false with error when a directory
 * cannot be listed. */
bool ctl_fleet_expand(const char *path, GPtrArray *out, GError **error);

/* Does this command line ask about a fleet (several --profile, or a
 * directory)? Then check and check-domain answer per host. */
bool ctl_fleet_wanted(const CtlOptions *opts);

/* "10 profiles read from 12 files: 1 unreadable, 1 stale, skipped" */
char *ctl_fleet_counts_text(const CtlFleetCounts *c);
/* The same as JSON members of the object being built. */
void ctl_fleet_counts_build(JsonBuilder *b, const CtlFleetCounts *c);

/* check and check-domain with a fleet: one answer per host, compatible
 * hosts first, then by spare instances. Returns the exit status: 0 when
 * a host can take the VM (with allow_unknown, also when one may), 1 when
 * none can, 2 on bad input. notes (char*, may be NULL) are printed with
 * the answer. */
int ctl_fleet_check(const CtlOptions *opts, const McSource *src, bool allow_unknown, GPtrArray *notes);
