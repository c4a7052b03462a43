/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One table of the errors on migcompatd's bus interface, shared by the
 * daemon (which sends them) and migcompatctl (which turns them back into
 * messages and exit statuses), as systemd's SD_BUS_ERROR_MAP tables are.
 * Each of our error names is spelled here and nowhere else. */

#include <glib.h>
#include <systemd/sd-bus.h>

#include "mc-config.h"

/* org.migcompat.MigCompat1.Error.*, as org.migcompat.MigCompat1(5) lists them. */
#define MC_BUS_ERROR_INVALID_SOURCE MC_BUS_ERROR_PREFIX "InvalidSource"
#define MC_BUS_ERROR_NOT_FOUND MC_BUS_ERROR_PREFIX "NotFound"
#define MC_BUS_ERROR_NOT_MIGRATABLE MC_BUS_ERROR_PREFIX "NotMigratable"
#define MC_BUS_ERROR_ACCESS_DENIED MC_BUS_ERROR_PREFIX "AccessDenied"

/* What an error says about the call, which decides what a client does
 * about it (migcompatctl: its exit status). */
typedef enum {
        MC_BUS_FAULT_OTHER,   /* anything else: the call failed */
        MC_BUS_FAULT_INPUT,   /* what the caller gave is wrong: fix it */
        MC_BUS_FAULT_DENIED,  /* migcompatd refuses this caller */
        MC_BUS_FAULT_POLICY,  /* the bus' policy refuses this caller */
        MC_BUS_FAULT_ABSENT,  /* nobody serves the name */
        MC_BUS_FAULT_TIMEOUT, /* no answer in time */
} McBusFault;

typedef struct {
        const char *name;
        McBusFault fault;
} McBusErrorEntry;

/* Our errors and the standard ones a client tells apart; ends with a NULL
 * name. */
extern const McBusErrorEntry mc_bus_errors[];

/* The fault an error name stands for: from the table; any other name of
 * ours is the caller's (MC_BUS_FAULT_INPUT), any other name at all
 * MC_BUS_FAULT_OTHER. name may be NULL. */
McBusFault mc_bus_error_fault(const char *name);

/* The one mapping from an MC_ERROR to a D-Bus error: text that is not
 * JSON, or too big or deep, is an unusable argument (InvalidArgs); a thing
 * that does not exist is NotFound; anything else is otherwise_name (what
 * failing means for the call: InvalidSource for a source description,
 * NotMigratable for a device to describe). Returns the negative errno
 * sd_bus_error_set() returns, for a method handler to return. */
int mc_bus_error_set_gerror(sd_bus_error *error, const GError *gerror, const char *otherwise_name);
