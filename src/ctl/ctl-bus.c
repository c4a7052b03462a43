/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-bus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mc-config.h"

int ctl_bus_connect(sd_bus **ret) {
        int r = sd_bus_open_system(ret);
        if (r < 0) {
                const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
                return ctl_error(CTL_EXIT_DAEMON, "cannot connect to the system bus%s%s%s: %s",
                                 addr ? " (" : "", addr ? addr : "", addr ? ")" : "", g_strerror(-r));
        }
        return 0;
}

int ctl_bus_fail(const sd_bus_error *error, int r, const char *what) {
        const char *name = error && error->name ? error->name : NULL;
        const char *msg = error && error->message ? error->message : g_strerror(-r);

        if (name && (strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
                     strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0 ||
                     strcmp(name, "org.freedesktop.DBus.Error.Spawn.ServiceNotFound") == 0))
                return ctl_error(CTL_EXIT_DAEMON,
                                 "migcompatd is not running (nobody owns %s on the system bus); "
                                 "start it with \"systemctl start migcompatd\"",
                                 MC_BUS_NAME);
        if (name && (strcmp(name, SD_BUS_ERROR_ACCESS_DENIED) == 0 ||
                     strcmp(name, "org.migcompat.MigCompat1.Error.AccessDenied") == 0))
                return ctl_error(CTL_EXIT_DAEMON, "%s: access denied: %s", what, msg);
        if (name && (strcmp(name, SD_BUS_ERROR_INVALID_ARGS) == 0 ||
                     g_str_has_prefix(name, "org.migcompat.MigCompat1.Error.")))
                return ctl_error(CTL_EXIT_USAGE, "%s", msg);
        return ctl_error(CTL_EXIT_DAEMON, "%s failed: %s", what, msg);
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
