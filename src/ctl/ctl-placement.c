/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-placement.h"

#include <stdbool.h>
#include <string.h>

#include "ctl-labels.h"

static gint str_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static GPtrArray *sorted_keys(GHashTable *set) {
        GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, set);
        while (g_hash_table_iter_next(&it, &key, NULL))
                g_ptr_array_add(out, g_strdup(key));
        g_ptr_array_sort(out, str_cmp);
        return out;
}

GPtrArray *ctl_placement_traits(const McProfile *p) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        for (guint i = 0; i < p->impls->len; i++) {
                const McImpl *impl = p->impls->pdata[i];

                /* Not whether an instance is free: that is inventory. */
                if (!mc_impl_migratable(impl))
                        continue;
                for (guint m = 0; m < impl->info->models->len; m++) {
                        const McModel *model = impl->info->models->pdata[m];
                        guint nv = MAX(model->versions->len, 1);

                        for (guint v = 0; v < nv; v++) {
                                const char *version = model->versions->len ? model->versions->pdata[v] : NULL;
                                g_hash_table_add(seen, ctl_placement_trait(model->model, version, NULL));
                                for (unsigned c = 1; c < MC_CAP_ALL; c <<= 1)
                                        if (model->caps_known && (model->caps & c))
                                                g_hash_table_add(seen, ctl_placement_trait(model->model, version,
                                                                                           mc_cap_to_string((McCap) c)));
                        }
                }
        }
        return sorted_keys(seen);
}

char *ctl_placement_merge(const char *current, gsize len, GPtrArray *traits, GError **error) {
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) local = NULL;
        g_autoptr(GHashTable) set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) merged = NULL;
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autoptr(JsonNode) root = NULL;
        JsonObject *o;
        JsonArray *a;
        JsonNode *gen;

        if (!json_parser_load_from_data(parser, current, (gssize) len, &local)) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "the provider's traits are not JSON: %s", local->message);
                return NULL;
        }
        o = JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)) ? json_node_get_object(json_parser_get_root(parser))
                                                                 : NULL;
        a = o && json_object_has_member(o, "traits") && JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "traits"))
                    ? json_object_get_array_member(o, "traits")
                    : NULL;
        gen = o ? json_object_get_member(o, "resource_provider_generation") : NULL;
        if (!a || !gen || !JSON_NODE_HOLDS_VALUE(gen) || json_node_get_value_type(gen) != G_TYPE_INT64 ||
            json_node_get_int(gen) < 0) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE,
                            "the provider's traits are not what GET /resource_providers/{uuid}/traits answers: "
                            "expected {\"traits\": [...], \"resource_provider_generation\": N}");
                return NULL;
        }
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *t = json_array_get_element(a, i);
                if (!JSON_NODE_HOLDS_VALUE(t) || json_node_get_value_type(t) != G_TYPE_STRING) {
                        g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "the provider's trait %u is not a string", i + 1);
                        return NULL;
                }
                /* Ours are replaced, stale ones included; the rest kept. */
                if (!g_str_has_prefix(json_node_get_string(t), CTL_PLACEMENT_PREFIX))
                        g_hash_table_add(set, g_strdup(json_node_get_string(t)));
        }
        for (guint i = 0; i < traits->len; i++)
                g_hash_table_add(set, g_strdup(traits->pdata[i]));
        merged = sorted_keys(set);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "traits");
        json_builder_begin_array(b);
        for (guint i = 0; i < merged->len; i++)
                json_builder_add_string_value(b, merged->pdata[i]);
        json_builder_end_array(b);
        json_builder_set_member_name(b, "resource_provider_generation");
        json_builder_add_int_value(b, json_node_get_int(gen));
        json_builder_end_object(b);
        root = json_builder_get_root(b);
        return json_to_string(root, false);
}

char *ctl_nova_provider_config(const McProfile *p) {
        g_autoptr(GPtrArray) traits = ctl_placement_traits(p);
        g_autoptr(GHashTable) free_by_model = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        g_autoptr(GPtrArray) classes = NULL;
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < p->impls->len; i++) {
                const McImpl *impl = p->impls->pdata[i];

                if (!mc_impl_migratable(impl) || impl->available <= 0)
                        continue;
                for (guint m = 0; m < impl->info->models->len; m++) {
                        const McModel *model = impl->info->models->pdata[m];
                        char *rc = ctl_placement_trait(model->model, NULL, NULL);
                        gint64 *total = g_hash_table_lookup(free_by_model, rc);
                        if (!total) {
                                total = g_new0(gint64, 1);
                                g_hash_table_insert(free_by_model, rc, total);
                        } else {
                                g_free(rc);
                        }
                        /* Placement keeps totals in 32 bits. */
                        *total = MIN(*total + impl->available, (gint64) G_MAXINT32);
                }
        }
        classes = sorted_keys(free_by_model);

        g_string_append_printf(s,
                               "# OpenStack Nova provider configuration from migcompatctl, for\n"
                               "# /etc/nova/provider_config/: the device models and versions this compute\n"
                               "# node offers (traits) and its free instances of each model when written\n"
                               "# (inventory), from the host profile of %s (generation %" G_GUINT64_FORMAT ").\n"
                               "# See migcompatctl(1).\n"
                               "meta:\n"
                               "  schema_version: '1.0'\n"
                               "providers:\n",
                               *p->hostname ? p->hostname : "this host", p->generation);
        if (!traits->len && !classes->len) {
                /* Nova warns about a provider with nothing to add. */
                g_string_truncate(s, s->len - 1);
                g_string_append(s, " []\n");
                return g_string_free(s, false);
        }
        g_string_append(s, "  - identification:\n"
                           "      uuid: '$COMPUTE_NODE'\n");
        if (classes->len) {
                g_string_append(s, "    inventories:\n"
                                   "      additional:\n");
                for (guint i = 0; i < classes->len; i++) {
                        gint64 total = *(gint64 *) g_hash_table_lookup(free_by_model, classes->pdata[i]);
                        g_string_append_printf(s,
                                               "        - %s:\n"
                                               "            total: %" G_GINT64_FORMAT "\n"
                                               "            reserved: 0\n"
                                               "            min_unit: 1\n"
                                               "            max_unit: %" G_GINT64_FORMAT "\n"
                                               "            step_size: 1\n"
                                               "            allocation_ratio: 1.0\n",
                                               (char *) classes->pdata[i], total, total);
                }
        }
        if (traits->len) {
                g_string_append(s, "    traits:\n"
                                   "      additional:\n");
                for (guint i = 0; i < traits->len; i++)
                        g_string_append_printf(s, "        - %s\n", (char *) traits->pdata[i]);
        }
        return g_string_free(s, false);
}
