/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-util.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "mc-bus-errors.h"
#include "mc-error.h"
#include "mc-parse.h"
#include "mc-quote.h"

int mc_bus_parse_source(const char *text, const char *origin, McSource **ret, sd_bus_error *error) {
        g_autoptr(GError) gerror = NULL;
        size_t len = strlen(text);
        McSource *src;

        if (len > MC_MAX_DOCUMENT_SIZE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "The source description is %zu bytes; the limit is %d bytes",
                                         len, MC_MAX_DOCUMENT_SIZE);
        src = mc_source_parse(text, len, origin, &gerror);
        /* Not JSON at all, or too big or deep: the argument is unusable
         * (InvalidArgs). Otherwise it is JSON that does not describe a
         * source. */
        if (!src)
                return mc_bus_error_set_gerror(error, gerror, MC_BUS_ERROR_INVALID_SOURCE);
        *ret = src;
        return 0;
}

static int invalid(sd_bus_error *error, const char *what, const char *value, const char *why) {
        g_autofree char *q = mc_quote(value, 64);
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s \"%s\" is not valid: %s", what, q,
                                 why);
}

int mc_bus_read_dict(sd_bus_message *m, unsigned max, const char *too_many, McBusDictEntryFunc entry,
                     void *userdata, sd_bus_error *error) {
        unsigned n = 0;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                const char *name;

                if (++n > max)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, too_many);
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                r = entry(m, name, userdata, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_param(sd_bus_message *m, const char *name, void *userdata, sd_bus_error *error) {
        McSrcDevice *dev = userdata;
        McSrcParam p = { 0 };
        const char *contents;
        char type;
        int r;

        if (mc_check_param_name(name))
                return invalid(error, "Parameter name", name, mc_check_param_name(name));
        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;
        p.name = (char *) name;
        switch (contents[0]) {
        case 'b': {
                int b;
                r = sd_bus_message_read_basic(m, 'b', &b);
                p.kind = MC_SRC_BOOL;
                p.b = b;
                break;
        }
        case 'y': case 'n': case 'q': case 'i': case 'u': case 'x': {
                union { uint8_t y; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x; } v = { 0 };
                r = sd_bus_message_read_basic(m, contents[0], &v);
                p.kind = MC_SRC_INT;
                p.i = contents[0] == 'y' ? v.y : contents[0] == 'n' ? v.n : contents[0] == 'q' ? v.q
                      : contents[0] == 'i' ? v.i : contents[0] == 'u' ? (int64_t) v.u : v.x;
                break;
        }
        case 't': {
                uint64_t t;
                r = sd_bus_message_read_basic(m, 't', &t);
                if (r >= 0 && t > INT64_MAX)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Parameter %s is out of the 64-bit signed range", name);
                p.kind = MC_SRC_INT;
                p.i = (int64_t) t;
                break;
        }
        case 's': {
                const char *s;
                r = sd_bus_message_read_basic(m, 's', &s);
                if (r >= 0 && mc_check_str_value(s))
                        return invalid(error, "Parameter value", s, mc_check_str_value(s));
                p.kind = MC_SRC_STR;
                p.s = (char *) s;
                break;
        }
        default:
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Parameter %s has type \"%s\"; expected b, an integer type or s",
                                         name, contents);
        }
        if (r < 0)
                return r;
        if (!mc_src_device_add_param(dev, &p))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Parameter %s is given twice", name);
        return sd_bus_message_exit_container(m);
}

int mc_bus_read_device(sd_bus_message *m, McSource **ret, sd_bus_error *error) {
        g_autoptr(McSource) src = mc_source_new();
        g_autoptr(McSrcDevice) dev = NULL;
        const char *model, *version;
        int r;

        r = sd_bus_message_read(m, "ss", &model, &version);
        if (r < 0)
                return r;
        if (mc_check_model_string(model))
                return invalid(error, "Device model", model, mc_check_model_string(model));
        if (*version && mc_check_version_string(version))
                return invalid(error, "Version", version, mc_check_version_string(version));
        dev = mc_src_device_new("device", model, *version ? version : NULL);

        r = mc_bus_read_dict(m, MC_MAX_PARAMS, "More than " G_STRINGIFY(MC_MAX_PARAMS) " parameters",
                             read_param, dev, error);
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
        if (r < 0)
                return r;
        for (;;) {
                const char *cap;
                McCap c;
                r = sd_bus_message_read_basic(m, 's', &cap);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                c = mc_cap_from_string(cap);
                if (!c) {
                        g_autofree char *q = mc_quote(cap, 32);
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Unknown capability \"%s\" (expected stop-copy, pre-copy, p2p or dirty-tracking)",
                                                 q);
                }
                dev->requires |= c;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        g_ptr_array_add(src->devices, g_steal_pointer(&dev));
        *ret = g_steal_pointer(&src);
        return 0;
}

static int append_reasons(sd_bus_message *reply, const char *impl, GPtrArray *reasons) {
        for (guint i = 0; i < reasons->len; i++) {
                const McReason *r = reasons->pdata[i];
                int k = sd_bus_message_append(reply, "(sss)", impl, mc_reason_code_to_string(r->code),
                                              r->message);
                if (k < 0)
                        return k;
        }
        return 0;
}

int mc_bus_append_device_verdict(sd_bus_message *reply, const McRegistry *reg,
                                 const McDeviceResult *dr) {
        g_autofree char *path = NULL;
        int r;

        if (dr->chosen >= 0) {
                const McCandidate *c = dr->candidates->pdata[dr->chosen];
                int model = 0;
                for (guint i = 0; c->impl->info && i < c->impl->info->models->len; i++)
                        if (c->impl->info->models->pdata[i] == c->model)
                                model = (int) i;
                path = mc_registry_object_path(c->impl, model);
        }
        r = sd_bus_message_append(reply, "so", mc_verdict_to_string(dr->verdict), path ? path : "/");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(sss)");
        if (r < 0)
                return r;
        r = append_reasons(reply, "", dr->reasons);
        for (guint i = 0; r >= 0 && i < dr->candidates->len; i++) {
                const McCandidate *c = dr->candidates->pdata[i];
                r = append_reasons(reply, c->impl->id, c->reasons);
                /* What a usable candidate leaves open (availability-unknown
                 * of a PCI function) is said too, with its own code. */
                if (r >= 0 && c->notes)
                        r = append_reasons(reply, c->impl->id, c->notes);
        }
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

bool mc_bus_string_valid(const char *s, size_t len) {
        /* D-Bus strings are valid UTF-8 without NUL: a bad one would make
         * the bus drop the whole connection, so it must never get past.
         * Answers are nearly all ASCII: eight bytes at a time while they
         * hold no NUL and no byte >= 0x80 (a UTF-8 sequence cannot start
         * before such a byte), then the full check from there on. It
         * replaced g_utf8_validate_len() over the whole answer, about a
         * fifth of a new question's cost in migcompatd. */
        const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
        size_t i = 0;

        for (; i + 8 <= len; i += 8) {
                uint64_t v;
                memcpy(&v, s + i, 8);
                if ((v | ((v - ones) & ~v)) & highs)
                        break;
        }
        s += i;
        len -= i;
        return !memchr(s, '\0', len) && g_utf8_validate_len(s, len, NULL);
}

int mc_bus_append_string(sd_bus_message *m, const char *s, size_t len) {
        /* sd-bus refuses it, with the error it names. */
        if (!mc_bus_string_valid(s, len))
                return sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, s);
        return mc_bus_append_valid_string(m, s, len);
}

int mc_bus_append_valid_string(sd_bus_message *m, const char *s, size_t len) {
        char *space = NULL;
        int r;

        r = sd_bus_message_append_string_space(m, len, &space);
        if (r < 0)
                return r;
        memcpy(space, s, len);
        return 0;
}

int mc_bus_require_root(sd_bus_message *m, const char *what, sd_bus_error *error) {
        g_autoptr(sd_bus_creds) creds = NULL;
        uid_t euid;
        int r;

        /* Only what the bus vouches for, as systemd decides: the effective
         * uid the bus took from the caller's socket when it connected. Never
         * SD_BUS_CREDS_AUGMENT: /proc/PID is read later, and by then the
         * process may be gone or another one. */
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return sd_bus_error_setf(error, MC_BUS_ERROR_ACCESS_DENIED,
                                         "Only root may %s; the bus does not say who is asking: %s", what,
                                         g_strerror(-r));
        if ((sd_bus_creds_get_augmented_mask(creds) & SD_BUS_CREDS_EUID) ||
            sd_bus_creds_get_euid(creds, &euid) < 0)
                return sd_bus_error_setf(error, MC_BUS_ERROR_ACCESS_DENIED,
                                         "Only root may %s; the bus does not vouch for the caller's user", what);
        if (euid != 0)
                return sd_bus_error_setf(error, MC_BUS_ERROR_ACCESS_DENIED, "Only root may %s", what);
        return 0;
}

static int read_check_option(sd_bus_message *m, const char *name, void *userdata, sd_bus_error *error) {
        McCheckOptions *opts = userdata;
        uint32_t max;
        int r;

        if (strcmp(name, "max-candidates") != 0) {
                g_autofree char *q = mc_quote(name, 64);
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown option \"%s\" (expected max-candidates)", q);
        }
        r = sd_bus_message_read(m, "v", "u", &max);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Option max-candidates takes an unsigned 32-bit integer (u)");
        opts->max_candidates = max == 0 ? MC_CHECK_ALL_CANDIDATES : max;
        return 0;
}

int mc_bus_read_check_options(sd_bus_message *m, McCheckOptions *opts, sd_bus_error *error) {
        return mc_bus_read_dict(m, 16, "Too many options", read_check_option, opts, error);
}
