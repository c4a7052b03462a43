/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The daemon's readers of typed D-Bus arguments, on messages built from
 * the input as any client could send them. The first byte picks:
 *   even  CheckDevice(s model, s version, a{sv} parameters, as requires)
 *   odd   CheckWithOptions' options (a{sv})
 * Strings are NUL-separated in the input, parameter values typed by a
 * byte. Whatever a reader refuses, it answers with an error name and a
 * message sd-bus can send (valid UTF-8): a message it cannot send leaves
 * the caller waiting for its timeout. What it accepts is checked. */

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"

#include "bus-util.h"
#include "mc-compat.h"
#include "mc-serialize.h"

/* Messages need a connection to be built on; one never used to send. The
 * fuzzer runs inputs for hours in one process: one connection for all. */
static sd_bus *connection(void) {
        static sd_bus *bus;
        int fds[2];

        if (bus)
                return bus;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0 || sd_bus_new(&bus) < 0 ||
            sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
                abort();
        return bus;
}

/* Append a variant of a type the input picks (those a client may send,
 * right or wrong for the reader). */
static int append_variant(sd_bus_message *m, FuzzInput *in) {
        unsigned kind = fuzz_byte(in) % 12;
        uint64_t v = 0;

        for (int i = 0; i < 8; i++)
                v = v << 8 | fuzz_byte(in);
        switch (kind) {
        case 0: return sd_bus_message_append(m, "v", "b", (int) (v & 1));
        case 1: return sd_bus_message_append(m, "v", "y", (uint8_t) v);
        case 2: return sd_bus_message_append(m, "v", "n", (int16_t) v);
        case 3: return sd_bus_message_append(m, "v", "q", (uint16_t) v);
        case 4: return sd_bus_message_append(m, "v", "i", (int32_t) v);
        case 5: return sd_bus_message_append(m, "v", "u", (uint32_t) v);
        case 6: return sd_bus_message_append(m, "v", "x", (int64_t) v);
        case 7: return sd_bus_message_append(m, "v", "t", v);
        case 8: return sd_bus_message_append(m, "v", "d", (double) (int64_t) v / 3.0);
        case 9: {
                g_autofree char *s = fuzz_string(in);
                return sd_bus_message_append(m, "v", "s", s);
        }
        case 10: {
                g_autofree char *s = fuzz_string(in);
                return sd_bus_message_append(m, "v", "as", 1, s);
        }
        default: return sd_bus_message_append(m, "v", "o", "/x");
        }
}

static int append_dict(sd_bus_message *m, FuzzInput *in) {
        unsigned n = fuzz_byte(in) % 20;
        int r = sd_bus_message_open_container(m, 'a', "{sv}");

        for (unsigned i = 0; r >= 0 && i < n; i++) {
                g_autofree char *key = fuzz_string(in);
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", key);
                if (r >= 0)
                        r = append_variant(m, in);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static void check_refusal(int r, const sd_bus_error *error) {
        FUZZ_ASSERT(r < 0, "refused without a negative return");
        /* A reader may also fail with a plain errno (sd-bus then sends a
         * generic error), never with a message it cannot send. */
        if (sd_bus_error_is_set(error)) {
                FUZZ_ASSERT(error->message && g_utf8_validate(error->message, -1, NULL), "message not UTF-8");
                FUZZ_ASSERT(g_str_has_prefix(error->name, "org.freedesktop.DBus.Error.") ||
                                    g_str_has_prefix(error->name, "org.migcompat.MigCompat1.Error."),
                            "unexpected error name %s", error->name);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzInput in = { (const char *) data + 1, (const char *) data + size };
        g_autoptr(sd_bus_message) m = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        bool device;
        int r;

        if (size < 1)
                return 0;
        device = data[0] % 2 == 0;
        if (sd_bus_message_new_method_call(connection(), &m, "org.migcompat.MigCompat1", "/org/migcompat/MigCompat1",
                                           "org.migcompat.MigCompat1.Manager",
                                           device ? "CheckDevice" : "CheckWithOptions") < 0)
                abort();
        if (device) {
                g_autofree char *model = fuzz_string(&in);
                g_autofree char *version = fuzz_string(&in);
                unsigned n;

                /* sd-bus refuses to build what the bus would not carry
                 * (a string that is not UTF-8): no such message arrives. */
                r = sd_bus_message_append(m, "ss", model, version);
                if (r >= 0)
                        r = append_dict(m, &in);
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "s");
                n = fuzz_byte(&in) % 20;
                for (unsigned i = 0; r >= 0 && i < n; i++) {
                        g_autofree char *cap = fuzz_string(&in);
                        r = sd_bus_message_append(m, "s", cap);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        } else {
                r = append_dict(m, &in);
        }
        if (r < 0 || sd_bus_message_seal(m, 1, 0) < 0)
                return 0;

        if (device) {
                g_autoptr(McSource) src = NULL;
                r = mc_bus_read_device(m, &src, &error);
                if (r < 0) {
                        check_refusal(r, &error);
                        return 0;
                }
                /* What it read is a source description like any other. */
                g_autofree char *json = mc_source_to_json(src, false);
                g_autoptr(GError) again = NULL;
                g_autoptr(McSource) back = mc_source_parse(json, strlen(json), "fuzz", &again);
                FUZZ_ASSERT(back, "%s: %s", json, again->message);
        } else {
                McCheckOptions opts = { 0 };
                r = mc_bus_read_check_options(m, &opts, &error);
                if (r < 0)
                        check_refusal(r, &error);
        }
        return 0;
}
