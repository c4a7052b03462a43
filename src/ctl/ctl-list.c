/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "list": one row per implementation object, from one GetManagedObjects
 * call. */

#include <stdio.h>

#include "ctl-bus.h"
#include "ctl-table.h"
#include "ctl.h"

static char *free_cell(gint64 available) {
        if (available == MC_AVAILABLE_UNKNOWN)
                return g_strdup("unknown");
        return available < 0 ? g_strdup("unlimited") : g_strdup_printf("%" G_GINT64_FORMAT, available);
}

static JsonNode *object_to_json(const CtlObject *o) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        JsonObject *p = o->props;
        const char *model = ctl_json_str(p, "Model");
        bool migratable = ctl_json_bool(p, "Migratable", false);
        JsonArray *versions = ctl_json_arr(p, "Versions");

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, ctl_json_str(p, "ID"));
        json_builder_set_member_name(b, "path");
        json_builder_add_string_value(b, o->path);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, ctl_json_str(p, "Kind"));
        json_builder_set_member_name(b, "model");
        if (model && *model)
                json_builder_add_string_value(b, model);
        else
                json_builder_add_null_value(b);
        json_builder_set_member_name(b, "versions");
        json_builder_begin_array(b);
        for (guint i = 0; versions && i < json_array_get_length(versions); i++)
                json_builder_add_string_value(b, json_array_get_string_element(versions, i));
        json_builder_end_array(b);
        json_builder_set_member_name(b, "available-instances");
        json_builder_add_int_value(b, ctl_json_int(p, "AvailableInstances", 0));
        json_builder_set_member_name(b, "migratable");
        json_builder_add_boolean_value(b, migratable);
        json_builder_set_member_name(b, "not-migratable-reason");
        if (!migratable)
                json_builder_add_string_value(b, ctl_json_str(p, "NotMigratableReason"));
        else
                json_builder_add_null_value(b);
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

int ctl_verb_list(const CtlOptions *opts, int argc, char **argv) {
        static const char *const headers[] = { "ID", "KIND", "MODEL", "VERSIONS", "FREE", "MIGRATABLE" };
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(GPtrArray) objects = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(CtlTable) table = NULL;
        g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) migratable_ids = g_hash_table_new(g_str_hash, g_str_equal);
        int r;

        r = ctl_bus_open(&bus, &error);
        if (r == 0)
                r = ctl_bus_get_objects(bus, &objects, &error);
        if (r)
                return ctl_fail(error);

        if (opts->json) {
                g_autoptr(JsonArray) a = json_array_new();
                g_autoptr(JsonNode) root = NULL;
                for (guint i = 0; i < objects->len; i++)
                        json_array_add_element(a, object_to_json(objects->pdata[i]));
                root = json_node_init_array(json_node_alloc(), a);
                ctl_print_json(root);
                return CTL_EXIT_OK;
        }
        if (opts->quiet)
                return CTL_EXIT_OK;

        table = ctl_table_new(G_N_ELEMENTS(headers), headers);
        /* The version list gives way first (its preferred version leads),
         * then ids and models, the wider first. */
        ctl_table_set_elide(table, 3, CTL_ELIDE_END, 8, 0);
        ctl_table_set_elide(table, 0, CTL_ELIDE_MIDDLE, 16, 1);
        ctl_table_set_elide(table, 2, CTL_ELIDE_MIDDLE, 12, 1);
        for (guint i = 0; i < objects->len; i++) {
                const CtlObject *o = objects->pdata[i];
                JsonObject *p = o->props;
                const char *id = ctl_json_str(p, "ID");
                const char *model = ctl_json_str(p, "Model");
                bool migratable = ctl_json_bool(p, "Migratable", false);
                JsonNode *vn = json_object_get_member(p, "Versions");
                g_autofree char *versions = NULL;
                g_autofree char *free_text = free_cell(ctl_json_int(p, "AvailableInstances", 0));
                const char *cells[6];

                /* "v2,v1": no blanks inside a cell. */
                if (vn && JSON_NODE_HOLDS_ARRAY(vn)) {
                        JsonArray *va = json_node_get_array(vn);
                        g_autoptr(GString) s = g_string_new(NULL);
                        for (guint k = 0; k < json_array_get_length(va); k++)
                                g_string_append_printf(s, "%s%s", k ? "," : "",
                                                       json_array_get_string_element(va, k));
                        if (s->len)
                                versions = g_string_free(g_steal_pointer(&s), false);
                }
                cells[0] = id;
                cells[1] = ctl_json_str(p, "Kind");
                cells[2] = model && *model ? model : NULL;
                cells[3] = versions;
                cells[4] = free_text;
                cells[5] = migratable ? "yes" : "no";
                ctl_table_add_row(table, cells);
                g_hash_table_add(ids, (gpointer) id);
                if (migratable)
                        g_hash_table_add(migratable_ids, (gpointer) id);
        }
        ctl_table_print(table, ctl_output_width(opts->full), opts->legend);
        if (opts->legend) {
                guint n = g_hash_table_size(ids), m = g_hash_table_size(migratable_ids);
                g_autofree char *objs = objects->len != n
                                                ? g_strdup_printf(" (%u bus objects: one per device model)", objects->len)
                                                : g_strdup("");
                printf("\n%u implementation%s listed%s: %u migratable, %u not migratable.\n", n,
                       n == 1 ? "" : "s", objs, m, n - m);
        }
        return CTL_EXIT_OK;
}
