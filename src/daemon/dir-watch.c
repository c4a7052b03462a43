/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "dir-watch.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "mc-error.h"
#include "mc-log.h"

/* One mask for every watch: inotify returns the same watch descriptor for
 * the same inode and replaces its mask, so a directory that is one
 * target's ancestor and another's target must be watched the same way.
 * IN_CLOSE_WRITE rather than IN_MODIFY: act once a writer is done, not on
 * every write(). Known limitation: renaming a directory *above* a watched
 * directory is not noticed (only rescan helps). */
#define WATCH_MASK                                                                              \
        (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB |    \
         IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

typedef struct {
        char *path;      /* the directory asked for */
        int wd;          /* -1: nothing watched (no existing ancestor, or an error) */
        bool direct;     /* wd watches path itself, not an ancestor */
        char *next_name; /* !direct: the child of the watched ancestor we wait for */
} Target;

struct McDirWatch {
        int fd;
        sd_event_source *io;    /* owns fd */
        sd_event_source *flush; /* delivers the coalesced batch */
        GPtrArray *targets;     /* Target* */
        GHashTable *wd_refs;    /* wd -> number of targets using it */
        GHashTable *pending;    /* changed names (set) */
        bool rescan_all;
        McDirWatchFunc func;
        void *userdata;
};

static void target_free(Target *t) {
        g_free(t->path);
        g_free(t->next_name);
        g_free(t);
}

static void watch_release(McDirWatch *w, Target *t) {
        gpointer key = GINT_TO_POINTER(t->wd);
        unsigned refs;

        if (t->wd < 0)
                return;
        refs = GPOINTER_TO_UINT(g_hash_table_lookup(w->wd_refs, key));
        if (refs <= 1) {
                g_hash_table_remove(w->wd_refs, key);
                (void) inotify_rm_watch(w->fd, t->wd);
        } else {
                g_hash_table_insert(w->wd_refs, key, GUINT_TO_POINTER(refs - 1));
        }
        t->wd = -1;
        t->direct = false;
        g_clear_pointer(&t->next_name, g_free);
}

/* Watch the deepest existing directory on the way to t->path. */
static void watch_resolve(McDirWatch *w, Target *t) {
        g_autofree char *p = g_strdup(t->path);
        g_autofree char *child = NULL;

        watch_release(w, t);
        for (;;) {
                int wd = inotify_add_watch(w->fd, p, WATCH_MASK);
                if (wd >= 0) {
                        gpointer key = GINT_TO_POINTER(wd);
                        unsigned refs = GPOINTER_TO_UINT(g_hash_table_lookup(w->wd_refs, key));
                        g_hash_table_insert(w->wd_refs, key, GUINT_TO_POINTER(refs + 1));
                        t->wd = wd;
                        t->direct = child == NULL;
                        t->next_name = g_steal_pointer(&child);
                        return;
                }
                if ((errno != ENOENT && errno != ENOTDIR) || strcmp(p, "/") == 0 ||
                    strcmp(p, ".") == 0) {
                        mc_log_warning("Cannot watch %s for changes to %s: %s", p, t->path,
                                       g_strerror(errno));
                        return;
                }
                g_free(child);
                child = g_path_get_basename(p);
                {
                        char *parent = g_path_get_dirname(p);
                        g_free(p);
                        p = parent;
                }
        }
}

static void watch_schedule(McDirWatch *w) {
        (void) sd_event_source_set_enabled(w->flush, SD_EVENT_ONESHOT);
}

/* A watch went away (deleted, moved, or the kernel dropped it): find the
 * targets that used it a new place to watch. */
static void watch_lost(McDirWatch *w, int wd, bool kernel_removed) {
        if (kernel_removed)
                g_hash_table_remove(w->wd_refs, GINT_TO_POINTER(wd));
        for (guint i = 0; i < w->targets->len; i++) {
                Target *t = w->targets->pdata[i];
                if (t->wd != wd)
                        continue;
                if (t->direct)
                        w->rescan_all = true;
                if (kernel_removed)
                        t->wd = -1; /* nothing to release */
                watch_resolve(w, t);
                if (t->direct)
                        w->rescan_all = true;
        }
}

static void watch_handle_event(McDirWatch *w, const struct inotify_event *ev) {
        if (ev->mask & IN_Q_OVERFLOW) {
                mc_log_warning("inotify queue overflow; rescanning everything");
                w->rescan_all = true;
                for (guint i = 0; i < w->targets->len; i++)
                        watch_resolve(w, w->targets->pdata[i]);
                return;
        }
        if (ev->mask & IN_IGNORED) {
                watch_lost(w, ev->wd, true);
                return;
        }
        if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
                /* For a move the old watch still exists, on the wrong
                 * directory; drop it. For a delete IN_IGNORED follows. */
                if (ev->mask & IN_MOVE_SELF)
                        watch_lost(w, ev->wd, false);
                return;
        }
        if (ev->len == 0) {
                /* A watched directory's own owner or mode changed: whether
                 * every file in it may be trusted (trust.h) changed too. */
                if (ev->mask & IN_ATTRIB)
                        for (guint i = 0; i < w->targets->len; i++) {
                                Target *t = w->targets->pdata[i];
                                if (t->wd == ev->wd && t->direct)
                                        w->rescan_all = true;
                        }
                return;
        }

        for (guint i = 0; i < w->targets->len; i++) {
                Target *t = w->targets->pdata[i];
                if (t->wd != ev->wd)
                        continue;
                if (t->direct) {
                        g_hash_table_add(w->pending, g_strdup(ev->name));
                } else if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && t->next_name &&
                           strcmp(ev->name, t->next_name) == 0) {
                        watch_resolve(w, t);
                        /* It may already hold files (mkdir -p then cp, or mv). */
                        if (t->direct)
                                w->rescan_all = true;
                }
        }
}

static int watch_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        McDirWatch *w = userdata;
        union {
                struct inotify_event ev;
                char raw[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
        } buf;

        for (;;) {
                ssize_t n = read(fd, &buf, sizeof buf);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                mc_log_warning("Reading inotify events failed: %s", g_strerror(errno));
                        break;
                }
                if (n == 0)
                        break;
                for (ssize_t off = 0; off + (ssize_t) sizeof(struct inotify_event) <= n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) (buf.raw + off);
                        watch_handle_event(w, ev);
                        off += (ssize_t) (sizeof(struct inotify_event) + ev->len);
                }
        }

        if (w->rescan_all || g_hash_table_size(w->pending) > 0)
                watch_schedule(w);
        return 0;
}

static gint name_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int watch_on_flush(sd_event_source *s, void *userdata) {
        McDirWatch *w = userdata;
        g_autoptr(GPtrArray) names = NULL;
        bool all = w->rescan_all;
        GHashTableIter it;
        gpointer k;

        names = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_iter_init(&it, w->pending);
        while (g_hash_table_iter_next(&it, &k, NULL)) {
                g_ptr_array_add(names, k);
                g_hash_table_iter_steal(&it);
        }
        g_ptr_array_sort(names, name_cmp);
        w->rescan_all = false;

        /* Last thing: the callback may free w. */
        w->func(w, all ? NULL : names, w->userdata);
        return 0;
}

McDirWatch *mc_dir_watch_new(sd_event *e, const char *const *dirs, McDirWatchFunc func,
                             void *userdata, GError **error) {
        g_autoptr(McDirWatch) w = g_new0(McDirWatch, 1);
        int r;

        w->fd = -1;
        w->func = func;
        w->userdata = userdata;
        w->targets = g_ptr_array_new_with_free_func((GDestroyNotify) target_free);
        w->wd_refs = g_hash_table_new(g_direct_hash, g_direct_equal);
        w->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (w->fd < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "inotify: %s",
                            g_strerror(errno));
                return NULL;
        }
        r = sd_event_add_io(e, &w->io, w->fd, EPOLLIN, watch_on_io, w);
        if (r < 0) {
                close(w->fd);
                w->fd = -1;
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "inotify event source: %s",
                            g_strerror(-r));
                return NULL;
        }
        (void) sd_event_source_set_io_fd_own(w->io, true);

        r = sd_event_add_defer(e, &w->flush, watch_on_flush, w);
        if (r < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "defer event source: %s",
                            g_strerror(-r));
                return NULL;
        }
        (void) sd_event_source_set_enabled(w->flush, SD_EVENT_OFF);
        /* Let every queued inotify read happen before the batch goes out. */
        (void) sd_event_source_set_priority(w->flush, SD_EVENT_PRIORITY_IDLE);

        for (const char *const *d = dirs; d && *d; d++) {
                Target *t = g_new0(Target, 1);
                t->path = g_strdup(*d);
                t->wd = -1;
                g_ptr_array_add(w->targets, t);
                watch_resolve(w, t);
        }
        return g_steal_pointer(&w);
}

void mc_dir_watch_free(McDirWatch *w) {
        if (!w)
                return;
        w->flush = sd_event_source_disable_unref(w->flush);
        /* Closing the inotify fd drops every watch at once. */
        if (w->io)
                w->io = sd_event_source_disable_unref(w->io);
        else if (w->fd >= 0)
                close(w->fd);
        g_ptr_array_unref(w->targets);
        g_hash_table_unref(w->wd_refs);
        g_hash_table_unref(w->pending);
        g_free(w);
}

gboolean mc_dir_watch_is_watching(McDirWatch *w, const char *dir) {
        for (guint i = 0; i < w->targets->len; i++) {
                Target *t = w->targets->pdata[i];
                if (strcmp(t->path, dir) == 0)
                        return t->wd >= 0 && t->direct;
        }
        return FALSE;
}
