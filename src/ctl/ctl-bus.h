/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* migcompatctl's side of the bus: connecting, calling, reading any D-Bus
 * value as JSON, and turning errors into messages a person can act on,
 * with the exit codes of ctl.h. */

#include <json-glib/json-glib.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "ctl.h"
#include "mc-bus-errors.h"
#include "mc-sd-util.h"

/* Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured). Returns
 * 0, or sets a CTL_ERROR and returns CTL_EXIT_DAEMON. */
int ctl_bus_open(sd_bus **ret, GError **error);
/* The same, printing the error. */
int ctl_bus_connect(sd_bus **ret);

/* The event loop of a verb that runs until interrupted (monitor, export
 * --watch): bus attached, SIGINT and SIGTERM end it with CTL_EXIT_OK (taken
 * back from SIG_IGN, which whoever started us may have set). 0 or a
 * negative errno. */
int ctl_bus_event_new(sd_bus *bus, sd_event **ret);

/* Turn a failed call into a CTL_ERROR; returns its exit code:
 * CTL_EXIT_USAGE for errors in what the user gave (invalid source, invalid
 * arguments, not found, not migratable), CTL_EXIT_DAEMON when the daemon
 * cannot be reached or refuses. what names the call ("Check"). */
int ctl_bus_error(const sd_bus_error *error, int r, const char *what, GError **ret_error);
/* The same, printing the error. */
int ctl_bus_fail(const sd_bus_error *error, int r, const char *what);

/* Call a Manager method on the daemon's manager object. */
int ctl_call_manager(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **reply,
                     const char *types, ...);

/* A method that returns one string (GetHostProfile, Describe, Check):
 * call it and return a copy of the string. Returns 0 or an exit code with
 * ret_error set. */
int ctl_call_manager_string(sd_bus *bus, const char *method, const char *arg, char **ret,
                            GError **ret_error);

/* Read one complete value of any type at the read position as JSON:
 * integers and booleans as such, strings and object paths as strings,
 * arrays and structures as arrays, dictionaries as objects, variants as
 * what they hold. */
int ctl_bus_read_json(sd_bus_message *m, JsonNode **ret);

/* One published implementation object and its Implementation properties
 * (property name → JSON value, as ctl_bus_read_json reads them). */
typedef struct {
        char *path;
        JsonObject *props;
} CtlObject;

void ctl_object_free(CtlObject *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CtlObject, ctl_object_free)

/* Read "a{sa{sv}}" (interfaces and their properties, as InterfacesAdded
 * and GetManagedObjects carry them); returns the Implementation
 * interface's properties, or NULL when the object does not have it. */
int ctl_bus_read_interfaces(sd_bus_message *m, JsonObject **ret);

/* Every implementation object in one GetManagedObjects call, sorted by
 * implementation id and then by path (CtlObject*, owned). Returns 0 or an
 * exit code with ret_error set. */
int ctl_bus_get_objects(sd_bus *bus, GPtrArray **ret, GError **ret_error);
