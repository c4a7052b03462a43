/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* On-disk cache of vfio-user probe results, so that a restart (or a query)
 * never runs a program whose answer is already known. One file per
 * descriptor name in <dir>/vfio-user/, JSON, written atomically. An entry
 * is only used when the program's identity (path, st_dev, st_ino, st_size,
 * st_mtime in ns) and the SHA-256 of the descriptor's content (which holds
 * the arguments) are exactly those recorded. Unreadable, foreign, corrupt
 * or oversized cache files are ignored (logged once) and overwritten by the
 * next probe; symlinks in the cache directory are never followed. */

#include <glib.h>
#include <stdbool.h>
#include <sys/stat.h>

typedef struct McProbeCache McProbeCache;

typedef struct {
        char *binary;
        guint64 dev, ino, size;
        gint64 mtime_ns;
        char *descriptor_sha256; /* lowercase hex */
} McProbeKey;

/* st: stat() of binary. */
void mc_probe_key_init(McProbeKey *key, const char *binary, const struct stat *st,
                       const char *descriptor, gsize descriptor_len);
void mc_probe_key_clear(McProbeKey *key);
void mc_probe_key_copy(McProbeKey *dst, const McProbeKey *src);
bool mc_probe_key_equal(const McProbeKey *a, const McProbeKey *b);
/* Only the binary's identity (path, dev, ino, size, mtime). */
bool mc_probe_key_same_binary(const McProbeKey *a, const McProbeKey *b);

typedef struct {
        bool ok;        /* the program exited 0: output is what it printed */
        GBytes *output; /* ok only */
        char *reason;   /* !ok: why the probe failed */
} McProbeCacheEntry;

void mc_probe_cache_entry_clear(McProbeCacheEntry *e);

/* dir NULL: a cache that never hits and stores nothing. The directory is
 * created (one level) on first store if missing. */
McProbeCache *mc_probe_cache_new(const char *dir);
void mc_probe_cache_free(McProbeCache *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McProbeCache, mc_probe_cache_free)

/* true and *ret filled on a hit. */
bool mc_probe_cache_lookup(McProbeCache *c, const char *name, const McProbeKey *key,
                           McProbeCacheEntry *ret);
/* Failures are logged (once) and otherwise ignored: the cache is an
 * optimisation. */
void mc_probe_cache_store(McProbeCache *c, const char *name, const McProbeKey *key, bool ok,
                          GBytes *output, const char *reason);
void mc_probe_cache_remove(McProbeCache *c, const char *name);
/* Remove the entries whose name is not in keep (a set of names) and
 * leftover temporary files. */
void mc_probe_cache_prune(McProbeCache *c, GHashTable *keep);

/* The cache file of a name, for tests. */
char *mc_probe_cache_path(McProbeCache *c, const char *name);
