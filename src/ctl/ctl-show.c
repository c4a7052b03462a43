/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "show ID": everything the daemon publishes about one implementation, for
 * people (aligned "Label: value" lines, like systemctl status) or as JSON.
 * An implementation that offers several device models is one bus object
 * per model; they are shown together. */

#include <stdio.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl.h"

#define LABEL_WIDTH 14

/* A parameter as the Parameters property carries it:
 * (name, type, init_value, has off_value, off_value, allowed, description). */
typedef struct {
        const char *name, *type, *description;
        JsonNode *init, *off; /* off NULL: cannot be turned off */
        JsonArray *allowed;   /* empty: any value */
} Param;

static bool param_from_json(JsonNode *n, Param *p) {
        JsonArray *a = n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
        JsonNode *allowed;

        if (!a || json_array_get_length(a) != 7)
                return false;
        *p = (Param) {
                .name = json_array_get_string_element(a, 0),
                .type = json_array_get_string_element(a, 1),
                .init = json_array_get_element(a, 2),
                .off = json_array_get_boolean_element(a, 3) ? json_array_get_element(a, 4) : NULL,
                .description = json_array_get_string_element(a, 6),
        };
        allowed = json_array_get_element(a, 5);
        p->allowed = JSON_NODE_HOLDS_ARRAY(allowed) ? json_node_get_array(allowed) : NULL;
        return p->name && p->type;
}

/* The form sysfs and command lines use: on/off, decimal, the string. */
static char *value_text(JsonNode *v) {
        if (v && JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_BOOLEAN)
                return g_strdup(json_node_get_boolean(v) ? "on" : "off");
        if (v && JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING &&
            !*json_node_get_string(v))
                return g_strdup("\"\"");
        return ctl_json_display(v);
}

static char *allowed_text(JsonArray *a) {
        g_autoptr(GString) s = g_string_new(NULL);
        for (guint i = 0; a && i < json_array_get_length(a); i++)
                g_string_append_printf(s, "%s%s", i ? ", " : "", json_array_get_string_element(a, i));
        return s->len ? g_string_free(g_steal_pointer(&s), false) : g_strdup("any");
}

/* "      Label: value", value wrapped (and its own lines kept) under itself. */
static void field(const char *label, const char *value) {
        g_auto(GStrv) lines = NULL;

        if (!value || !*value)
                return;
        lines = g_strsplit(value, "\n", -1);
        for (guint i = 0; lines[i]; i++) {
                g_autofree char *prefix = g_strdup_printf("%*s%s ", LABEL_WIDTH, i ? "" : label, i ? " " : ":");
                if (!*lines[i] && !lines[i + 1])
                        break;
                ctl_print_wrapped(prefix, LABEL_WIDTH + 2, lines[i]);
        }
}

static char *facts_text(JsonObject *p) {
        const char *source = ctl_json_str(p, "Source");
        const char *file = ctl_json_str(p, "SourceFile");

        if (g_strcmp0(source, "driver") == 0)
                return g_strdup("driver (the mdev type's own migration attributes)");
        if (g_strcmp0(source, "data-file") == 0)
                return g_strdup_printf("data file %s", file && *file ? file : "(unnamed)");
        if (g_strcmp0(source, "program") == 0)
                return g_strdup_printf("program (%s --print-migration-info-json)", ctl_json_str(p, "Binary"));
        return g_strdup("none");
}

static void print_params(JsonArray *params) {
        guint wn = 4, wt = 4, wi = 4, wo = 3;
        guint n = params ? json_array_get_length(params) : 0;

        if (n == 0) {
                field("Parameters", "none");
                return;
        }
        for (guint i = 0; i < n; i++) {
                Param p;
                g_autofree char *init = NULL, *off = NULL;
                if (!param_from_json(json_array_get_element(params, i), &p))
                        continue;
                init = value_text(p.init);
                off = p.off ? value_text(p.off) : g_strdup("-");
                wn = MAX(wn, strlen(p.name));
                wt = MAX(wt, strlen(p.type));
                wi = MAX(wi, strlen(init));
                wo = MAX(wo, strlen(off));
        }
        printf("%*s:\n", LABEL_WIDTH, "Parameters");
        printf("%*s%-*s  %-*s  %-*s  %-*s  %s\n", LABEL_WIDTH - 6, "", (int) wn, "NAME", (int) wt, "TYPE",
               (int) wi, "INIT", (int) wo, "OFF", "ALLOWED");
        for (guint i = 0; i < n; i++) {
                Param p;
                g_autofree char *init = NULL, *off = NULL, *allowed = NULL, *row = NULL;
                if (!param_from_json(json_array_get_element(params, i), &p))
                        continue;
                init = value_text(p.init);
                off = p.off ? value_text(p.off) : g_strdup("-");
                allowed = allowed_text(p.allowed);
                row = g_strdup_printf("%*s%-*s  %-*s  %-*s  %-*s  ", LABEL_WIDTH - 6, "", (int) wn, p.name,
                                      (int) wt, p.type, (int) wi, init, (int) wo, off);
                ctl_print_wrapped(row, (int) strlen(row), allowed);
                if (p.description && *p.description) {
                        g_autofree char *indent = g_strdup_printf("%*s", LABEL_WIDTH - 4, "");
                        ctl_print_wrapped(indent, LABEL_WIDTH - 4, p.description);
                }
        }
        printf("%*s(OFF \"-\": the parameter cannot be turned off and must be given)\n", LABEL_WIDTH - 6, "");
}

/* An identity value, "-" when the host does not show it. */
static const char *ident_str(JsonObject *ident, const char *name) {
        JsonNode *n = ident ? json_object_get_member(ident, name) : NULL;
        return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_string(n) ? json_node_get_string(n) : "-";
}

static void print_human(const char *id, GPtrArray *objs) {
        JsonObject *p = ((CtlObject *) objs->pdata[0])->props;
        const char *kind = ctl_json_str(p, "Kind");
        bool migratable = ctl_json_bool(p, "Migratable", false);
        gint64 avail = ctl_json_int(p, "AvailableInstances", 0);
        g_autofree char *facts = facts_text(p);
        g_autofree char *free_text =
                avail == MC_AVAILABLE_UNKNOWN ? g_strdup("unknown (sysfs does not show whether a VM uses it)")
                : avail < 0                   ? g_strdup("unlimited (a program runs once per device)")
                                              : g_strdup_printf("%" G_GINT64_FORMAT, avail);

        puts(id);
        if (g_strcmp0(kind, "mdev") == 0) {
                const char *driver = ctl_json_str(p, "Driver");
                const char *name = ctl_json_str(p, "Name");
                g_autofree char *parent = driver && *driver
                                                  ? g_strdup_printf("%s (driver %s)", ctl_json_str(p, "Parent"), driver)
                                                  : g_strdup_printf("%s (no driver bound)", ctl_json_str(p, "Parent"));
                g_autofree char *type = name && *name ? g_strdup_printf("%s, \"%s\"", ctl_json_str(p, "TypeId"), name)
                                                      : g_strdup(ctl_json_str(p, "TypeId"));
                field("Kind", "mdev (a mediated device type)");
                field("Parent", parent);
                field("Type", type);
                field("Description", ctl_json_str(p, "Description"));
                field("Device API", ctl_json_str(p, "DeviceAPI"));
        } else if (g_strcmp0(kind, "vfio-pci") == 0) {
                JsonObject *ident = ctl_json_obj(p, "Identity");
                const char *pf = ctl_json_str(p, "PhysicalFunction");
                g_autofree char *ids = g_strdup_printf(
                        "%s:%s (subsystem %s:%s, class %s)", ident_str(ident, "vendor"),
                        ident_str(ident, "device"), ident_str(ident, "subsystem-vendor"),
                        ident_str(ident, "subsystem-device"), ident_str(ident, "class"));
                g_autofree char *drv = g_strdup_printf(
                        "%s (module %s, version %s, srcversion %s)", ctl_json_str(p, "Driver"),
                        ident_str(ident, "driver-module"), ident_str(ident, "driver-version"),
                        ident_str(ident, "driver-srcversion"));
                field("Kind", "vfio-pci (a PCI function on a VFIO driver)");
                field("Address", ctl_json_str(p, "Address"));
                field("IDs", ids);
                field("Driver", drv);
                field("IOMMU group", ctl_json_str(p, "IOMMUGroup"));
                if (pf && *pf) {
                        g_autofree char *pft = g_strdup_printf(
                                "%s (driver %s, firmware %s, board %s)", pf, ident_str(ident, "pf-driver"),
                                ident_str(ident, "pf-firmware"), ident_str(ident, "pf-board-id"));
                        field("PF", pft);
                }
        } else {
                JsonNode *args = json_object_get_member(p, "Arguments");
                g_autofree char *argv = args ? ctl_json_display(args) : NULL;
                field("Kind", "vfio-user (a device program)");
                field("Descriptor", ctl_json_str(p, "Descriptor"));
                field("Binary", ctl_json_str(p, "Binary"));
                field("Arguments", argv && *argv ? argv : "none");
        }
        field("Migratable", migratable ? "yes" : "no");
        if (!migratable)
                field("Reason", ctl_json_str(p, "NotMigratableReason"));
        field("Facts from", facts);
        field("Free", free_text);
        if (!migratable) {
                field("Object", ((CtlObject *) objs->pdata[0])->path);
                return;
        }

        for (guint i = 0; i < objs->len; i++) {
                const CtlObject *o = objs->pdata[i];
                JsonObject *op = o->props;
                JsonArray *versions = ctl_json_arr(op, "Versions");
                JsonNode *caps = json_object_get_member(op, "Capabilities");
                g_autoptr(GString) vtext = g_string_new(NULL);
                g_autofree char *ctext = NULL;

                printf("\nDevice model %s\n", ctl_json_str(op, "Model"));
                field("Object", o->path);
                for (guint k = 0; versions && k < json_array_get_length(versions); k++)
                        g_string_append_printf(vtext, "%s%s%s", k ? ", " : "", json_array_get_string_element(versions, k),
                                               k == 0 ? " (preferred)" : "");
                field("Versions", vtext->len ? vtext->str : "none (matched by parameters only)");
                {
                        const char *tmpl = ctl_json_str(op, "DerivedVersionTemplate");
                        JsonNode *from = json_object_get_member(op, "DerivedFrom");
                        if (tmpl && *tmpl) {
                                g_autofree char *ftext = from ? ctl_json_display(from) : NULL;
                                g_autofree char *dtext = g_strdup_printf("%s from %s", tmpl,
                                                                         ftext ? ftext : "?");
                                field("Derived", dtext);
                        }
                }
                if (!ctl_json_bool(op, "CapabilitiesKnown", false))
                        ctext = g_strdup("not stated (unknown, not none)");
                else if (caps && JSON_NODE_HOLDS_ARRAY(caps) && json_array_get_length(json_node_get_array(caps)))
                        ctext = ctl_json_display(caps);
                else
                        ctext = g_strdup("none");
                field("Capabilities", ctext);
                print_params(ctl_json_arr(op, "Parameters"));
        }
}

static void add_opt_string(JsonBuilder *b, JsonObject *p, const char *member, const char *prop) {
        const char *v = ctl_json_str(p, prop);
        if (!v || !*v)
                return;
        json_builder_set_member_name(b, member);
        json_builder_add_string_value(b, v);
}

static void build_param(JsonBuilder *b, const Param *p) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, p->name);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, p->type);
        json_builder_set_member_name(b, "init_value");
        json_builder_add_value(b, json_node_copy(p->init));
        if (p->off) {
                json_builder_set_member_name(b, "off_value");
                json_builder_add_value(b, json_node_copy(p->off));
        }
        if (p->allowed && json_array_get_length(p->allowed)) {
                json_builder_set_member_name(b, "allowed_values");
                json_builder_begin_array(b);
                for (guint i = 0; i < json_array_get_length(p->allowed); i++)
                        json_builder_add_string_value(b, json_array_get_string_element(p->allowed, i));
                json_builder_end_array(b);
        }
        if (p->description && *p->description) {
                json_builder_set_member_name(b, "description");
                json_builder_add_string_value(b, p->description);
        }
        json_builder_end_object(b);
}

static JsonNode *build_json(const char *id, GPtrArray *objs) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        JsonObject *p = ((CtlObject *) objs->pdata[0])->props;
        bool migratable = ctl_json_bool(p, "Migratable", false);
        const char *kind = ctl_json_str(p, "Kind");

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, id);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, kind);
        json_builder_set_member_name(b, "identity");
        json_builder_begin_object(b);
        if (g_strcmp0(kind, "vfio-pci") == 0) {
                JsonObject *ident = ctl_json_obj(p, "Identity");
                g_autoptr(GList) names = ident ? json_object_get_members(ident) : NULL;
                for (GList *l = names; l; l = l->next) {
                        json_builder_set_member_name(b, l->data);
                        json_builder_add_string_value(b, json_object_get_string_member(ident, l->data));
                }
        } else if (g_strcmp0(kind, "mdev") == 0) {
                add_opt_string(b, p, "parent", "Parent");
                add_opt_string(b, p, "type-id", "TypeId");
                add_opt_string(b, p, "driver", "Driver");
                add_opt_string(b, p, "name", "Name");
                add_opt_string(b, p, "description", "Description");
                add_opt_string(b, p, "device-api", "DeviceAPI");
        } else {
                JsonNode *args = json_object_get_member(p, "Arguments");
                add_opt_string(b, p, "descriptor", "Descriptor");
                add_opt_string(b, p, "binary", "Binary");
                json_builder_set_member_name(b, "args");
                if (args && JSON_NODE_HOLDS_ARRAY(args))
                        json_builder_add_value(b, json_node_copy(args));
                else
                        json_builder_add_null_value(b);
        }
        json_builder_end_object(b);
        json_builder_set_member_name(b, "migratable");
        json_builder_add_boolean_value(b, migratable);
        json_builder_set_member_name(b, "not-migratable-reason");
        if (migratable)
                json_builder_add_null_value(b);
        else
                json_builder_add_string_value(b, ctl_json_str(p, "NotMigratableReason"));
        json_builder_set_member_name(b, "facts-from");
        json_builder_add_string_value(b, ctl_json_str(p, "Source"));
        add_opt_string(b, p, "facts-file", "SourceFile");
        json_builder_set_member_name(b, "available-instances");
        json_builder_add_int_value(b, ctl_json_int(p, "AvailableInstances", 0));
        json_builder_set_member_name(b, "models");
        json_builder_begin_array(b);
        for (guint i = 0; migratable && i < objs->len; i++) {
                const CtlObject *o = objs->pdata[i];
                JsonObject *op = o->props;
                JsonArray *params = ctl_json_arr(op, "Parameters");
                JsonNode *versions = json_object_get_member(op, "Versions");
                JsonNode *caps = json_object_get_member(op, "Capabilities");

                json_builder_begin_object(b);
                json_builder_set_member_name(b, "model");
                json_builder_add_string_value(b, ctl_json_str(op, "Model"));
                json_builder_set_member_name(b, "path");
                json_builder_add_string_value(b, o->path);
                json_builder_set_member_name(b, "versions");
                if (versions) {
                        json_builder_add_value(b, json_node_copy(versions));
                } else {
                        json_builder_begin_array(b);
                        json_builder_end_array(b);
                }
                {
                        const char *tmpl = ctl_json_str(op, "DerivedVersionTemplate");
                        JsonNode *from = json_object_get_member(op, "DerivedFrom");
                        if (tmpl && *tmpl) {
                                json_builder_set_member_name(b, "derived-version");
                                json_builder_add_string_value(b, tmpl);
                                json_builder_set_member_name(b, "derived-from");
                                json_builder_add_value(b, from ? json_node_copy(from)
                                                               : json_node_new(JSON_NODE_NULL));
                        }
                }
                json_builder_set_member_name(b, "capabilities");
                if (ctl_json_bool(op, "CapabilitiesKnown", false) && caps)
                        json_builder_add_value(b, json_node_copy(caps));
                else
                        json_builder_add_null_value(b);
                json_builder_set_member_name(b, "parameters");
                json_builder_begin_array(b);
                for (guint k = 0; params && k < json_array_get_length(params); k++) {
                        Param prm;
                        if (param_from_json(json_array_get_element(params, k), &prm))
                                build_param(b, &prm);
                }
                json_builder_end_array(b);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_set_member_name(b, "objects");
        json_builder_begin_array(b);
        for (guint i = 0; i < objs->len; i++)
                json_builder_add_string_value(b, ((CtlObject *) objs->pdata[i])->path);
        json_builder_end_array(b);
        json_builder_end_object(b);
        return json_builder_get_root(b);
}

int ctl_verb_show(const CtlOptions *opts, int argc, char **argv) {
        const char *id = argv[1];
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(GPtrArray) objects = NULL;
        g_autoptr(GPtrArray) mine = g_ptr_array_new();
        g_autoptr(GError) error = NULL;
        int r;

        r = ctl_bus_open(&bus, &error);
        if (r == 0)
                r = ctl_bus_get_objects(bus, &objects, &error);
        if (r)
                return ctl_fail(error);
        for (guint i = 0; i < objects->len; i++) {
                CtlObject *o = objects->pdata[i];
                if (g_strcmp0(ctl_json_str(o->props, "ID"), id) == 0)
                        g_ptr_array_add(mine, o);
        }
        if (mine->len == 0)
                return ctl_error(CTL_EXIT_USAGE,
                                 "no implementation \"%s\" on this host (\"migcompatctl list\" shows their ids)", id);
        if (opts->json) {
                g_autoptr(JsonNode) root = build_json(id, mine);
                ctl_print_json(root);
        } else if (!opts->quiet) {
                print_human(id, mine);
        }
        return CTL_EXIT_OK;
}
