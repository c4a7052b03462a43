/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* migcompatctl's side of the bus: connecting and turning errors into
 * messages a person can act on, with the exit codes of ctl.h. */

#include <systemd/sd-bus.h>

#include "ctl.h"
#include "mc-sd-util.h"

/* Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured). Returns
 * 0, or prints why not and returns CTL_EXIT_DAEMON. */
int ctl_bus_connect(sd_bus **ret);

/* Print a failed call and return the exit code: CTL_EXIT_USAGE for errors in
 * what the user gave (invalid source, invalid arguments, not found),
 * CTL_EXIT_DAEMON when the daemon cannot be reached or refuses. */
int ctl_bus_fail(const sd_bus_error *error, int r, const char *what);

/* Call a Manager method: sd_bus_call_method on the daemon's manager object. */
int ctl_call_manager(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **reply,
                     const char *types, ...);
