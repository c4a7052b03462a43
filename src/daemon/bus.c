/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus.h"

#include <inttypes.h>

#include "bus-impl.h"
#include "bus-manager.h"
#include "mc-config.h"
#include "mc-log.h"

/* Until the initial scans are done the name is not ours: nobody can be
 * following our objects yet, and a signal per object of a big host
 * (thousands of InterfacesAdded, each carrying every property) would only
 * cost start-up time and memory while sd-bus queues them for the bus. */
static void registry_removing(void *userdata, const GPtrArray *paths) {
        McDaemon *d = userdata;

        if (!d->settled)
                return;
        for (guint i = 0; i < paths->len; i++)
                (void) sd_bus_emit_object_removed(d->bus, paths->pdata[i]);
}

static void registry_committed(void *userdata, const GPtrArray *added, const GPtrArray *changed,
                               guint64 generation) {
        McDaemon *d = userdata;

        mc_log_debug("Generation %" G_GUINT64_FORMAT ": %u objects added, %u changed", generation,
                     added->len, changed->len);
        if (!d->settled)
                return;
        for (guint i = 0; i < added->len; i++)
                (void) sd_bus_emit_object_added(d->bus, added->pdata[i]);
        for (guint i = 0; i < changed->len; i++)
                (void) sd_bus_emit_properties_changed_strv(d->bus, changed->pdata[i],
                                                           MC_BUS_IMPL_IFACE, NULL);
        (void) sd_bus_emit_properties_changed(d->bus, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Generation",
                                              "NImplementations", "NMigratable", "NNotMigratable",
                                              "NModels", NULL);
        (void) sd_bus_emit_signal(d->bus, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "ImplementationsChanged",
                                  "t", generation);
}

/* The objects are registered only now, with everything they serve read,
 * and the name taken last: a bus-activated client waits for a complete
 * answer. */
static int on_ready(McDaemon *d, void *userdata) {
        int r;

        r = mc_bus_manager_register(d);
        if (r < 0)
                return r;
        r = mc_bus_impl_register(d);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot register the implementation objects");
        r = sd_bus_request_name(d->bus, MC_BUS_NAME, 0);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot own %s", MC_BUS_NAME);
        return 0;
}

void mc_bus_attach(McDaemon *d) {
        static const McRegistryListener listener = {
                .removing = registry_removing,
                .committed = registry_committed,
        };

        mc_registry_set_listener(d->registry, &listener, d);
        mc_daemon_set_ready_callback(d, on_ready, NULL);
}
