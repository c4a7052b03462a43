/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-bus.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc-bus-errors.h"
#include "mc-config.h"

int ctl_bus_open(sd_bus **ret, GError **error) {
        int r = sd_bus_open_system(ret);
        if (r < 0) {
                const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
                g_set_error(error, CTL_ERROR, CTL_EXIT_DAEMON, "cannot connect to the system bus%s%s%s: %s",
                            addr ? " (" : "", addr ? addr : "", addr ? ")" : "", g_strerror(-r));
                return CTL_EXIT_DAEMON;
        }
        return 0;
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        return sd_event_exit(sd_event_source_get_event(s), CTL_EXIT_OK);
}

int ctl_bus_event_new(sd_bus *bus, sd_event **ret) {
        g_autoptr(sd_event) event = NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        /* A signal ignored by whoever started us would never reach the
         * signalfd: take the default back, now that they are blocked. */
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, on_signal, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, on_signal, NULL);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&event);
        return 0;
}

int ctl_bus_connect(sd_bus **ret) {
        g_autoptr(GError) error = NULL;
        int r = ctl_bus_open(ret, &error);
        return r ? ctl_fail(error) : 0;
}

int ctl_bus_error(const sd_bus_error *error, int r, const char *what, GError **ret_error) {
        const char *name = error && error->name ? error->name : NULL;
        const char *msg = error && error->message ? error->message : g_strerror(-r);
        McBusFault fault = mc_bus_error_fault(name);

        if (fault == MC_BUS_FAULT_OTHER && r == -ETIMEDOUT)
                fault = MC_BUS_FAULT_TIMEOUT;
        switch (fault) {
        case MC_BUS_FAULT_ABSENT:
                g_set_error(ret_error, CTL_ERROR, CTL_EXIT_DAEMON,
                            "migcompatd is not running (nobody owns %s on the system bus); "
                            "start it with \"systemctl start migcompatd\"",
                            MC_BUS_NAME);
                return CTL_EXIT_DAEMON;
        case MC_BUS_FAULT_POLICY:
                g_set_error(ret_error, CTL_ERROR, CTL_EXIT_ACCESS,
                            "%s: access denied by the system bus policy (is "
                            "org.migcompat.MigCompat1.conf installed and current?): %s",
                            what, msg);
                return CTL_EXIT_ACCESS;
        case MC_BUS_FAULT_DENIED:
                g_set_error(ret_error, CTL_ERROR, CTL_EXIT_ACCESS, "%s: access denied by migcompatd: %s", what,
                            msg);
                return CTL_EXIT_ACCESS;
        case MC_BUS_FAULT_INPUT:
                g_set_error(ret_error, CTL_ERROR, CTL_EXIT_USAGE, "%s", msg);
                return CTL_EXIT_USAGE;
        case MC_BUS_FAULT_TIMEOUT:
                g_set_error(ret_error, CTL_ERROR, CTL_EXIT_DAEMON,
                            "%s: migcompatd did not answer in time: %s", what, msg);
                return CTL_EXIT_DAEMON;
        case MC_BUS_FAULT_OTHER:
                break;
        }
        g_set_error(ret_error, CTL_ERROR, CTL_EXIT_DAEMON, "%s failed: %s", what, msg);
        return CTL_EXIT_DAEMON;
}

int ctl_bus_fail(const sd_bus_error *error, int r, const char *what) {
        g_autoptr(GError) gerror = NULL;
        ctl_bus_error(error, r, what, &gerror);
        return ctl_fail(gerror);
}

int ctl_call_manager(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **reply,
                     const char *types, ...) {
        g_autoptr(sd_bus_message) m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                           method);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return sd_bus_call(bus, m, 0, error, reply);
}

int ctl_call_manager_string(sd_bus *bus, const char *method, const char *arg, char **ret,
                            GError **ret_error) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *s;
        int r;

        if (arg)
                r = ctl_call_manager(bus, method, &error, &reply, "s", arg);
        else
                r = ctl_call_manager(bus, method, &error, &reply, NULL);
        if (r < 0)
                return ctl_bus_error(&error, r, method, ret_error);
        r = sd_bus_message_read(reply, "s", &s);
        if (r < 0)
                return ctl_bus_error(NULL, r, method, ret_error);
        *ret = g_strdup(s);
        return 0;
}

/* ---- any value as JSON ------------------------------------------------------------ */

static int read_container(sd_bus_message *m, char type, const char *contents, JsonNode **ret);

/* Any basic value, as sd_bus_message_read_basic() stores it. */
typedef union {
        int b;
        uint8_t y;
        int16_t n;
        uint16_t q;
        int32_t i;
        uint32_t u;
        int64_t x;
        uint64_t t;
        double d;
        const char *s;
} BasicValue;

/* A basic value: integers and booleans as such, strings, object paths and
 * signatures as strings. */
static JsonNode *basic_json(char type, const BasicValue *v) {
        JsonNode *n = json_node_alloc();

        switch (type) {
        case SD_BUS_TYPE_BOOLEAN:
                return json_node_init_boolean(n, v->b);
        case SD_BUS_TYPE_BYTE:
                return json_node_init_int(n, v->y);
        case SD_BUS_TYPE_INT16:
                return json_node_init_int(n, v->n);
        case SD_BUS_TYPE_UINT16:
                return json_node_init_int(n, v->q);
        case SD_BUS_TYPE_INT32:
        case SD_BUS_TYPE_UNIX_FD:
                return json_node_init_int(n, v->i);
        case SD_BUS_TYPE_UINT32:
                return json_node_init_int(n, v->u);
        case SD_BUS_TYPE_INT64:
                return json_node_init_int(n, v->x);
        case SD_BUS_TYPE_UINT64:
                return json_node_init_int(n, (gint64) v->t);
        case SD_BUS_TYPE_DOUBLE:
                return json_node_init_double(n, v->d);
        default: /* string, object path, signature */
                return json_node_init_string(n, v->s);
        }
}

int ctl_bus_read_json(sd_bus_message *m, JsonNode **ret) {
        const char *contents = NULL;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENXIO;
        if (type && strchr("bynqiuxtdhsog", type)) {
                BasicValue value = { 0 };

                r = sd_bus_message_read_basic(m, type, &value);
                if (r >= 0)
                        *ret = basic_json(type, &value);
                return r;
        }
        return read_container(m, type, contents, ret);
}

static int read_container(sd_bus_message *m, char type, const char *contents, JsonNode **ret) {
        g_autoptr(JsonNode) node = NULL;
        int r;

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == SD_BUS_TYPE_VARIANT) {
                r = ctl_bus_read_json(m, &node);
        } else if (type == SD_BUS_TYPE_ARRAY && contents[0] == SD_BUS_TYPE_DICT_ENTRY_BEGIN) {
                g_autoptr(JsonObject) o = json_object_new();
                g_autofree char *entry = g_strndup(contents + 1, strlen(contents) - 2);

                while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, entry)) > 0) {
                        g_autoptr(JsonNode) key = NULL, value = NULL;
                        g_autofree char *k = NULL;

                        r = ctl_bus_read_json(m, &key);
                        if (r >= 0)
                                r = ctl_bus_read_json(m, &value);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                        if (r < 0)
                                return r;
                        k = ctl_json_display(key);
                        json_object_set_member(o, k, g_steal_pointer(&value));
                }
                if (r < 0)
                        return r;
                node = json_node_init_object(json_node_alloc(), o);
        } else if (type == SD_BUS_TYPE_ARRAY || type == SD_BUS_TYPE_STRUCT) {
                g_autoptr(JsonArray) a = json_array_new();

                while ((r = sd_bus_message_at_end(m, false)) == 0) {
                        JsonNode *e = NULL;
                        r = ctl_bus_read_json(m, &e);
                        if (r < 0)
                                return r;
                        json_array_add_element(a, e);
                }
                if (r < 0)
                        return r;
                node = json_node_init_array(json_node_alloc(), a);
        } else {
                return -EBADMSG;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&node);
        return 0;
}

/* ---- implementation objects --------------------------------------------------------- */

void ctl_object_free(CtlObject *o) {
        if (!o)
                return;
        g_free(o->path);
        if (o->props)
                json_object_unref(o->props);
        g_free(o);
}

int ctl_bus_read_interfaces(sd_bus_message *m, JsonObject **ret) {
        g_autoptr(JsonObject) props = NULL;
        const char *iface;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sa{sv}}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}")) > 0) {
                r = sd_bus_message_read(m, "s", &iface);
                if (r < 0)
                        return r;
                if (strcmp(iface, MC_BUS_IMPL_IFACE) == 0) {
                        g_autoptr(JsonNode) n = NULL;
                        r = ctl_bus_read_json(m, &n);
                        if (r < 0)
                                return r;
                        if (!JSON_NODE_HOLDS_OBJECT(n))
                                return -EBADMSG;
                        g_clear_pointer(&props, json_object_unref);
                        props = json_object_ref(json_node_get_object(n));
                } else {
                        r = sd_bus_message_skip(m, "a{sv}");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = g_steal_pointer(&props);
        return 0;
}

static gint object_cmp(gconstpointer a, gconstpointer b) {
        const CtlObject *x = *(CtlObject *const *) a, *y = *(CtlObject *const *) b;
        int c = g_strcmp0(ctl_json_str(x->props, "ID"), ctl_json_str(y->props, "ID"));
        return c ? c : strcmp(x->path, y->path);
}

int ctl_bus_get_objects(sd_bus *bus, GPtrArray **ret, GError **ret_error) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func((GDestroyNotify) ctl_object_free);
        const char *path;
        int r;

        r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &error, &reply, NULL);
        if (r < 0)
                return ctl_bus_error(&error, r, "GetManagedObjects", ret_error);
        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{oa{sa{sv}}}");
        if (r < 0)
                return ctl_bus_error(NULL, r, "GetManagedObjects", ret_error);
        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "oa{sa{sv}}")) > 0) {
                g_autoptr(JsonObject) props = NULL;

                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0)
                        r = ctl_bus_read_interfaces(reply, &props);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
                if (r >= 0 && props && ctl_json_str(props, "ID")) {
                        CtlObject *o = g_new0(CtlObject, 1);
                        o->path = g_strdup(path);
                        o->props = g_steal_pointer(&props);
                        g_ptr_array_add(objects, o);
                }
                if (r < 0)
                        break;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return ctl_bus_error(NULL, r, "GetManagedObjects", ret_error);
        g_ptr_array_sort(objects, object_cmp);
        *ret = g_steal_pointer(&objects);
        return 0;
}
