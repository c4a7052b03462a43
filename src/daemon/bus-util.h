/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Argument reading and reply building shared by the bus objects: every
 * argument is bounded and validated here, so a bad one is answered with a
 * named error and never reaches the engine. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "mc-compat.h"
#include "mc-sd-util.h"
#include "registry.h"

/* Parse a source description argument; InvalidArgs when oversized or not
 * JSON, InvalidSource when it does not describe devices properly. */
int mc_bus_parse_source(const char *text, const char *origin, McSource **ret, sd_bus_error *error)
        __attribute__((nonnull(1, 2, 3)));

/* Read (s model, s version, a{sv} parameters, as requires) into a
 * one-device source. */
int mc_bus_read_device(sd_bus_message *m, McSource **ret, sd_bus_error *error)
        __attribute__((nonnull(1, 2)));

/* Read an a{sv} argument: entry() is called for each of at most max
 * entries with the read position at the value (a variant), and returns a
 * negative errno (error set) to refuse it. More than max entries is
 * InvalidArgs, with the message too_many. */
typedef int (*McBusDictEntryFunc)(sd_bus_message *m, const char *name, void *userdata,
                                  sd_bus_error *error);
int mc_bus_read_dict(sd_bus_message *m, unsigned max, const char *too_many, McBusDictEntryFunc entry,
                     void *userdata, sd_bus_error *error) __attribute__((nonnull(1, 3, 4)));

/* Read CheckWithOptions' options (a{sv}): "max-candidates" (u), the
 * usable candidates to list per device (0: all). Unknown options and
 * wrong types are InvalidArgs. */
int mc_bus_read_check_options(sd_bus_message *m, McCheckOptions *opts, sd_bus_error *error)
        __attribute__((nonnull(1, 2)));

/* Append (s verdict, o implementation, a(sss) reasons) for one device. */
int mc_bus_append_device_verdict(sd_bus_message *reply, const McRegistry *reg,
                                 const McDeviceResult *dr) __attribute__((nonnull));

/* Append a string argument of len bytes. sd-bus checks a string's UTF-8
 * one character per call, which dominates a check's cost for an answer of
 * a few kilobytes; GLib's validator is many times faster, and a string
 * that fails it is handed to sd-bus as usual (which refuses it). */
int mc_bus_append_string(sd_bus_message *m, const char *s, size_t len) __attribute__((nonnull));
/* Whether s can be sent as a D-Bus string (valid UTF-8, no NUL); and the
 * append for a string known to be (an answer remembered after the test). */
bool mc_bus_string_valid(const char *s, size_t len) __attribute__((nonnull));
int mc_bus_append_valid_string(sd_bus_message *m, const char *s, size_t len) __attribute__((nonnull));

/* AccessDenied unless the bus vouches that the caller's effective uid is
 * root (never /proc); what names the action. */
int mc_bus_require_root(sd_bus_message *m, const char *what, sd_bus_error *error)
        __attribute__((nonnull(1, 2)));
