/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* org.migcompat.MigCompat1.Manager at /org/migcompat/MigCompat1, plus the
 * ObjectManager. Queries read the registry only: no I/O, no processes. */

#include "bus-manager.h"

#include <errno.h>
#include <string.h>

#include "bus-check.h"
#include "bus-util.h"
#include "mc-bus-errors.h"
#include "mc-config.h"
#include "mc-log.h"
#include "mc-quote.h"
#include "mc-serialize.h"

static const McCatalog *catalog(McDaemon *d) {
        return mc_registry_catalog(d->registry);
}

/* ---- properties ------------------------------------------------------------ */

static int prop_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", MC_VERSION);
}

static int prop_generation(sd_bus *bus, const char *path, const char *interface,
                           const char *property, sd_bus_message *reply, void *userdata,
                           sd_bus_error *error) {
        McDaemon *d = userdata;
        return sd_bus_message_append(reply, "t", mc_catalog_generation(catalog(d)));
}

/* One getter per count, each listed in the vtable. */
#define COUNT_GETTER(fn, count)                                                                         \
        static int fn(sd_bus *bus, const char *path, const char *interface, const char *property,     \
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {                     \
                McDaemon *d = userdata;                                                                 \
                return sd_bus_message_append(reply, "u", (uint32_t) count(catalog(d)));                \
        }

COUNT_GETTER(prop_n_implementations, mc_catalog_size)
COUNT_GETTER(prop_n_migratable, mc_catalog_n_migratable)
COUNT_GETTER(prop_n_not_migratable, mc_catalog_n_not_migratable)
COUNT_GETTER(prop_n_models, mc_catalog_n_models)

/* ---- methods ---------------------------------------------------------------- */

static int method_check(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        const char *text;
        int r;

        r = sd_bus_message_read(m, "s", &text);
        if (r < 0)
                return r;
        return mc_bus_answer_check(d, m, text, "Check argument", NULL, error);
}

/* Check(source) with options (a{sv}, mc_bus_read_check_options()). */
static int method_check_with_options(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        McCheckOptions opts = { 0 };
        const char *text;
        int r;

        r = sd_bus_message_read(m, "s", &text);
        if (r < 0)
                return r;
        r = mc_bus_read_check_options(m, &opts, error);
        if (r < 0)
                return r;
        return mc_bus_answer_check(d, m, text, "CheckWithOptions argument", &opts, error);
}

static int method_check_device(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        g_autoptr(McSource) src = NULL;
        int r;

        r = mc_bus_read_device(m, &src, error);
        if (r < 0)
                return r;
        return mc_bus_answer_device(d, m, src);
}

static bool uuid_valid(const char *s) {
        static const int dash[] = { 8, 13, 18, 23 };
        if (strlen(s) != 36)
                return false;
        for (int i = 0; i < 36; i++) {
                bool want_dash = i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3];
                if (want_dash ? s[i] != '-' : !g_ascii_isxdigit(s[i]))
                        return false;
        }
        return true;
}

/* A PCI address as sysfs names functions: domain:bus:device.function,
 * "0000:3b:00.2" (the domain may have up to 8 hex digits). */
static bool pci_address_valid(const char *s) {
        size_t n = strlen(s), dom = 0;

        while (dom < n && g_ascii_isxdigit(s[dom]))
                dom++;
        if (dom < 4 || dom > 8 || n != dom + 8)
                return false;
        s += dom;
        return s[0] == ':' && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2]) && s[3] == ':' &&
               g_ascii_isxdigit(s[4]) && g_ascii_isxdigit(s[5]) && s[6] == '.' &&
               s[7] >= '0' && s[7] <= '7';
}

static int method_describe(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        g_autoptr(GError) gerror = NULL;
        g_autoptr(McSource) src = mc_source_new();
        g_autofree char *uuid = NULL, *json = NULL;
        McSrcDevice *dev;
        const char *arg;
        int r;

        r = sd_bus_message_read(m, "s", &arg);
        if (r < 0)
                return r;
        if (pci_address_valid(arg)) {
                /* A PCI function on a VFIO driver (a VF): by its address. */
                g_autofree char *address = g_ascii_strdown(arg, -1);
                if (!d->pci)
                        return sd_bus_error_setf(error, MC_BUS_ERROR_NOT_FOUND,
                                                 "No PCI function %s: this daemon does not look at PCI functions",
                                                 address);
                dev = mc_pci_source_describe(d->pci, address, &gerror);
                goto described;
        }
        if (!uuid_valid(arg)) {
                g_autofree char *q = mc_quote(arg, 64);
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "\"%s\" is neither an mdev UUID (8-4-4-4-12 hex digits) "
                                         "nor a PCI address (0000:3b:00.2)", q);
        }
        uuid = g_ascii_strdown(arg, -1);
        if (!d->mdev)
                return sd_bus_error_setf(error, MC_BUS_ERROR_NOT_FOUND,
                                         "No mdev device %s: this daemon does not look at mdev devices", uuid);
        dev = mc_mdev_source_describe(d->mdev, uuid, &gerror);
described:
        if (!dev)
                return mc_bus_error_set_gerror(error, gerror, MC_BUS_ERROR_NOT_MIGRATABLE);
        g_ptr_array_add(src->devices, dev);
        json = mc_source_to_json(src, false);
        return sd_bus_reply_method_return(m, "s", json);
}

static int method_get_host_profile(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        /* exported-at: when this answer was true, so that a collector of
         * profiles can tell a stale one (migcompatctl(1), COLLECTING). */
        g_autofree char *json = mc_profile_to_json_at(catalog(d), d->hostname, d->machine_id, MC_VERSION,
                                                      g_get_real_time() / G_USEC_PER_SEC, false);
        return sd_bus_reply_method_return(m, "s", json);
}

static int method_get_implementation(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        g_autofree char *path = NULL;
        const char *id;
        int r;

        r = sd_bus_message_read(m, "s", &id);
        if (r < 0)
                return r;
        path = mc_registry_impl_path(d->registry, id);
        if (!path) {
                g_autofree char *q = mc_quote(id, 255);
                return sd_bus_error_setf(error, MC_BUS_ERROR_NOT_FOUND, "No implementation \"%s\" on this host",
                                         q);
        }
        return sd_bus_reply_method_return(m, "o", path);
}

static int method_rescan(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        McDaemon *d = userdata;
        int r = mc_bus_require_root(m, "rescan the host", error);
        if (r < 0)
                return r;
        mc_daemon_rescan(d);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", prop_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Generation", "t", prop_generation, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NImplementations", "u", prop_n_implementations, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NMigratable", "u", prop_n_migratable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NNotMigratable", "u", prop_n_not_migratable, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("NModels", "u", prop_n_models, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Check", SD_BUS_ARGS("s", source), SD_BUS_RESULT("s", result),
                                method_check, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CheckWithOptions", SD_BUS_ARGS("s", source, "a{sv}", options),
                                SD_BUS_RESULT("s", result), method_check_with_options,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CheckDevice",
                                SD_BUS_ARGS("s", model, "s", version, "a{sv}", parameters, "as", requires),
                                SD_BUS_RESULT("s", verdict, "o", implementation, "a(sss)", reasons),
                                method_check_device, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Describe", SD_BUS_ARGS("s", device), SD_BUS_RESULT("s", source),
                                method_describe, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetHostProfile", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", profile),
                                method_get_host_profile, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetImplementation", SD_BUS_ARGS("s", id),
                                SD_BUS_RESULT("o", implementation), method_get_implementation,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Rescan", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_rescan,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("ImplementationsChanged", SD_BUS_ARGS("t", generation), 0),
        SD_BUS_VTABLE_END,
};

int mc_bus_manager_register(McDaemon *d) {
        int r;

        r = sd_bus_add_object_vtable(d->bus, NULL, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, manager_vtable, d);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot register the manager object");
        r = sd_bus_add_object_manager(d->bus, NULL, MC_BUS_PATH);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot register the object manager");
        return 0;
}
