/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-bus-errors.h"

#include <errno.h>
#include <string.h>

#include "mc-error.h"

const McBusErrorEntry mc_bus_errors[] = {
        { MC_BUS_ERROR_INVALID_SOURCE, MC_BUS_FAULT_INPUT },
        { MC_BUS_ERROR_NOT_FOUND, MC_BUS_FAULT_INPUT },
        { MC_BUS_ERROR_NOT_MIGRATABLE, MC_BUS_FAULT_INPUT },
        { MC_BUS_ERROR_ACCESS_DENIED, MC_BUS_FAULT_DENIED },
        { SD_BUS_ERROR_INVALID_ARGS, MC_BUS_FAULT_INPUT },
        /* Not "no daemon": it is there, and the bus said no to this user. */
        { SD_BUS_ERROR_ACCESS_DENIED, MC_BUS_FAULT_POLICY },
        { SD_BUS_ERROR_SERVICE_UNKNOWN, MC_BUS_FAULT_ABSENT },
        { SD_BUS_ERROR_NAME_HAS_NO_OWNER, MC_BUS_FAULT_ABSENT },
        { "org.freedesktop.DBus.Error.Spawn.ServiceNotFound", MC_BUS_FAULT_ABSENT },
        { SD_BUS_ERROR_NO_REPLY, MC_BUS_FAULT_TIMEOUT },
        { SD_BUS_ERROR_TIMEOUT, MC_BUS_FAULT_TIMEOUT },
        { NULL, MC_BUS_FAULT_OTHER },
};

McBusFault mc_bus_error_fault(const char *name) {
        if (!name)
                return MC_BUS_FAULT_OTHER;
        for (const McBusErrorEntry *e = mc_bus_errors; e->name; e++)
                if (strcmp(e->name, name) == 0)
                        return e->fault;
        /* A newer daemon's error about the question. */
        if (g_str_has_prefix(name, MC_BUS_ERROR_PREFIX))
                return MC_BUS_FAULT_INPUT;
        return MC_BUS_FAULT_OTHER;
}

int mc_bus_error_set_gerror(sd_bus_error *error, const GError *gerror, const char *otherwise_name) {
        const char *name = otherwise_name;

        g_return_val_if_fail(gerror, -EINVAL);
        g_return_val_if_fail(otherwise_name, -EINVAL);

        if (gerror->domain == MC_ERROR) {
                switch ((McErrorCode) gerror->code) {
                case MC_ERROR_SYNTAX:
                case MC_ERROR_LIMIT:
                        name = SD_BUS_ERROR_INVALID_ARGS;
                        break;
                case MC_ERROR_NOT_FOUND:
                        name = MC_BUS_ERROR_NOT_FOUND;
                        break;
                default:
                        break;
                }
        }
        return sd_bus_error_set(error, name, gerror->message);
}
