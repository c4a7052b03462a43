/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Reader for exported host profiles: what a central scheduler, or
 * "migcompatctl check --profile", checks against without a daemon. */

#include <string.h>

#include "mc-error.h"
#include "mc-info-parse.h"
#include "mc-json.h"
#include "mc-parse.h"
#include "mc-quote.h"

void mc_profile_free(McProfile *p) {
        if (!p)
                return;
        g_free(p->hostname);
        g_free(p->machine_id);
        g_free(p->daemon_version);
        if (p->impls)
                g_ptr_array_unref(p->impls);
        g_free(p);
}

static const char *check_path(const char *s) {
        if (strlen(s) > 4096)
                return "a path is at most 4096 bytes";
        return mc_check_str_value(s);
}

/* A vfio-pci identity: the names identity.h lists, each a string;
 * address required. */
static bool read_pci_identity(McJsonCursor *c, JsonNode *node, McImpl *impl, GError **error) {
        const char *const *members = mc_pci_identity_names;
        static const char *const required[] = { "address", NULL };
        JsonObject *o = mc_json_expect_object(c, node, members, required, error);

        if (!o)
                return false;
        for (guint i = 0; members[i]; i++) {
                g_autofree char *v = NULL;
                if (!mc_json_member_string(c, o, members[i], false, mc_check_id_string, &v, error))
                        return false;
                if (v)
                        mc_pairs_set(impl->identity, members[i], v);
        }
        impl->driver = g_strdup(mc_pairs_get(impl->identity, "driver"));
        return true;
}

static bool read_identity(McJsonCursor *c, JsonNode *node, McImpl *impl, GError **error) {
        static const char *const mdev_members[] = { "parent", "type-id", "driver", "name",
                                                    "description", "device-api", NULL };
        static const char *const mdev_required[] = { "parent", "type-id", NULL };
        static const char *const vu_members[] = { "descriptor", "binary", "args", NULL };
        static const char *const vu_required[] = { "binary", NULL };
        bool mdev = impl->kind == MC_KIND_MDEV;
        JsonObject *o;

        if (impl->kind == MC_KIND_VFIO_PCI)
                return read_pci_identity(c, node, impl, error);

        o = mc_json_expect_object(c, node, mdev ? mdev_members : vu_members,
                                  mdev ? mdev_required : vu_required, error);
        if (!o)
                return false;
        if (mdev)
                return mc_json_member_string(c, o, "parent", true, mc_check_id_string, &impl->parent, error) &&
                       mc_json_member_string(c, o, "type-id", true, mc_check_id_string, &impl->type_id, error) &&
                       mc_json_member_string(c, o, "driver", false, mc_check_id_string, &impl->driver, error) &&
                       mc_json_member_string(c, o, "name", false, mc_check_text, &impl->name, error) &&
                       mc_json_member_string(c, o, "description", false, mc_check_text, &impl->description,
                                     error) &&
                       mc_json_member_string(c, o, "device-api", false, mc_check_id_string,
                                     &impl->device_api, error);

        if (!mc_json_member_string(c, o, "descriptor", false, check_path, &impl->descriptor, error) ||
            !mc_json_member_string(c, o, "binary", true, check_path, &impl->binary, error))
                return false;
        if (impl->binary[0] != '/') {
                gsize mark = mc_json_push_member(c, "binary");
                mc_json_fail(c, error, MC_ERROR_VALUE, "expected an absolute path");
                mc_json_pop(c, mark);
                return false;
        }
        if (json_object_has_member(o, "args")) {
                gsize mark = mc_json_push_member(c, "args");
                JsonArray *a = mc_json_expect_array(c, json_object_get_member(o, "args"), 64, error);
                g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
                if (!a)
                        return false;
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        gsize imark = mc_json_push_index(c, i);
                        const char *s = mc_json_expect_string(c, json_array_get_element(a, i), NULL,
                                                              error);
                        if (!s)
                                return false;
                        g_ptr_array_add(args, g_strdup(s));
                        mc_json_pop(c, imark);
                }
                g_ptr_array_add(args, NULL);
                g_strfreev(impl->args);
                impl->args = (GStrv) g_ptr_array_free(g_steal_pointer(&args), false);
                mc_json_pop(c, mark);
        }
        return true;
}

/* Equal facts are one McInfo, as on the daemon (its facts cache): a
 * check judges each distinct set of facts of a model once, whatever the
 * number of implementations sharing it (a host with five equal GPUs).
 * Keyed by the first model's name; equal facts are compared in full. */
static McInfo *intern_info(GHashTable *seen, McInfo *info) {
        const char *key = ((McModel *) info->models->pdata[0])->model;
        GPtrArray *same = g_hash_table_lookup(seen, key);

        for (guint i = 0; same && i < same->len; i++)
                if (mc_info_equal(same->pdata[i], info)) {
                        mc_info_unref(info);
                        return mc_info_ref(same->pdata[i]);
                }
        if (!same) {
                same = g_ptr_array_new_with_free_func((GDestroyNotify) mc_info_unref);
                g_hash_table_insert(seen, (gpointer) key, same);
        }
        g_ptr_array_add(same, mc_info_ref(info));
        return info;
}

static McImpl *read_impl(McJsonCursor *c, JsonNode *node, GHashTable *infos, GError **error) {
        static const char *const members[] = { "id", "kind", "identity", "models",
                                               "available-instances", "facts-from", "facts-file",
                                               "not-migratable-reason", NULL };
        static const char *const required[] = { "id", "kind", "identity", "models",
                                                "available-instances", "facts-from", NULL };
        g_autofree char *id = NULL, *kind = NULL, *facts = NULL;
        g_autoptr(McImpl) impl = NULL;
        g_autoptr(McInfo) info = NULL;
        JsonObject *o;
        JsonNode *n;
        gsize mark;
        int k, f;

        o = mc_json_expect_object(c, node, members, required, error);
        if (!o)
                return NULL;
        if (!mc_json_member_string(c, o, "id", true, mc_check_id_string, &id, error) ||
            !mc_json_member_string(c, o, "kind", true, NULL, &kind, error))
                return NULL;
        k = mc_kind_from_string(kind);
        if (k < 0) {
                g_autofree char *q = mc_quote(kind, 32);
                mark = mc_json_push_member(c, "kind");
                mc_json_fail(c, error, MC_ERROR_VALUE, "expected \"mdev\", \"vfio-user\" or \"vfio-pci\", got \"%s\"",
                             q);
                return NULL;
        }
        impl = mc_impl_new((McKind) k, id);

        mark = mc_json_push_member(c, "identity");
        if (!read_identity(c, json_object_get_member(o, "identity"), impl, error))
                return NULL;
        mc_json_pop(c, mark);

        info = mc_info_new();
        mark = mc_json_push_member(c, "models");
        if (!mc_info_parse_models_node_full(c, json_object_get_member(o, "models"), info,
                                            MC_MODELS_DERIVED_VALUES, error))
                return NULL;
        mc_json_pop(c, mark);

        mark = mc_json_push_member(c, "available-instances");
        if (!mc_json_expect_int(c, json_object_get_member(o, "available-instances"),
                                &impl->available, error))
                return NULL;
        if (impl->available < MC_AVAILABLE_UNKNOWN ||
            (impl->available == MC_AVAILABLE_UNKNOWN) != (impl->kind == MC_KIND_VFIO_PCI)) {
                mc_json_fail(c, error, MC_ERROR_VALUE,
                             "expected a count, -1 for no limit or -2 for unknown (vfio-pci only), got %" G_GINT64_FORMAT,
                             impl->available);
                return NULL;
        }
        mc_json_pop(c, mark);

        if (!mc_json_member_string(c, o, "facts-from", true, NULL, &facts, error))
                return NULL;
        f = mc_facts_from_from_string(facts);
        mark = mc_json_push_member(c, "facts-from");
        if (f < 0) {
                g_autofree char *q = mc_quote(facts, 32);
                mc_json_fail(c, error, MC_ERROR_VALUE,
                             "expected \"driver\", \"data-file\", \"program\" or \"none\", got \"%s\"", q);
                return NULL;
        }
        impl->facts_from = (McFactsFrom) f;
        if ((info->models->len > 0) != (impl->facts_from != MC_FACTS_NONE)) {
                mc_json_fail(c, error, MC_ERROR_VALUE,
                             "\"%s\" does not fit %s device model list", facts,
                             info->models->len ? "a non-empty" : "an empty");
                return NULL;
        }
        mc_json_pop(c, mark);

        if (!mc_json_member_string(c, o, "facts-file", false, check_path, &impl->facts_file, error))
                return NULL;

        n = json_object_get_member(o, "not-migratable-reason");
        if (n && !JSON_NODE_HOLDS_NULL(n)) {
                if (!mc_json_member_string(c, o, "not-migratable-reason", false, mc_check_text,
                                   &impl->not_migratable_reason, error))
                        return NULL;
        }
        if (info->models->len > 0) {
                impl->info = intern_info(infos, g_steal_pointer(&info));
        } else if (!impl->not_migratable_reason) {
                mark = mc_json_push_member(c, "not-migratable-reason");
                mc_json_fail(c, error, MC_ERROR_MISSING_MEMBER,
                             "an implementation without device models must say why");
                return NULL;
        }
        return g_steal_pointer(&impl);
}

/* host.exported-at: RFC 3339 in UTC, to the second ("2026-12-03T07:32:38Z"),
 * the one form the daemon writes: a collector compares it with its clock. */
static bool read_exported_at(McJsonCursor *c, JsonObject *host, gint64 *ret, GError **error) {
        g_autofree char *s = NULL;
        g_autoptr(GDateTime) t = NULL;
        gsize mark;

        *ret = -1;
        if (!mc_json_member_string(c, host, "exported-at", false, mc_check_str_value, &s, error))
                return false;
        if (!s)
                return true;
        mark = mc_json_push_member(c, "exported-at");
        if (strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z' ||
            !(t = g_date_time_new_from_iso8601(s, NULL))) {
                mc_json_fail(c, error, MC_ERROR_VALUE,
                             "expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, got \"%.32s\"", s);
                return false;
        }
        *ret = g_date_time_to_unix(t);
        mc_json_pop(c, mark);
        return true;
}

static McProfile *read_profile(McJsonCursor *c, JsonNode *root, GError **error) {
        static const char *const members[] = { "host", "implementations", NULL };
        static const char *const host_members[] = { "hostname", "machine-id", "generation",
                                                    "daemon-version", "exported-at", NULL };
        static const char *const host_required[] = { "hostname", "machine-id", "generation",
                                                     "daemon-version", NULL };
        g_autoptr(McProfile) p = g_new0(McProfile, 1);
        g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
        /* first model name (in the interned info) -> GPtrArray of McInfo */
        g_autoptr(GHashTable) infos =
                g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
        JsonObject *o, *host;
        JsonArray *a;
        gsize mark;
        int64_t gen;

        o = mc_json_expect_object(c, root, members, members, error);
        if (!o)
                return NULL;

        mark = mc_json_push_member(c, "host");
        host = mc_json_expect_object(c, json_object_get_member(o, "host"), host_members,
                                     host_required, error);
        if (!host)
                return NULL;
        if (!mc_json_member_string(c, host, "hostname", true, mc_check_str_value, &p->hostname, error) ||
            !mc_json_member_string(c, host, "machine-id", true, mc_check_str_value, &p->machine_id, error) ||
            !mc_json_member_string(c, host, "daemon-version", true, mc_check_str_value,
                           &p->daemon_version, error))
                return NULL;
        {
                gsize gmark = mc_json_push_member(c, "generation");
                if (!mc_json_expect_int(c, json_object_get_member(host, "generation"), &gen, error))
                        return NULL;
                if (gen < 0) {
                        mc_json_fail(c, error, MC_ERROR_VALUE, "expected a non-negative integer");
                        return NULL;
                }
                p->generation = (guint64) gen;
                mc_json_pop(c, gmark);
        }
        if (!read_exported_at(c, host, &p->exported_at, error))
                return NULL;
        mc_json_pop(c, mark);

        mark = mc_json_push_member(c, "implementations");
        a = mc_json_expect_array(c, json_object_get_member(o, "implementations"),
                                 MC_MAX_PROFILE_IMPLS, error);
        if (!a)
                return NULL;
        p->impls = g_ptr_array_new_with_free_func((GDestroyNotify) mc_impl_unref);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                gsize imark = mc_json_push_index(c, i);
                McImpl *impl = read_impl(c, json_array_get_element(a, i), infos, error);
                if (!impl)
                        return NULL;
                g_ptr_array_add(p->impls, impl);
                if (!g_hash_table_add(ids, impl->id)) {
                        mc_json_fail(c, error, MC_ERROR_DUPLICATE,
                                     "implementation id \"%s\" appears twice", impl->id);
                        return NULL;
                }
                mc_json_pop(c, imark);
        }
        mc_json_pop(c, mark);
        return g_steal_pointer(&p);
}

McProfile *mc_profile_parse(const char *data, gsize len, const char *origin, GError **error) {
        g_autoptr(JsonNode) root = mc_json_parse_limited(data, len, MC_MAX_PROFILE_SIZE, origin,
                                                         error);
        McJsonCursor c;
        McProfile *p;

        if (!root)
                return NULL;
        mc_json_cursor_init(&c, origin);
        p = read_profile(&c, root, error);
        mc_json_cursor_clear(&c);
        return p;
}
