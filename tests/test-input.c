/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Hostile input, as classes rather than examples:
 *  - every method of dbus/org.migcompat.MigCompat1.xml (read here, so a new
 *    method is covered the day it is added), every string argument, with
 *    2-, 3- and 4-byte characters at each cut position around every length
 *    limit, and lone surrogates in every JSON string member of a source
 *    description: a named error (or an answer) within one second, never
 *    silence, and never text that is not UTF-8;
 *  - migcompatctl prints no raw invalid bytes, whatever it is given;
 *  - numbers JSON does not allow (03000, 0x400, $400, ...) get the same
 *    verdict or the same named error on every path: the bus, the CLI
 *    online and from a profile, domain metadata, and a driver's
 *    migration_info.json in sysfs. */

#include <check.h>
#include <errno.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "harness.h"
#include "host-fixture.h"
#include "mc-assert.h"
#include "mc-config.h"
#include "mc-test-main.h"
#include "mc-types.h"
#include "testbed.h"

#define ACME_PARENT MC_TEST_ACME_PARENT
#define ACME_IMPL "mdev:" ACME_PARENT ":acme_vgpu-2"
#define UUID "6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b"
#define INVALID_SOURCE MC_BUS_ERROR_PREFIX "InvalidSource"
#define REPLY_TIMEOUT_USEC (1000 * 1000)

typedef McTestHost Fx;

/* ---- hostile strings ---------------------------------------------------- */

/* 'a' * n, then a multi-byte character, then "b": for n around every
 * limit of mc-types.h and every cut a message makes (32, 64). */
static GPtrArray *multibyte_strings(void) {
        static const gsize limits[] = { 32, 64, MC_MAX_PARAM_NAME_LEN, MC_MAX_VERSION_LEN, MC_MAX_MODEL_LEN,
                                        MC_MAX_ID_LEN, MC_MAX_STRING_LEN };
        static const char *const chars[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80" };
        GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

        for (gsize l = 0; l < G_N_ELEMENTS(limits); l++) {
                if (!g_hash_table_add(seen, GSIZE_TO_POINTER(limits[l])))
                        continue;
                for (gsize c = 0; c < G_N_ELEMENTS(chars); c++)
                        for (gsize n = limits[l] - 4; n <= limits[l] + 1; n++) {
                                g_autofree char *a = g_strnfill(n, 'a');
                                g_ptr_array_add(v, g_strconcat(a, chars[c], "b", NULL));
                        }
        }
        g_ptr_array_add(v, g_strdup("\xc3\xa9"));
        g_ptr_array_add(v, g_strdup("\x1b[31mred"));
        return v;
}

/* JSON string literals holding lone surrogates (and one at a cut). */
static GPtrArray *surrogate_literals(void) {
        GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *a63 = g_strnfill(63, 'a');
        const char *const lits[] = { "\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"", "\"\\ud800\\u0041\"",
                                     "\"\\udbff\\udbff\"", "\"\\uDFFF\"" };
        for (gsize i = 0; i < G_N_ELEMENTS(lits); i++)
                g_ptr_array_add(v, g_strdup(lits[i]));
        g_ptr_array_add(v, g_strconcat("\"", a63, "\\ud800\"", NULL));
        g_ptr_array_add(v, g_strconcat("\"", a63, "\\udc00x\"", NULL));
        return v;
}

/* Every JSON string member of a source description, X the literal. */
static const char *const source_templates[][2] = {
        { "{\"devices\":[{\"id\":", ",\"model\":\"acme.example/vgpu\"}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":", "}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"version\":", "}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"params\":{", ":1}}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"params\":{\"framebuffer\":", "}}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"params\":{\"mode\":", "}}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"requires\":[", "]}]}" },
        { "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"requires\":[\"p2p\",", "]}]}" },
        { "{\"devices\":[{", ":1,\"id\":\"a\",\"model\":\"acme.example/vgpu\"}]}" },
        { "{", ":[]}" },
};

/* ---- the interface, from the XML ---------------------------------------- */

static GDBusNodeInfo *interface_xml(void) {
        g_autofree char *path = mc_harness_source_path("dbus/org.migcompat.MigCompat1.xml");
        g_autofree char *xml = NULL;
        g_autoptr(GError) error = NULL;
        GDBusNodeInfo *info;

        ck_assert(g_file_get_contents(path, &xml, NULL, NULL));
        info = g_dbus_node_info_new_for_xml(xml, &error);
        ck_assert_msg(info, "%s", error ? error->message : "");
        return info;
}

/* A valid value for an argument that is not the one under test, by name. */
static const char *default_string(const char *arg) {
        if (strcmp(arg, "source") == 0)
                return "{\"devices\":[{\"id\":\"a\",\"model\":\"acme.example/vgpu\",\"version\":\"v1\"}]}";
        if (strcmp(arg, "model") == 0)
                return "acme.example/vgpu";
        if (strcmp(arg, "version") == 0)
                return "v1";
        if (strcmp(arg, "uuid") == 0)
                return UUID;
        if (strcmp(arg, "id") == 0)
                return ACME_IMPL;
        return "x";
}

/* A known key of a dictionary argument, for a hostile value. */
static const char *dict_key(const char *arg) {
        if (strcmp(arg, "options") == 0)
                return "max-candidates";
        if (strcmp(arg, "parameters") == 0)
                return "framebuffer";
        return "x";
}

typedef enum {
        SLOT_NONE,       /* every argument at its default */
        SLOT_STRING,     /* s: the string itself */
        SLOT_ARRAY,      /* as: one element */
        SLOT_DICT_KEY,   /* a{sv}: a key (value u 1) */
        SLOT_DICT_VALUE, /* a{sv}: a known key with an s value */
} SlotKind;

typedef struct {
        sd_bus *bus;
        const char *path;
        const char *iface;
        GDBusMethodInfo *method;
        guint n_calls;
} Walk;

static void append_arg(sd_bus_message *m, GDBusArgInfo *arg, SlotKind kind, const char *value) {
        const char *sig = arg->signature;

        if (strcmp(sig, "s") == 0) {
                ck_assert_int_ge(sd_bus_message_append(m, "s", kind == SLOT_STRING ? value : default_string(arg->name)), 0);
        } else if (strcmp(sig, "as") == 0) {
                if (kind == SLOT_ARRAY)
                        ck_assert_int_ge(sd_bus_message_append(m, "as", 1, value), 0);
                else
                        ck_assert_int_ge(sd_bus_message_append(m, "as", 0), 0);
        } else if (strcmp(sig, "a{sv}") == 0) {
                if (kind == SLOT_DICT_KEY)
                        ck_assert_int_ge(sd_bus_message_append(m, "a{sv}", 1, value, "u", 1), 0);
                else if (kind == SLOT_DICT_VALUE)
                        ck_assert_int_ge(sd_bus_message_append(m, "a{sv}", 1, dict_key(arg->name), "s", value), 0);
                else
                        ck_assert_int_ge(sd_bus_message_append(m, "a{sv}", 0), 0);
        } else {
                ck_abort_msg("argument %s has type %s: teach tests/test-input.c its hostile values", arg->name, sig);
        }
}

static const char *shown(const char *s, char *buf, gsize size) {
        /* For failure messages only: the start, escaped. */
        g_autofree char *e = g_strescape(s, NULL);
        g_strlcpy(buf, e, size);
        return buf;
}

/* Call the method with argument `target` in the given slot holding value;
 * the reply must come within a second: an answer, or a named error with a
 * UTF-8 message. want_error: the error name required (NULL: any named). */
static void call_once(Walk *w, guint target, SlotKind kind, const char *value, const char *want_error) {
        g_autoptr(sd_bus_message) m = NULL, reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        char buf[120];
        guint i = 0;
        int r;

        ck_assert_int_ge(sd_bus_message_new_method_call(w->bus, &m, MC_BUS_NAME, w->path, w->iface, w->method->name), 0);
        for (GDBusArgInfo **a = w->method->in_args; a && *a; a++, i++)
                append_arg(m, *a, i == target ? kind : SLOT_NONE, value);
        r = sd_bus_call(w->bus, m, REPLY_TIMEOUT_USEC, &error, &reply);
        w->n_calls++;
        ck_assert_msg(r != -ETIMEDOUT, "%s.%s argument %u = \"%s\": no reply within a second", w->iface,
                      w->method->name, target, shown(value ? value : "", buf, sizeof buf));
        if (r >= 0) {
                ck_assert_msg(!want_error, "%s.%s \"%s\" answered, expected %s", w->iface, w->method->name,
                              shown(value, buf, sizeof buf), want_error);
                return;
        }
        ck_assert_msg(error.name, "%s.%s: failed without an error name: %s", w->iface, w->method->name, g_strerror(-r));
        ck_assert_msg(g_str_has_prefix(error.name, MC_BUS_ERROR_PREFIX) ||
                              strcmp(error.name, SD_BUS_ERROR_INVALID_ARGS) == 0,
                      "%s.%s: unexpected error %s: %s", w->iface, w->method->name, error.name, error.message);
        ck_assert_msg(error.message && g_utf8_validate(error.message, -1, NULL), "%s.%s: message not UTF-8",
                      w->iface, w->method->name);
        if (want_error)
                ck_assert_msg(strcmp(error.name, want_error) == 0, "%s.%s \"%s\": expected %s, got %s: %s", w->iface,
                              w->method->name, shown(value, buf, sizeof buf), want_error, error.name, error.message);
}

static void walk_method(Walk *w, GPtrArray *strings, GPtrArray *surrogates) {
        guint i = 0, slots = 0;

        for (GDBusArgInfo **a = w->method->in_args; a && *a; a++, i++) {
                const char *sig = (*a)->signature;
                SlotKind kinds[2] = { SLOT_NONE, SLOT_NONE };

                if (strcmp(sig, "s") == 0)
                        kinds[0] = SLOT_STRING;
                else if (strcmp(sig, "as") == 0)
                        kinds[0] = SLOT_ARRAY;
                else if (strcmp(sig, "a{sv}") == 0) {
                        kinds[0] = SLOT_DICT_KEY;
                        kinds[1] = SLOT_DICT_VALUE;
                } else {
                        append_arg(NULL, *a, SLOT_NONE, NULL); /* aborts: a type this test does not know */
                }
                for (gsize k = 0; k < 2 && kinds[k] != SLOT_NONE; k++) {
                        slots++;
                        for (guint s = 0; s < strings->len; s++)
                                call_once(w, i, kinds[k], strings->pdata[s], NULL);
                }
                /* A source description: every JSON string member, hostile. */
                if (strcmp(sig, "s") == 0 && strcmp((*a)->name, "source") == 0) {
                        for (gsize t = 0; t < G_N_ELEMENTS(source_templates); t++) {
                                for (guint s = 0; s < strings->len; s++) {
                                        g_autofree char *doc = g_strconcat(source_templates[t][0], "\"",
                                                                           (char *) strings->pdata[s], "\"",
                                                                           source_templates[t][1], NULL);
                                        call_once(w, i, SLOT_STRING, doc, NULL);
                                }
                                for (guint s = 0; s < surrogates->len; s++) {
                                        g_autofree char *doc = g_strconcat(source_templates[t][0],
                                                                           (char *) surrogates->pdata[s],
                                                                           source_templates[t][1], NULL);
                                        call_once(w, i, SLOT_STRING, doc, INVALID_SOURCE);
                                }
                        }
                }
        }
        if (slots == 0)
                call_once(w, G_MAXUINT, SLOT_NONE, NULL, NULL);
}

static char *impl_path(sd_bus *bus, const char *id) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *path;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetImplementation", &error,
                                   &reply, "s", id);
        ck_assert_msg(r >= 0, "GetImplementation %s: %s", id, error.message);
        ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
        return g_strdup(path);
}

START_TEST(every_method_every_string) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autoptr(GDBusNodeInfo) spec = interface_xml();
        g_autoptr(GPtrArray) strings = multibyte_strings();
        g_autoptr(GPtrArray) surrogates = surrogate_literals();
        g_autofree char *impl = NULL;
        guint n_methods = 0, n_calls = 0;

        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);
        impl = impl_path(f->bus, ACME_IMPL);

        for (GDBusInterfaceInfo **iface = spec->interfaces; iface && *iface; iface++) {
                const char *path = strcmp((*iface)->name, MC_BUS_MANAGER_IFACE) == 0 ? MC_BUS_PATH : impl;
                ck_assert_msg(strcmp((*iface)->name, MC_BUS_MANAGER_IFACE) == 0 ||
                                      strcmp((*iface)->name, MC_BUS_IMPL_IFACE) == 0,
                              "interface %s: on which object? teach tests/test-input.c", (*iface)->name);
                for (GDBusMethodInfo **m = (*iface)->methods; m && *m; m++) {
                        Walk w = { .bus = f->bus, .path = path, .iface = (*iface)->name, .method = *m };
                        walk_method(&w, strings, surrogates);
                        n_methods++;
                        n_calls += w.n_calls;
                }
        }
        ck_assert_uint_ge(n_methods, 8);
        /* Still serving, and it exits cleanly. */
        ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Peer", "Ping", NULL,
                                            NULL, NULL),
                         0);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        fprintf(stderr, "every_method_every_string: %u methods, %u calls\n", n_methods, n_calls);
}
END_TEST

/* ---- migcompatctl's output ---------------------------------------------- */

static int run_ctl(Fx *f, char **out, char **err, const char *const *args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *o = NULL, *e = NULL;
        int status;

        g_ptr_array_add(argv, mc_harness_build_path("src/migcompatctl"));
        for (const char *const *a = args; *a; a++)
                g_ptr_array_add(argv, g_strdup(*a));
        g_ptr_array_add(argv, NULL);
        status = mc_harness_run(f->h, false, (const char *const *) argv->pdata, &o, &e);
        ck_assert_msg(!strstr(e, "Sanitizer"), "sanitizer report:\n%s", e);
        *out = g_steal_pointer(&o);
        *err = g_steal_pointer(&e);
        return status;
}

/* Valid UTF-8 with no control characters but newline and tab. */
static void assert_clean_text(const char *what, const char *text) {
        g_autofree char *esc = g_strescape(text, NULL);
        ck_assert_msg(g_utf8_validate(text, -1, NULL), "%s is not UTF-8: %s", what, esc);
        for (const char *p = text; *p; p++)
                ck_assert_msg((unsigned char) *p >= 0x20 || *p == '\n' || *p == '\t', "%s has a control character: %s",
                              what, esc);
}

static char *domain_xml(const char *device_attrs, const char *param_value) {
        return g_strdup_printf(
                "<domain type='kvm'><name>d</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><metadata>"
                "<migcompat:migcompat xmlns:migcompat='https://migcompat.org/xmlns/libvirt-domain/1'>"
                "<migcompat:device id='hostdev0' %s>"
                "<migcompat:param name='framebuffer' type='int' value='%s'/>"
                "</migcompat:device></migcompat:migcompat></metadata><devices/></domain>",
                device_attrs, param_value);
}

START_TEST(ctl_prints_no_invalid_bytes) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *a63 = g_strnfill(63, 'a');
        g_autofree char *model_cut = g_strconcat("a.com/", a63, "\xc3\xa9", NULL);
        g_autofree char *src_cut = g_strdup_printf("{\"devices\":[{\"id\":\"a\",\"model\":\"%s\"}]}", model_cut);
        g_autofree char *src_bytes = g_strdup("{\"devices\":[{\"id\":\"a\",\"model\":\"a.com/\xff\xfe\"}]}");
        g_autofree char *src_surrogate = g_strdup("{\"devices\":[{\"id\":\"\\ud800\",\"model\":\"a.com/b\"}]}");
        g_autofree char *version_cut = g_strconcat(a63, "\xe2\x82\xac", NULL);
        g_autofree char *attrs_cut = g_strdup_printf("model='acme.example/vgpu' version='%s'", version_cut);
        g_autofree char *dom_cut = domain_xml(attrs_cut, "512");
        g_autofree char *dom_bytes = domain_xml("model='acme.example/vgpu' version='v1\xff'", "512");
        g_autofree char *p_cut = mc_harness_write(f->h, "cut.json", src_cut);
        g_autofree char *p_bytes = mc_harness_write(f->h, "bytes.json", src_bytes);
        g_autofree char *p_sur = mc_harness_write(f->h, "surrogate.json", src_surrogate);
        g_autofree char *p_dom_cut = mc_harness_write(f->h, "dom-cut.xml", dom_cut);
        g_autofree char *p_dom_bytes = mc_harness_write(f->h, "dom-bytes.xml", dom_bytes);
        g_autofree char *dom_escape = g_strdup_printf(
                "<domain><name>vm&#27;]0;title&#7;&#27;[2J</name><uuid>x&#27;[1m</uuid><metadata>"
                "<migcompat xmlns='https://migcompat.org/xmlns/libvirt-domain/1'>"
                "<device id='hostdev0' model='acme.example/vgpu' version='v1'/></migcompat></metadata></domain>");
        g_autofree char *p_dom_escape = mc_harness_write(f->h, "dom-escape.xml", dom_escape);
        const char dom_alias[] =
                "<domain><name>vm</name><devices><hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
                "<source><address uuid='" UUID "'/></source><alias name='ua-&#27;[2J&#10;x'/></hostdev>"
                "</devices></domain>";
        g_autofree char *p_dom_alias = mc_harness_write(f->h, "dom-alias.xml", dom_alias);
        g_autofree char *p_bad_name = g_build_filename(mc_harness_dir(f->h), "no-such-\xff\x1b[2J.json", NULL);
        const char *const *cases[] = {
                (const char *const[]) { "describe", "\xff\xfe" "6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b", NULL },
                (const char *const[]) { "describe", "\x1b]0;title\x07", NULL },
                (const char *const[]) { "show", "mdev:\xff:\xc3", NULL },
                (const char *const[]) { "check", p_cut, NULL },
                (const char *const[]) { "check", p_bytes, NULL },
                (const char *const[]) { "check", p_sur, NULL },
                (const char *const[]) { "check", p_bad_name, NULL },
                (const char *const[]) { "check", "--profile", p_bad_name, p_cut, NULL },
                (const char *const[]) { "check-domain", p_dom_cut, NULL },
                (const char *const[]) { "check-domain", "--hook", p_dom_cut, NULL },
                (const char *const[]) { "check-domain", p_dom_bytes, NULL },
                (const char *const[]) { "check-domain", "--hook", p_dom_bytes, NULL },
                (const char *const[]) { "check-domain", p_dom_escape, NULL },
                (const char *const[]) { "check-domain", "--hook", p_dom_escape, NULL },
                (const char *const[]) { "check-domain", p_dom_alias, NULL },
                (const char *const[]) { "check-domain", "--allow-unknown", p_dom_alias, NULL },
                (const char *const[]) { "\xff-verb", NULL },
                (const char *const[]) { "list", "--\xfe", NULL },
        };

        mc_harness_start_daemon(f->h, NULL);
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *out = NULL, *err = NULL;
                int status = run_ctl(f, &out, &err, cases[i]);
                bool may_succeed = g_strv_contains((const char *const *) cases[i], p_dom_escape) ||
                                   g_strv_contains((const char *const *) cases[i], p_dom_alias);
                ck_assert_msg(status != 0 || may_succeed, "case %zu succeeded", i);
                assert_clean_text("stdout", out);
                assert_clean_text("stderr", err);
                ck_assert_msg(strlen(err) > 0 || may_succeed, "case %zu: no message", i);
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

/* ---- numbers: one verdict or one error on every path --------------------- */

typedef enum {
        NUM_REFUSED_NUMBER, /* not a JSON number, or an integer out of range */
        NUM_REFUSED_TYPE,   /* a JSON number, not an integer */
        NUM_COMPATIBLE,     /* an integer in 512-2048 */
        NUM_INCOMPATIBLE,   /* an integer outside */
} NumExpect;

static const struct {
        const char *token;
        NumExpect expect;
} numbers[] = {
        { "03000", NUM_REFUSED_NUMBER },
        { "0x400", NUM_REFUSED_NUMBER },
        { "$400", NUM_REFUSED_NUMBER },
        { "0400", NUM_REFUSED_NUMBER },
        { "+1", NUM_REFUSED_NUMBER },
        { ".5", NUM_REFUSED_NUMBER },
        { "1.", NUM_REFUSED_NUMBER },
        { "-", NUM_REFUSED_NUMBER },
        { "1_024", NUM_REFUSED_NUMBER },
        { "99999999999999999999", NUM_REFUSED_NUMBER },
        { "9223372036854775808", NUM_REFUSED_NUMBER },
        { "1e3", NUM_REFUSED_TYPE },
        { "1.5", NUM_REFUSED_TYPE },
        { "1024.0", NUM_REFUSED_TYPE },
        { "1E400", NUM_REFUSED_TYPE },
        { "-0", NUM_INCOMPATIBLE },
        { "0", NUM_INCOMPATIBLE },
        { "-1", NUM_INCOMPATIBLE },
        { "3000", NUM_INCOMPATIBLE },
        { "9223372036854775807", NUM_INCOMPATIBLE },
        { "512", NUM_COMPATIBLE },
        { "1024", NUM_COMPATIBLE },
};

static const char *expect_name(NumExpect e) {
        switch (e) {
        case NUM_COMPATIBLE:
                return "compatible";
        case NUM_INCOMPATIBLE:
                return "incompatible";
        default:
                return "refused";
        }
}

static char *number_source(const char *token) {
        return g_strdup_printf("{\"devices\":[{\"id\":\"hostdev0\",\"model\":\"acme.example/vgpu\",\"version\":\"v1\","
                               "\"params\":{\"framebuffer\":%s}}]}",
                               token);
}

/* A driver's migration_info.json with the token as a parameter's
 * init_value: read (migratable) or refused with the reason. */
static char *number_info(const char *token) {
        return g_strdup_printf("{\"models\": {\"numbers.example/t\": {\"versions\": [\"v1\"], \"params\": "
                               "{\"n\": {\"type\": \"int\", \"init_value\": %s}}}}}",
                               token);
}

static const char *ctl_status_name(int status) {
        return status == 0 ? "compatible" : status == 1 ? "incompatible" : status == 2 ? "refused" : "other";
}

static bool get_bool_prop(sd_bus *bus, const char *path, const char *prop) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int b = 0;
        ck_assert_int_ge(sd_bus_get_property_trivial(bus, MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, prop, &error, 'b', &b), 0);
        return b;
}

static char *get_string_prop(sd_bus *bus, const char *path, const char *prop) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        char *s = NULL;
        ck_assert_int_ge(sd_bus_get_property_string(bus, MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, prop, &error, &s), 0);
        return s;
}

START_TEST(numbers_every_path) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *profile_path = NULL;

        /* One mdev type per token on the acme parent, each with the token in
         * its migration_info.json. */
        for (gsize i = 0; i < G_N_ELEMENTS(numbers); i++) {
                g_autofree char *type_id = g_strdup_printf("acme_vgpu-n%zu", i);
                g_autofree char *info = number_info(numbers[i].token);
                const McTestType t = { type_id, "numbers", NULL, "vfio-pci", 1, NULL, info };
                mc_testbed_add_type(f->tb, f->acme, &t);
        }
        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);
        {
                g_autoptr(sd_bus_message) reply = NULL;
                g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                const char *profile;
                ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "GetHostProfile", &error, &reply, NULL),
                                 0);
                ck_assert_int_ge(sd_bus_message_read(reply, "s", &profile), 0);
                profile_path = mc_harness_write(f->h, "profile.json", profile);
        }

        for (gsize i = 0; i < G_N_ELEMENTS(numbers); i++) {
                const char *tok = numbers[i].token;
                const char *want = expect_name(numbers[i].expect);
                bool refused = numbers[i].expect == NUM_REFUSED_NUMBER || numbers[i].expect == NUM_REFUSED_TYPE;
                const char *phrase = numbers[i].expect == NUM_REFUSED_NUMBER
                                             ? (strlen(tok) >= 19 ? "64-bit range" : "is not a JSON number")
                                             : "expected";
                g_autofree char *src = number_source(tok);
                g_autofree char *src_name = g_strdup_printf("n%zu.json", i);
                g_autofree char *src_path = mc_harness_write(f->h, src_name, src);
                g_autofree char *dom = domain_xml("model='acme.example/vgpu' version='v1'", tok);
                g_autofree char *dom_name = g_strdup_printf("n%zu.xml", i);
                g_autofree char *dom_path = mc_harness_write(f->h, dom_name, dom);
                g_autofree char *bus_outcome = NULL;

                /* The bus. */
                {
                        g_autoptr(sd_bus_message) reply = NULL;
                        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                        const char *json;
                        int r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check",
                                                   &error, &reply, "s", src);
                        if (r < 0) {
                                ck_assert_msg(refused, "%s: bus refused it: %s", tok, error.message);
                                ck_assert_msg(sd_bus_error_has_name(&error, INVALID_SOURCE), "%s: %s: %s", tok,
                                              error.name, error.message);
                                ck_assert_contains(error.message, phrase);
                                bus_outcome = g_strdup("refused");
                        } else {
                                g_autoptr(JsonParser) p = json_parser_new();
                                ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
                                ck_assert(json_parser_load_from_data(p, json, -1, NULL));
                                bus_outcome = g_strdup(json_object_get_string_member(
                                        json_node_get_object(json_parser_get_root(p)), "verdict"));
                        }
                        ck_assert_msg(strcmp(bus_outcome, want) == 0, "%s on the bus: %s, expected %s", tok,
                                      bus_outcome, want);
                }
                /* migcompatctl check, online and from the profile, and
                 * check-domain with the value in the domain metadata. */
                {
                        const char *const online[] = { "check", src_path, NULL };
                        const char *const offline[] = { "check", "--profile", profile_path, src_path, NULL };
                        const char *const domain[] = { "check-domain", dom_path, NULL };
                        const char *const *runs[] = { online, offline, domain };
                        const char *names[] = { "check", "check --profile", "check-domain" };
                        for (gsize k = 0; k < G_N_ELEMENTS(runs); k++) {
                                g_autofree char *out = NULL, *err = NULL;
                                int status = run_ctl(f, &out, &err, runs[k]);
                                ck_assert_msg(strcmp(ctl_status_name(status), bus_outcome) == 0,
                                              "%s: %s exits %d (%s), the bus said %s\n%s%s", tok, names[k], status,
                                              ctl_status_name(status), bus_outcome, out, err);
                                if (refused)
                                        ck_assert_contains(err, k == 2 ? "not an integer as JSON writes one" : phrase);
                        }
                }
                /* The driver's attribute in sysfs. */
                {
                        g_autofree char *id = g_strdup_printf("mdev:%s:acme_vgpu-n%zu", ACME_PARENT, i);
                        g_autofree char *path = impl_path(f->bus, id);
                        g_autofree char *reason = get_string_prop(f->bus, path, "NotMigratableReason");
                        bool migratable = get_bool_prop(f->bus, path, "Migratable");
                        ck_assert_msg(migratable == !refused, "%s in migration_info.json: migratable %d (%s)", tok,
                                      migratable, reason);
                        if (refused)
                                ck_assert_contains(reason, phrase);
                }
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

/* File names are input too: a descriptor or data file whose name is not
 * UTF-8 (or holds control characters) would become an implementation id
 * the bus cannot carry. Such names are not ours; everything else is still
 * served and listed. */
START_TEST(file_names_not_utf8) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *desc = g_strdup_printf("{\"binary\": \"%s\", \"args\": [\"json\", \"vendor-b.com/nic\"]}", prog);
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int r;

        g_free(mc_harness_write(f->h, "descriptors/bad\xff\xfe.json", desc));
        g_free(mc_harness_write(f->h, "descriptors/esc\x1b[2J.json", desc));
        g_free(mc_harness_write(f->h, "data/odd\xc3.json", "{}"));
        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);

        r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &error, &reply, NULL);
        ck_assert_msg(r >= 0, "GetManagedObjects: %s", error.message ? error.message : g_strerror(-r));
        g_clear_pointer(&reply, sd_bus_message_unref);
        r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetHostProfile", &error, &reply,
                               NULL);
        ck_assert_msg(r >= 0, "GetHostProfile: %s", error.message ? error.message : g_strerror(-r));
        {
                const char *profile;
                ck_assert_int_ge(sd_bus_message_read(reply, "s", &profile), 0);
                ck_assert(g_utf8_validate(profile, -1, NULL));
                ck_assert_contains(profile, "vfio-user:vnic");
                ck_assert(!strstr(profile, "vfio-user:bad"));
                ck_assert(!strstr(profile, "vfio-user:esc"));
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

/* What a driver writes in a running device's migration/ attributes is
 * input: Describe answers within a second, with a description that is
 * valid text or a named error, whatever bytes the attributes hold. */
START_TEST(describe_sysfs_bytes) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        static const char info[] = "{\"models\": {\"strs.example/t\": {\"versions\": [\"v1\"], \"params\": "
                                   "{\"mode\": {\"type\": \"str\", \"init_value\": \"a\"}}}}}";
        const McTestType t = { "acme_vgpu-s", "strings", NULL, "vfio-pci", 8, NULL, info };
        g_autofree char *a63 = g_strnfill(63, 'a');
        g_autofree char *cut = g_strconcat(a63, "\xc3\xa9", NULL);
        g_autofree char *ctl_bytes = g_strdup("x\x1b[2J");
        const char *const values[] = { "\xff\xfe", "a\xc3", cut, ctl_bytes, "\xed\xa0\x80" };
        const char *const uuids[] = { "11111111-0000-4000-8000-000000000001", "11111111-0000-4000-8000-000000000002",
                                      "11111111-0000-4000-8000-000000000003", "11111111-0000-4000-8000-000000000004",
                                      "11111111-0000-4000-8000-000000000005" };
        const char *const versions[] = { "v1\xff", "v1", "v1", "v1", "v1" };

        mc_testbed_add_type(f->tb, f->acme, &t);
        for (gsize i = 0; i < G_N_ELEMENTS(values); i++) {
                const char *migration[] = { "device_model", "strs.example/t", "version", versions[i], "mode", values[i],
                                            NULL };
                g_free(mc_testbed_add_instance(f->tb, f->acme, "acme_vgpu-s", uuids[i], migration, false));
        }
        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);
        for (gsize i = 0; i < G_N_ELEMENTS(values); i++) {
                g_autoptr(sd_bus_message) reply = NULL;
                g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
                const char *json;
                g_autoptr(sd_bus_message) m = NULL;
                int r;
                ck_assert_int_ge(sd_bus_message_new_method_call(f->bus, &m, MC_BUS_NAME, MC_BUS_PATH,
                                                                MC_BUS_MANAGER_IFACE, "Describe"),
                                 0);
                ck_assert_int_ge(sd_bus_message_append(m, "s", uuids[i]), 0);
                r = sd_bus_call(f->bus, m, REPLY_TIMEOUT_USEC, &error, &reply);
                ck_assert_msg(r != -ETIMEDOUT, "Describe %s: no reply within a second", uuids[i]);
                if (i == 2) {
                        /* Valid text: described as it is. */
                        ck_assert_msg(r >= 0, "%s", error.message);
                        ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
                        ck_assert_contains(json, cut);
                } else {
                        ck_assert_msg(r < 0, "Describe %s answered", uuids[i]);
                        ck_assert_msg(sd_bus_error_has_name(&error, MC_BUS_ERROR_PREFIX "NotMigratable"), "%s: %s",
                                      error.name, error.message);
                        ck_assert(g_utf8_validate(error.message, -1, NULL));
                }
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

static Suite *input_suite(void) {
        Suite *s = suite_create("input");
        TCase *tc = tcase_create("hostile");
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, every_method_every_string);
        tcase_add_test(tc, ctl_prints_no_invalid_bytes);
        tcase_add_test(tc, numbers_every_path);
        tcase_add_test(tc, file_names_not_utf8);
        tcase_add_test(tc, describe_sysfs_bytes);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(input_suite)
