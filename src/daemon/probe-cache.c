/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include "probe-cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf-dirs.h"
#include "mc-json.h"
#include "mc-log.h"
#include "mc-types.h"

/* Bump when what a cached result means changes (how programs are run,
 * what is stored). */
#define CACHE_FORMAT "migcompat-probe-cache/1"
#define CACHE_SUBDIR "vfio-user"
/* base64 of the largest output plus the key. */
#define CACHE_FILE_MAX (MC_MAX_DOCUMENT_SIZE / 3 * 4 + 64 * 1024)
#define CACHE_MAX_DEPTH 2

struct McProbeCache {
        char *dir;
        GHashTable *warned; /* names whose bad cache file was already reported */
        bool warned_write;
};

void mc_probe_key_init(McProbeKey *key, const char *binary, const struct stat *st,
                       const char *descriptor, gsize descriptor_len) {
        key->binary = g_strdup(binary);
        key->dev = (guint64) st->st_dev;
        key->ino = (guint64) st->st_ino;
        key->size = (guint64) st->st_size;
        key->mtime_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_mtim.tv_nsec;
        key->descriptor_sha256 =
                g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) descriptor, descriptor_len);
}

void mc_probe_key_clear(McProbeKey *key) {
        g_clear_pointer(&key->binary, g_free);
        g_clear_pointer(&key->descriptor_sha256, g_free);
}

void mc_probe_key_copy(McProbeKey *dst, const McProbeKey *src) {
        *dst = *src;
        dst->binary = g_strdup(src->binary);
        dst->descriptor_sha256 = g_strdup(src->descriptor_sha256);
}

bool mc_probe_key_same_binary(const McProbeKey *a, const McProbeKey *b) {
        return g_strcmp0(a->binary, b->binary) == 0 && a->dev == b->dev && a->ino == b->ino &&
               a->size == b->size && a->mtime_ns == b->mtime_ns;
}

bool mc_probe_key_equal(const McProbeKey *a, const McProbeKey *b) {
        return mc_probe_key_same_binary(a, b) &&
               g_strcmp0(a->descriptor_sha256, b->descriptor_sha256) == 0;
}

void mc_probe_cache_entry_clear(McProbeCacheEntry *e) {
        g_clear_pointer(&e->output, g_bytes_unref);
        g_clear_pointer(&e->reason, g_free);
        e->ok = false;
}

McProbeCache *mc_probe_cache_new(const char *dir) {
        McProbeCache *c = g_new0(McProbeCache, 1);
        c->dir = g_strdup(dir);
        c->warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        return c;
}

void mc_probe_cache_free(McProbeCache *c) {
        if (!c)
                return;
        g_free(c->dir);
        g_hash_table_unref(c->warned);
        g_free(c);
}

char *mc_probe_cache_path(McProbeCache *c, const char *name) {
        if (!c->dir)
                return NULL;
        return g_build_filename(c->dir, CACHE_SUBDIR, name, NULL);
}

static bool name_ok(const char *name) {
        return name && name[0] != '\0' && name[0] != '.' && !strchr(name, '/') &&
               strlen(name) <= NAME_MAX;
}

/* The vfio-user subdirectory, opened without following a symlink there.
 * Opened per operation, so that a cache directory removed while we run is
 * simply recreated. */
static int cache_dir_open(McProbeCache *c, bool create) {
        int root, fd;

        if (!c->dir)
                return -ENOENT;
        root = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0 && errno == ENOENT && create) {
                if (mkdir(c->dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                root = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (root < 0)
                return -errno;
        fd = openat(root, CACHE_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
                if (mkdirat(root, CACHE_SUBDIR, 0755) < 0 && errno != EEXIST) {
                        int r = -errno;
                        close(root);
                        return r;
                }
                fd = openat(root, CACHE_SUBDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
                int r = -errno;
                close(root);
                return r;
        }
        close(root);
        return fd;
}

static void warn_once(McProbeCache *c, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void warn_once(McProbeCache *c, const char *name, const char *fmt, ...) {
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (g_hash_table_contains(c->warned, name)) {
                mc_log_debug("%s", msg);
                return;
        }
        g_hash_table_add(c->warned, g_strdup(name));
        mc_log_warning("%s", msg);
}

/* json-glib parses recursively; refuse deep nesting before it does. Our
 * files are two levels deep. */
static bool json_depth_ok(const char *data, gsize len, unsigned max) {
        unsigned depth = 0;
        bool in_string = false, escaped = false;

        for (gsize i = 0; i < len; i++) {
                char ch = data[i];
                if (in_string) {
                        if (escaped)
                                escaped = false;
                        else if (ch == '\\')
                                escaped = true;
                        else if (ch == '"')
                                in_string = false;
                } else if (ch == '"') {
                        in_string = true;
                } else if (ch == '{' || ch == '[') {
                        if (++depth > max)
                                return false;
                } else if ((ch == '}' || ch == ']') && depth > 0) {
                        depth--;
                }
        }
        return true;
}

static const char *member_str(JsonObject *o, const char *name) {
        JsonNode *n = json_object_get_member(o, name);
        if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
                return NULL;
        return json_node_get_string(n);
}

static bool member_u64(JsonObject *o, const char *name, guint64 *ret) {
        const char *s = member_str(o, name);
        return s && g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, ret, NULL);
}

bool mc_probe_cache_lookup(McProbeCache *c, const char *name, const McProbeKey *key,
                           McProbeCacheEntry *ret) {
        g_autoptr(JsonNode) tree = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *data = NULL;
        g_autofree char *path = NULL;
        JsonObject *o;
        JsonNode *root, *okn;
        const char *s;
        gsize len = 0;
        guint64 dev, ino, size, mtime;
        int dfd, fd;
        bool ok;

        memset(ret, 0, sizeof *ret);
        if (!c->dir || !name_ok(name))
                return false;
        dfd = cache_dir_open(c, false);
        if (dfd < 0)
                return false;
        fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        close(dfd);
        path = mc_probe_cache_path(c, name);
        if (fd < 0) {
                if (errno != ENOENT)
                        warn_once(c, name, "Ignoring cache file %s: %s", path, g_strerror(errno));
                return false;
        }
        ok = mc_conf_fd_read(fd, path, CACHE_FILE_MAX, &data, &len, &error);
        close(fd);
        if (!ok) {
                warn_once(c, name, "Ignoring cache file: %s", error->message);
                return false;
        }
        if (!json_depth_ok(data, len, CACHE_MAX_DEPTH)) {
                warn_once(c, name, "Ignoring cache file %s: nested too deeply", path);
                return false;
        }
        /* Read as every JSON document is (mc-json.h): strict RFC 8259. */
        tree = mc_json_parse_limited(data, len, CACHE_FILE_MAX, path, &error);
        if (!tree) {
                warn_once(c, name, "Ignoring cache file: %s", error->message);
                return false;
        }
        root = tree;
        if (!root || !JSON_NODE_HOLDS_OBJECT(root) ||
            g_strcmp0(member_str(o = json_node_get_object(root), "format"), CACHE_FORMAT) != 0) {
                warn_once(c, name, "Ignoring cache file %s: not a %s file", path, CACHE_FORMAT);
                return false;
        }
        okn = json_object_get_member(o, "ok");
        if (!member_str(o, "binary") || !member_str(o, "descriptor-sha256") ||
            !member_u64(o, "dev", &dev) || !member_u64(o, "ino", &ino) ||
            !member_u64(o, "size", &size) || !member_u64(o, "mtime-ns", &mtime) || !okn ||
            !JSON_NODE_HOLDS_VALUE(okn) || json_node_get_value_type(okn) != G_TYPE_BOOLEAN) {
                warn_once(c, name, "Ignoring cache file %s: missing or malformed key", path);
                return false;
        }
        if (strcmp(member_str(o, "binary"), key->binary) != 0 ||
            strcmp(member_str(o, "descriptor-sha256"), key->descriptor_sha256) != 0 ||
            dev != key->dev || ino != key->ino || size != key->size ||
            mtime != (guint64) key->mtime_ns) {
                mc_log_debug("Cache entry %s is stale", path);
                return false;
        }

        if (json_node_get_boolean(okn)) {
                g_autofree guchar *out = NULL;
                gsize out_len = 0;

                s = member_str(o, "output-base64");
                if (!s) {
                        warn_once(c, name, "Ignoring cache file %s: no output", path);
                        return false;
                }
                out = g_base64_decode(s, &out_len);
                if (out_len > MC_MAX_DOCUMENT_SIZE) {
                        warn_once(c, name, "Ignoring cache file %s: output too large", path);
                        return false;
                }
                ret->ok = true;
                ret->output = g_bytes_new_take(g_steal_pointer(&out), out_len);
        } else {
                s = member_str(o, "reason");
                if (!s || !g_utf8_validate(s, -1, NULL)) {
                        warn_once(c, name, "Ignoring cache file %s: no reason", path);
                        return false;
                }
                ret->ok = false;
                ret->reason = g_strdup(s);
        }
        return true;
}

static char *entry_to_json(const McProbeKey *key, bool ok, GBytes *output, const char *reason) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = NULL;
        char num[32];

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "format");
        json_builder_add_string_value(b, CACHE_FORMAT);
        json_builder_set_member_name(b, "binary");
        json_builder_add_string_value(b, key->binary);
        /* Numbers as strings: st_dev and st_ino are unsigned 64-bit. */
        json_builder_set_member_name(b, "dev");
        g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, key->dev);
        json_builder_add_string_value(b, num);
        json_builder_set_member_name(b, "ino");
        g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, key->ino);
        json_builder_add_string_value(b, num);
        json_builder_set_member_name(b, "size");
        g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, key->size);
        json_builder_add_string_value(b, num);
        json_builder_set_member_name(b, "mtime-ns");
        g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, (guint64) key->mtime_ns);
        json_builder_add_string_value(b, num);
        json_builder_set_member_name(b, "descriptor-sha256");
        json_builder_add_string_value(b, key->descriptor_sha256);
        json_builder_set_member_name(b, "ok");
        json_builder_add_boolean_value(b, ok);
        if (ok) {
                gsize len = 0;
                const guchar *d = g_bytes_get_data(output, &len);
                g_autofree char *enc = g_base64_encode(d, len);
                /* The raw output, not a re-serialisation: parsing again on
                 * load applies the current parser's rules. */
                json_builder_set_member_name(b, "output-base64");
                json_builder_add_string_value(b, enc);
        } else {
                g_autofree char *valid = g_utf8_make_valid(reason ? reason : "unknown", -1);
                json_builder_set_member_name(b, "reason");
                json_builder_add_string_value(b, valid);
        }
        json_builder_end_object(b);

        root = json_builder_get_root(b);
        json_generator_set_root(gen, root);
        return json_generator_to_data(gen, NULL);
}

static bool write_all(int fd, const char *data, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                data += n;
                len -= (size_t) n;
        }
        return true;
}

void mc_probe_cache_store(McProbeCache *c, const char *name, const McProbeKey *key, bool ok,
                          GBytes *output, const char *reason) {
        g_autofree char *json = NULL;
        char tmp[64];
        int dfd, fd, err = 0;

        if (!c->dir || !name_ok(name) || (ok && !output))
                return;
        if (ok && g_bytes_get_size(output) > MC_MAX_DOCUMENT_SIZE)
                return;

        json = entry_to_json(key, ok, output, reason);
        dfd = cache_dir_open(c, true);
        if (dfd < 0) {
                if (!c->warned_write)
                        mc_log_warning("Cannot use the probe cache in %s: %s", c->dir, g_strerror(-dfd));
                c->warned_write = true;
                return;
        }

        /* A fixed-size hidden temporary name: never collides with a
         * descriptor name (those are not hidden), never too long. */
        g_snprintf(tmp, sizeof tmp, ".tmp-%08x%08x", g_random_int(), g_random_int());
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0) {
                err = errno;
        } else {
                if (!write_all(fd, json, strlen(json)))
                        err = errno;
                if (close(fd) < 0 && err == 0)
                        err = errno;
                if (err == 0 && renameat(dfd, tmp, dfd, name) < 0)
                        err = errno;
                if (err != 0)
                        (void) unlinkat(dfd, tmp, 0);
        }
        close(dfd);

        if (err != 0) {
                if (!c->warned_write)
                        mc_log_warning("Cannot write the probe cache in %s: %s", c->dir, g_strerror(err));
                c->warned_write = true;
                return;
        }
        /* A new file: report problems with it again. */
        g_hash_table_remove(c->warned, name);
}

void mc_probe_cache_remove(McProbeCache *c, const char *name) {
        int dfd;

        if (!c->dir || !name_ok(name))
                return;
        dfd = cache_dir_open(c, false);
        if (dfd < 0)
                return;
        if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                mc_log_debug("Cannot remove cache entry %s: %s", name, g_strerror(errno));
        close(dfd);
        g_hash_table_remove(c->warned, name);
}

void mc_probe_cache_prune(McProbeCache *c, GHashTable *keep) {
        struct dirent *de;
        DIR *d;
        int dfd;

        if (!c->dir)
                return;
        dfd = cache_dir_open(c, false);
        if (dfd < 0)
                return;
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return;
        }
        while ((de = readdir(d))) {
                bool stale_tmp = g_str_has_prefix(de->d_name, ".tmp-");
                if (!stale_tmp &&
                    (!name_ok(de->d_name) || (keep && g_hash_table_contains(keep, de->d_name))))
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
                        mc_log_debug("Cannot remove cache entry %s: %s", de->d_name, g_strerror(errno));
        }
        closedir(d);
}
