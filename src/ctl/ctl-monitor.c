/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "monitor": one line per change the daemon announces, with a timestamp,
 * until SIGINT or SIGTERM. It keeps what each object said last, so an
 * "added" line can name the implementation, a "removed" one too (the
 * signal carries only the path), and a PropertiesChanged line lists only
 * the values that really changed. The first line says the subscription
 * is in place: whatever happens after it is reported. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl.h"
#include "mc-config.h"

typedef struct {
        const CtlOptions *opts;
        sd_bus *bus;
        sd_event *event;
        GHashTable *objects; /* path → JsonObject* (the object's properties) */
        JsonObject *manager; /* Manager properties */
} Monitor;

/* ---- output ----------------------------------------------------------------------- */

/* The line's time, local, with milliseconds: "2024-05-02 10:01:02.345". */
static void stamp(GString *human, char **iso) {
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_autofree char *base = g_date_time_format(now, "%Y-%m-%d %H:%M:%S");
        int ms = g_date_time_get_microsecond(now) / 1000;

        g_string_append_printf(human, "%s.%03d", base, ms);
        {
                g_autofree char *date = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
                g_autofree char *zone = g_date_time_format(now, "%:z");
                *iso = g_strdup_printf("%s.%03d%s", date, ms, zone);
        }
}

/* Print one event: text for people, or a JSON line with "time" and
 * "event" first and then members. */
static void emit(Monitor *mon, const char *event, JsonObject *members, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static void emit(Monitor *mon, const char *event, JsonObject *members, const char *fmt, ...) {
        g_autoptr(GString) line = g_string_new(NULL);
        g_autofree char *iso = NULL;

        stamp(line, &iso);
        if (mon->opts->json) {
                g_autoptr(JsonObject) o = json_object_new();
                g_autoptr(JsonNode) n = NULL;
                g_autofree char *text = NULL;

                json_object_set_string_member(o, "time", iso);
                json_object_set_string_member(o, "event", event);
                if (members) {
                        g_autoptr(GList) names = json_object_get_members(members);
                        for (GList *l = names; l; l = l->next)
                                json_object_set_member(o, l->data,
                                                       json_node_copy(json_object_get_member(members, l->data)));
                }
                n = json_node_init_object(json_node_alloc(), o);
                text = json_to_string(n, false);
                puts(text);
        } else {
                va_list ap;
                g_string_append_printf(line, "  %-10s ", event);
                va_start(ap, fmt);
                g_string_append_vprintf(line, fmt, ap);
                va_end(ap);
                puts(line->str);
        }
        fflush(stdout);
}

static const char *object_id(Monitor *mon, const char *path) {
        JsonObject *p = g_hash_table_lookup(mon->objects, path);
        const char *id = ctl_json_str(p, "ID");
        return id ? id : path;
}

/* ---- signals ------------------------------------------------------------------------ */

static int on_added(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Monitor *mon = userdata;
        g_autoptr(JsonObject) props = NULL;
        g_autoptr(JsonObject) members = json_object_new();
        const char *path, *id, *model;
        gint64 avail;
        g_autofree char *free_text = NULL;
        int r;

        r = sd_bus_message_read(m, "o", &path);
        if (r >= 0)
                r = ctl_bus_read_interfaces(m, &props);
        if (r < 0 || !props)
                return 0;
        g_hash_table_insert(mon->objects, g_strdup(path), json_object_ref(props));
        id = ctl_json_str(props, "ID");
        model = ctl_json_str(props, "Model");
        avail = ctl_json_int(props, "AvailableInstances", 0);
        free_text = avail == MC_AVAILABLE_UNKNOWN ? g_strdup("use unknown")
                    : avail < 0                   ? g_strdup("unlimited")
                                                  : g_strdup_printf("%" G_GINT64_FORMAT " free", avail);
        json_object_set_string_member(members, "path", path);
        json_object_set_string_member(members, "id", id);
        if (model && *model)
                json_object_set_string_member(members, "model", model);
        else
                json_object_set_null_member(members, "model");
        json_object_set_boolean_member(members, "migratable", ctl_json_bool(props, "Migratable", false));
        json_object_set_int_member(members, "available-instances", avail);
        if (model && *model)
                emit(mon, "added", members, "%s (%s, %s)", id, model, free_text);
        else
                emit(mon, "added", members, "%s (not migratable)", id);
        return 0;
}

static int on_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Monitor *mon = userdata;
        g_autoptr(JsonObject) members = json_object_new();
        g_autofree char *id = NULL;
        const char *path;

        if (sd_bus_message_read(m, "o", &path) < 0)
                return 0;
        id = g_strdup(object_id(mon, path));
        json_object_set_string_member(members, "path", path);
        json_object_set_string_member(members, "id", id);
        emit(mon, "removed", members, "%s", id);
        g_hash_table_remove(mon->objects, path);
        return 0;
}

static int on_generation(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Monitor *mon = userdata;
        g_autoptr(JsonObject) members = json_object_new();
        uint64_t generation;

        if (sd_bus_message_read(m, "t", &generation) < 0)
                return 0;
        json_object_set_int_member(members, "generation", (gint64) generation);
        emit(mon, "generation", members, "%" PRIu64 " (%" G_GINT64_FORMAT " implementations, %" G_GINT64_FORMAT
             " migratable, %" G_GINT64_FORMAT " device models)",
             generation, ctl_json_int(mon->manager, "NImplementations", 0),
             ctl_json_int(mon->manager, "NMigratable", 0), ctl_json_int(mon->manager, "NModels", 0));
        return 0;
}

/* PropertiesChanged of the manager or of an implementation object: report
 * the values that differ from what was known, then remember them. */
static int on_properties(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Monitor *mon = userdata;
        const char *path = sd_bus_message_get_path(m);
        const char *iface;
        g_autoptr(JsonNode) changed = NULL, invalidated = NULL;
        g_autoptr(JsonObject) members = json_object_new();
        g_autoptr(JsonObject) diff = json_object_new();
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GList) names = NULL;
        JsonObject *known;
        JsonArray *inv;
        bool is_manager;

        if (!path || sd_bus_message_read(m, "s", &iface) < 0)
                return 0;
        is_manager = strcmp(path, MC_BUS_PATH) == 0;
        if (strcmp(iface, is_manager ? MC_BUS_MANAGER_IFACE : MC_BUS_IMPL_IFACE) != 0)
                return 0;
        if (ctl_bus_read_json(m, &changed) < 0 || ctl_bus_read_json(m, &invalidated) < 0 ||
            !JSON_NODE_HOLDS_OBJECT(changed) || !JSON_NODE_HOLDS_ARRAY(invalidated))
                return 0;
        known = is_manager ? mon->manager : g_hash_table_lookup(mon->objects, path);
        if (!known) {
                known = json_object_new();
                g_hash_table_insert(mon->objects, g_strdup(path), known);
        }

        names = json_object_get_members(json_node_get_object(changed));
        for (GList *l = names; l; l = l->next) {
                JsonNode *now = json_object_get_member(json_node_get_object(changed), l->data);
                JsonNode *before = json_object_get_member(known, l->data);
                g_autofree char *a = NULL, *b = NULL;

                if (before && json_node_equal(before, now))
                        continue;
                a = ctl_json_display(before);
                b = ctl_json_display(now);
                g_string_append_printf(text, "%s%s %s -> %s", text->len ? ", " : "", (char *) l->data, a, b);
                json_object_set_member(diff, l->data, json_node_copy(now));
                json_object_set_member(known, l->data, json_node_copy(now));
        }
        inv = json_node_get_array(invalidated);
        for (guint i = 0; i < json_array_get_length(inv); i++) {
                const char *name = json_array_get_string_element(inv, i);
                g_string_append_printf(text, "%s%s invalidated", text->len ? ", " : "", name);
                json_object_set_null_member(diff, name);
                json_object_remove_member(known, name);
        }
        if (json_object_get_size(diff) == 0)
                return 0;
        json_object_set_string_member(members, "path", path);
        if (!is_manager)
                json_object_set_string_member(members, "id", object_id(mon, path));
        json_object_set_object_member(members, "changed", json_object_ref(diff));
        emit(mon, "changed", members, "%s: %s", is_manager ? "manager" : object_id(mon, path), text->str);
        return 0;
}

static int load_state(Monitor *mon, GError **error);

static int on_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Monitor *mon = userdata;
        g_autoptr(JsonObject) members = json_object_new();
        g_autoptr(GError) error = NULL;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || strcmp(name, MC_BUS_NAME) != 0)
                return 0;
        if (!*new_owner) {
                emit(mon, "stopped", members, "migcompatd left the bus");
                return 0;
        }
        if (load_state(mon, &error) != 0) {
                json_object_set_string_member(members, "error", error->message);
                emit(mon, "started", members, "migcompatd is on the bus again (%s)", error->message);
                return 0;
        }
        json_object_set_int_member(members, "generation", ctl_json_int(mon->manager, "Generation", 0));
        emit(mon, "started", members, "migcompatd is on the bus again (generation %" G_GINT64_FORMAT ", %u objects)",
             ctl_json_int(mon->manager, "Generation", 0), g_hash_table_size(mon->objects));
        return 0;
}

/* ---- setup ----------------------------------------------------------------------------- */

/* What every object says now, and the manager's counters. */
static int load_state(Monitor *mon, GError **error) {
        g_autoptr(GPtrArray) objects = NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) berr = SD_BUS_ERROR_NULL;
        g_autoptr(JsonNode) props = NULL;
        int r;

        r = ctl_bus_get_objects(mon->bus, &objects, error);
        if (r)
                return r;
        g_hash_table_remove_all(mon->objects);
        for (guint i = 0; i < objects->len; i++) {
                CtlObject *o = objects->pdata[i];
                g_hash_table_insert(mon->objects, g_strdup(o->path), json_object_ref(o->props));
        }
        r = sd_bus_call_method(mon->bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Properties", "GetAll", &berr,
                               &reply, "s", MC_BUS_MANAGER_IFACE);
        if (r < 0)
                return ctl_bus_error(&berr, r, "GetAll", error);
        r = ctl_bus_read_json(reply, &props);
        if (r < 0 || !JSON_NODE_HOLDS_OBJECT(props))
                return ctl_bus_error(NULL, r < 0 ? r : -EBADMSG, "GetAll", error);
        g_clear_pointer(&mon->manager, json_object_unref);
        mon->manager = json_object_ref(json_node_get_object(props));
        return 0;
}

static int subscribe(Monitor *mon) {
        static const char props_rule[] = "type='signal',sender='" MC_BUS_NAME "',"
                                         "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                                         "path_namespace='" MC_BUS_PATH "'";
        static const char owner_rule[] = "type='signal',sender='org.freedesktop.DBus',"
                                         "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                                         "member='NameOwnerChanged',arg0='" MC_BUS_NAME "'";
        int r;

        /* Synchronous: once these return, the bus routes every signal to us. */
        r = sd_bus_match_signal(mon->bus, NULL, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.ObjectManager",
                                "InterfacesAdded", on_added, mon);
        if (r >= 0)
                r = sd_bus_match_signal(mon->bus, NULL, MC_BUS_NAME, MC_BUS_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved", on_removed, mon);
        if (r >= 0)
                r = sd_bus_match_signal(mon->bus, NULL, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                        "ImplementationsChanged", on_generation, mon);
        if (r >= 0)
                r = sd_bus_add_match(mon->bus, NULL, props_rule, on_properties, mon);
        if (r >= 0)
                r = sd_bus_add_match(mon->bus, NULL, owner_rule, on_owner, mon);
        return r;
}

int ctl_verb_monitor(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(sd_event) event = NULL;
        Monitor mon = {
                .opts = opts,
                .objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) json_object_unref),
        };
        g_autoptr(JsonObject) members = json_object_new();
        int r;

        r = ctl_bus_open(&bus, &error);
        if (r)
                goto out;
        mon.bus = bus;
        r = subscribe(&mon);
        if (r < 0) {
                r = ctl_bus_error(NULL, r, "subscribing to the daemon's signals", &error);
                goto out;
        }
        /* The state after subscribing: a change in between is both in it
         * and reported, never lost. */
        r = load_state(&mon, &error);
        if (r)
                goto out;

        r = ctl_bus_event_new(bus, &event);
        if (r < 0) {
                g_set_error(&error, CTL_ERROR, CTL_EXIT_DAEMON, "cannot set up the event loop: %s", g_strerror(-r));
                r = CTL_EXIT_DAEMON;
                goto out;
        }
        mon.event = event;

        json_object_set_string_member(members, "version", ctl_json_str(mon.manager, "Version"));
        json_object_set_int_member(members, "generation", ctl_json_int(mon.manager, "Generation", 0));
        json_object_set_int_member(members, "objects", g_hash_table_size(mon.objects));
        emit(&mon, "monitoring", members,
             "migcompatd %s, generation %" G_GINT64_FORMAT ", %u implementation objects; Ctrl+C stops",
             ctl_json_str(mon.manager, "Version"), ctl_json_int(mon.manager, "Generation", 0),
             g_hash_table_size(mon.objects));

        r = sd_event_loop(event);
        if (r < 0) {
                g_set_error(&error, CTL_ERROR, CTL_EXIT_DAEMON, "monitoring failed: %s", g_strerror(-r));
                r = CTL_EXIT_DAEMON;
        }
        sd_bus_detach_event(bus);
out:
        g_hash_table_unref(mon.objects);
        if (mon.manager)
                json_object_unref(mon.manager);
        return error ? ctl_fail(error) : r;
}
