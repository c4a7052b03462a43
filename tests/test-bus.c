/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatd on a private bus over a simulated host: objects, queries,
 * signals on hotplug, named errors for bad arguments, the introspection
 * against dbus/, Describe → Check round trip, sd_notify and SIGTERM. */

#include <check.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "host-fixture.h"
#include "mc-assert.h"
#include "mc-config.h"
#include "mc-test-main.h"
#include "testbed.h"

#define ACME_PARENT MC_TEST_ACME_PARENT
#define GVT_PARENT MC_TEST_GVT_PARENT
#define UUID "6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b"

/* Every test runs on the standard test host (host-fixture.h). */
typedef McTestHost Fx;

static void fx_start(Fx *f) {
        mc_harness_start_daemon(f->h, NULL);
        f->bus = mc_harness_connect(f->h);
}

static char *get_string_prop(sd_bus *bus, const char *path, const char *iface, const char *prop) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        char *s = NULL;
        int r = sd_bus_get_property_string(bus, MC_BUS_NAME, path, iface, prop, &error, &s);
        ck_assert_msg(r >= 0, "%s %s: %s", path, prop, error.message ? error.message : g_strerror(-r));
        return s;
}

static char *impl_path(sd_bus *bus, const char *id) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *path;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "GetImplementation",
                                   &error, &reply, "s", id);
        ck_assert_msg(r >= 0, "GetImplementation %s: %s", id, error.message);
        ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
        return g_strdup(path);
}

static uint64_t generation(sd_bus *bus) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        uint64_t g = 0;
        ck_assert_int_ge(sd_bus_get_property_trivial(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                     "Generation", &error, 't', &g), 0);
        return g;
}

/* Call Check; returns the result JSON root object (caller unrefs parser). */
static JsonParser *check_json(sd_bus *bus, const char *source, sd_bus_error *error, int *ret) {
        g_autoptr(sd_bus_message) reply = NULL;
        const char *json;
        JsonParser *p;

        *ret = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", error, &reply,
                                  "s", source);
        if (*ret < 0)
                return NULL;
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
        p = json_parser_new();
        ck_assert(json_parser_load_from_data(p, json, -1, NULL));
        return p;
}

static const char *verdict_of(JsonParser *p) {
        return json_object_get_string_member(json_node_get_object(json_parser_get_root(p)), "verdict");
}

START_TEST(startup_objects) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *acme1 = NULL, *gvt4 = NULL, *gvt1 = NULL, *mtty = NULL, *vnic = NULL;
        g_autofree char *s = NULL;
        g_autofree char *status = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int64_t avail = 0;
        int migratable = -1;
        char **versions = NULL;

        mc_harness_spawn_daemon(f->h, NULL);
        status = mc_harness_wait_notify(f->h, "READY=1", 60000);
        ck_assert_ptr_nonnull(status);
        /* The status line says what the daemon sees. */
        g_free(status);
        status = mc_harness_wait_notify(f->h, "STATUS=", 10000);
        ck_assert_ptr_nonnull(status);
        /* gvt 4 types, acme 3, mtty 2, one program */
        ck_assert_msg(strstr(status, "10 implementations, 5 not migratable (3 mdev parents, 0 VFIO PCI functions, 3 device models)"), "%s", status);
        f->bus = mc_harness_connect(f->h);

        acme1 = impl_path(f->bus, "mdev:" ACME_PARENT ":acme_vgpu-1");
        s = get_string_prop(f->bus, acme1, MC_BUS_IMPL_IFACE, "Model");
        ck_assert_str_eq(s, "acme.example/vgpu");
        g_clear_pointer(&s, g_free);
        s = get_string_prop(f->bus, acme1, MC_BUS_IMPL_IFACE, "Source");
        ck_assert_str_eq(s, "driver");
        g_clear_pointer(&s, g_free);
        ck_assert_int_ge(sd_bus_get_property_strv(f->bus, MC_BUS_NAME, acme1, MC_BUS_IMPL_IFACE, "Versions",
                                                  &error, &versions), 0);
        ck_assert_str_eq(versions[0], "v2");
        ck_assert_str_eq(versions[1], "v1");
        ck_assert_ptr_null(versions[2]);
        g_strfreev(versions);
        ck_assert_int_ge(sd_bus_get_property_trivial(f->bus, MC_BUS_NAME, acme1, MC_BUS_IMPL_IFACE,
                                                     "AvailableInstances", &error, 'x', &avail), 0);
        ck_assert_int_eq(avail, 3);

        gvt4 = impl_path(f->bus, "mdev:" GVT_PARENT ":i915-GVTg_V5_4");
        s = get_string_prop(f->bus, gvt4, MC_BUS_IMPL_IFACE, "Source");
        ck_assert_str_eq(s, "data-file");
        g_clear_pointer(&s, g_free);
        s = get_string_prop(f->bus, gvt4, MC_BUS_IMPL_IFACE, "SourceFile");
        ck_assert(g_str_has_suffix(s, "/data/i915-gvtg-v5_4.json"));
        g_clear_pointer(&s, g_free);
        s = get_string_prop(f->bus, gvt4, MC_BUS_IMPL_IFACE, "Driver");
        ck_assert_str_eq(s, "i915");
        g_clear_pointer(&s, g_free);

        gvt1 = impl_path(f->bus, "mdev:" GVT_PARENT ":i915-GVTg_V5_1");
        ck_assert_int_ge(sd_bus_get_property_trivial(f->bus, MC_BUS_NAME, gvt1, MC_BUS_IMPL_IFACE, "Migratable",
                                                     &error, 'b', &migratable), 0);
        ck_assert_int_eq(migratable, 0);
        s = get_string_prop(f->bus, gvt1, MC_BUS_IMPL_IFACE, "NotMigratableReason");
        ck_assert_msg(strstr(s, "i915") && strstr(s, "i915-GVTg_V5_1"), "%s", s);
        g_clear_pointer(&s, g_free);

        mtty = impl_path(f->bus, "mdev:mtty:mtty-1");
        s = get_string_prop(f->bus, mtty, MC_BUS_IMPL_IFACE, "Source");
        ck_assert_str_eq(s, "none");
        g_clear_pointer(&s, g_free);

        vnic = impl_path(f->bus, "vfio-user:vnic");
        s = get_string_prop(f->bus, vnic, MC_BUS_IMPL_IFACE, "Source");
        ck_assert_str_eq(s, "program");
        g_clear_pointer(&s, g_free);
        s = get_string_prop(f->bus, vnic, MC_BUS_IMPL_IFACE, "Kind");
        ck_assert_str_eq(s, "vfio-user");
        g_clear_pointer(&s, g_free);

        /* The ObjectManager lists every object. */
        {
                g_autoptr(sd_bus_message) reply = NULL;
                unsigned n = 0;
                const char *path;
                ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH,
                                                    "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                                    &error, &reply, NULL), 0);
                ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}"), 0);
                while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
                        ck_assert_int_ge(sd_bus_message_read(reply, "o", &path), 0);
                        ck_assert(g_str_has_prefix(path, MC_BUS_IMPL_PREFIX "/"));
                        ck_assert_int_ge(sd_bus_message_skip(reply, "a{sa{sv}}"), 0);
                        ck_assert_int_ge(sd_bus_message_exit_container(reply), 0);
                        n++;
                }
                ck_assert_uint_eq(n, 10);
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

START_TEST(check_verdicts) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        int r;

        fx_start(f);
        struct {
                const char *source;
                const char *verdict;
                const char *code; /* a reason that must appear, or NULL */
        } cases[] = {
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\", "
                  "\"params\": {\"framebuffer\": 1024}}]}", "compatible", NULL },
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v3\", "
                  "\"params\": {\"framebuffer\": 1024}}]}", "incompatible", "version-unsupported" },
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\", "
                  "\"params\": {\"framebuffer\": 4096}}]}", "incompatible", "param-out-of-range" },
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\", "
                  "\"params\": {\"framebuffer\": 1024, \"turbo\": true}}]}", "incompatible", "param-unknown" },
                /* acme_vgpu-1 takes no parameters; the others need framebuffer */
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\"}]}",
                  "compatible", "param-missing" },
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"other.example/x\"}]}", "incompatible",
                  "model-mismatch" },
                { "{\"devices\": [{\"id\": \"gpu\", \"model\": \"intel.com/gvt-g/v5_4\", \"version\": \"gvt-1\", "
                  "\"requires\": [\"pre-copy\"]}]}", "incompatible", "capability-missing" },
                { "{\"devices\": [{\"id\": \"nic\", \"model\": \"vendor-a.com/my-nic\", \"version\": \"v1\", "
                  "\"params\": {\"queues\": 4, \"num-resources\": 64}}]}", "compatible", NULL },
        };
        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autoptr(JsonParser) p = check_json(f->bus, cases[i].source, &error, &r);
                ck_assert_msg(r >= 0, "case %u: %s", i, error.message);
                ck_assert_msg(strcmp(verdict_of(p), cases[i].verdict) == 0, "case %u: %s", i, verdict_of(p));
                if (cases[i].code) {
                        g_autoptr(JsonGenerator) g = json_generator_new();
                        g_autofree char *text = NULL;
                        json_generator_set_root(g, json_parser_get_root(p));
                        text = json_generator_to_data(g, NULL);
                        ck_assert_msg(strstr(text, cases[i].code), "case %u lacks %s: %s", i, cases[i].code, text);
                }
        }

        /* The typed one-device method, as busctl calls it. */
        {
                g_autoptr(sd_bus_message) reply = NULL;
                const char *verdict, *path, *impl, *code, *msg;
                bool found = false;
                r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "CheckDevice",
                                       &error, &reply, "ssa{sv}as", "acme.example/vgpu", "v2", 2, "framebuffer",
                                       "i", 1024, "display", "s", "on", 1, "pre-copy");
                ck_assert_msg(r >= 0, "%s", error.message);
                ck_assert_int_ge(sd_bus_message_read(reply, "so", &verdict, &path), 0);
                ck_assert_str_eq(verdict, "compatible");
                ck_assert(g_str_has_prefix(path, MC_BUS_IMPL_PREFIX "/"));
                g_autofree char *id = get_string_prop(f->bus, path, MC_BUS_IMPL_IFACE, "ID");
                /* acme_vgpu-1 publishes no parameters: param-unknown there. */
                ck_assert(strcmp(id, "mdev:" ACME_PARENT ":acme_vgpu-2") == 0 ||
                          strcmp(id, "mdev:" ACME_PARENT ":acme_vgpu-4") == 0);
                ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "(sss)"), 0);
                while (sd_bus_message_read(reply, "(sss)", &impl, &code, &msg) > 0)
                        if (strcmp(impl, "mdev:" ACME_PARENT ":acme_vgpu-1") == 0 &&
                            strcmp(code, "param-unknown") == 0)
                                found = true;
                ck_assert(found);
        }

        /* A check against one implementation object: another model is
         * model-mismatch, and the answer names the current generation. */
        {
                g_autofree char *nic = impl_path(f->bus, "vfio-user:vnic");
                g_autoptr(sd_bus_message) reply = NULL;
                g_autoptr(JsonParser) p = json_parser_new();
                const char *json;
                r = sd_bus_call_method(f->bus, MC_BUS_NAME, nic, MC_BUS_IMPL_IFACE, "Check", &error, &reply, "s",
                                       "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\"}]}");
                ck_assert_msg(r >= 0, "%s", error.message);
                ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
                ck_assert_msg(strstr(json, "\"model-mismatch\""), "%s", json);
                ck_assert(json_parser_load_from_data(p, json, -1, NULL));
                ck_assert_uint_eq((uint64_t) json_object_get_int_member(json_node_get_object(json_parser_get_root(p)),
                                                                       "generation"),
                                  generation(f->bus));
                ck_assert_uint_gt(generation(f->bus), 0);
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

typedef struct {
        unsigned added, removed, changed_signals;
        uint64_t last_generation;
} Seen;

static int on_added(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        ((Seen *) userdata)->added++;
        return 0;
}
static int on_removed(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        ((Seen *) userdata)->removed++;
        return 0;
}
static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        Seen *s = userdata;
        uint64_t g;
        if (sd_bus_message_read(m, "t", &g) > 0) {
                s->changed_signals++;
                s->last_generation = g;
        }
        return 0;
}

static Seen *seen_ptr;
static bool got_added(void *u) {
        return ((Seen *) u)->added > 0 && ((Seen *) u)->changed_signals > 0;
}
static bool got_removed(void *u) {
        return ((Seen *) u)->removed > 0 && ((Seen *) u)->changed_signals > 1;
}

START_TEST(hotplug_signals) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        Seen seen = { 0 };
        uint64_t g0;
        g_autofree char *parent = NULL;

        fx_start(f);
        seen_ptr = &seen;
        g0 = generation(f->bus);
        ck_assert_int_ge(sd_bus_match_signal(f->bus, NULL, MC_BUS_NAME, MC_BUS_PATH,
                                             "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", on_added,
                                             &seen), 0);
        ck_assert_int_ge(sd_bus_match_signal(f->bus, NULL, MC_BUS_NAME, MC_BUS_PATH,
                                             "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
                                             on_removed, &seen), 0);
        ck_assert_int_ge(sd_bus_match_signal(f->bus, NULL, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                             "ImplementationsChanged", on_changed, &seen), 0);

        /* A second acme card is hot-plugged. */
        parent = mc_testbed_add_acme(f->tb, "0000:af:00.0");
        mc_testbed_uevent(f->tb, parent, "add");
        ck_assert_msg(mc_harness_bus_wait(f->bus, got_added, &seen, 20000), "no signals after add");
        ck_assert_uint_eq(seen.added, 3); /* its three types */
        ck_assert_uint_gt(seen.last_generation, g0);
        ck_assert_uint_eq(generation(f->bus), seen.last_generation);
        g_autofree char *p = impl_path(f->bus, "mdev:0000:af:00.0:acme_vgpu-4");
        ck_assert_ptr_nonnull(p);

        /* And removed again (umockdev sends a uevent only for a device that
         * still exists; the daemon must not need the tree to act on it). */
        mc_testbed_uevent(f->tb, parent, "remove");
        mc_testbed_remove(f->tb, parent);
        ck_assert_msg(mc_harness_bus_wait(f->bus, got_removed, &seen, 20000), "no signals after remove");
        ck_assert_uint_eq(seen.removed, 3);
        ck_assert_uint_gt(generation(f->bus), g0 + 1);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

static void expect_error(sd_bus *bus, const char *error_name, const char *method, const char *types, ...) {
        g_autoptr(sd_bus_message) m = NULL, reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        ck_assert_int_ge(sd_bus_message_new_method_call(bus, &m, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                        method), 0);
        va_start(ap, types);
        ck_assert_int_ge(sd_bus_message_appendv(m, types, ap), 0);
        va_end(ap);
        r = sd_bus_call(bus, m, 0, &error, &reply);
        ck_assert_msg(r < 0, "%s succeeded but should fail with %s", method, error_name);
        ck_assert_msg(sd_bus_error_has_name(&error, error_name), "%s: expected %s, got %s: %s", method,
                      error_name, error.name, error.message);
        ck_assert_msg(error.message && strlen(error.message) > 10, "no helpful message");
}

START_TEST(bad_arguments) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *huge = g_malloc(2 * 1024 * 1024 + 1);
        g_autoptr(GString) deep = g_string_new(NULL);

        fx_start(f);
        memset(huge, ' ', 2 * 1024 * 1024);
        huge[2 * 1024 * 1024] = '\0';
        for (int i = 0; i < 10000; i++)
                g_string_append_c(deep, '[');

        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "Check", "s", "not json");
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "Check", "s", huge);
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "Check", "s", deep->str);
        expect_error(f->bus, "org.migcompat.MigCompat1.Error.InvalidSource", "Check", "s", "{\"devices\": []}");
        expect_error(f->bus, "org.migcompat.MigCompat1.Error.InvalidSource", "Check", "s",
                     "{\"devices\": [{\"id\": \"a\", \"model\": \"no-domain\"}]}");
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "Check", "i", 42);
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "CheckDevice", "ssa{sv}as", "bad model", "", 0, 0);
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "CheckDevice", "ssa{sv}as", "a.com/b", "v1\n", 0, 0);
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "CheckDevice", "ssa{sv}as", "a.com/b", "", 1, "q", "d",
                     1.5, 0);
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "CheckDevice", "ssa{sv}as", "a.com/b", "", 1, "a=b", "i",
                     1, 0);
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "CheckDevice", "ssa{sv}as", "a.com/b", "", 0, 1, "warp");
        expect_error(f->bus, SD_BUS_ERROR_INVALID_ARGS, "Describe", "s", "not-a-uuid");
        expect_error(f->bus, "org.migcompat.MigCompat1.Error.NotFound", "Describe", "s", UUID);
        expect_error(f->bus, "org.migcompat.MigCompat1.Error.NotFound", "GetImplementation", "s", "mdev:x:y");

        /* Still serving, and nothing leaked on the way out. */
        ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Peer", "Ping",
                                            NULL, NULL, NULL), 0);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

START_TEST(describe_then_check) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        const char *migration[] = { "device_model", "acme.example/vgpu", "version", "v1", "display", "off",
                                    "framebuffer", "512", NULL };
        G_GNUC_UNUSED g_autofree char *inst = mc_testbed_add_instance(f->tb, f->acme, "acme_vgpu-4", UUID, migration, false);
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *source;
        int r;

        fx_start(f);
        r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Describe", &error, &reply,
                               "s", UUID);
        ck_assert_msg(r >= 0, "%s", error.message);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &source), 0);
        /* display is at its off_value: not listed. */
        ck_assert_str_eq(source, "{\"devices\":[{\"id\":\"" UUID "\",\"model\":\"acme.example/vgpu\","
                                 "\"version\":\"v1\",\"params\":{\"framebuffer\":512}}]}");
        g_autoptr(JsonParser) p = check_json(f->bus, source, &error, &r);
        ck_assert_msg(r >= 0, "%s", error.message);
        ck_assert_str_eq(verdict_of(p), "compatible");
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

/* Members of one interface, normalised for comparison. */
static char *describe_interface(GDBusInterfaceInfo *iface) {
        GString *s = g_string_new(NULL);
        for (GDBusMethodInfo **m = iface->methods; m && *m; m++) {
                g_string_append_printf(s, "method %s(", (*m)->name);
                for (GDBusArgInfo **a = (*m)->in_args; a && *a; a++)
                        g_string_append_printf(s, "in %s %s,", (*a)->signature, (*a)->name);
                for (GDBusArgInfo **a = (*m)->out_args; a && *a; a++)
                        g_string_append_printf(s, "out %s %s,", (*a)->signature, (*a)->name);
                g_string_append(s, ")\n");
                for (GDBusAnnotationInfo **an = (*m)->annotations; an && *an; an++)
                        g_string_append_printf(s, "  @%s=%s\n", (*an)->key, (*an)->value);
        }
        for (GDBusSignalInfo **sg = iface->signals; sg && *sg; sg++) {
                g_string_append_printf(s, "signal %s(", (*sg)->name);
                for (GDBusArgInfo **a = (*sg)->args; a && *a; a++)
                        g_string_append_printf(s, "%s %s,", (*a)->signature, (*a)->name);
                g_string_append(s, ")\n");
        }
        for (GDBusPropertyInfo **p = iface->properties; p && *p; p++) {
                g_string_append_printf(s, "property %s %s %d\n", (*p)->name, (*p)->signature, (*p)->flags);
                for (GDBusAnnotationInfo **an = (*p)->annotations; an && *an; an++)
                        g_string_append_printf(s, "  @%s=%s\n", (*an)->key, (*an)->value);
        }
        return g_string_free(s, false);
}

static GDBusNodeInfo *introspect(sd_bus *bus, const char *path) {
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(GError) gerror = NULL;
        const char *xml;
        GDBusNodeInfo *info;

        ck_assert_int_ge(sd_bus_call_method(bus, MC_BUS_NAME, path, "org.freedesktop.DBus.Introspectable",
                                            "Introspect", &error, &reply, NULL), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &xml), 0);
        info = g_dbus_node_info_new_for_xml(xml, &gerror);
        ck_assert_msg(info, "%s", gerror ? gerror->message : "");
        return info;
}

START_TEST(introspection_matches_xml) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *xml_path = mc_harness_source_path("dbus/org.migcompat.MigCompat1.xml");
        g_autofree char *xml = NULL;
        g_autoptr(GError) gerror = NULL;
        g_autoptr(GDBusNodeInfo) spec = NULL, mgr = NULL, impl = NULL;
        g_autofree char *acme = NULL;
        const char *ifaces[] = { MC_BUS_MANAGER_IFACE, MC_BUS_IMPL_IFACE };

        fx_start(f);
        ck_assert(g_file_get_contents(xml_path, &xml, NULL, NULL));
        spec = g_dbus_node_info_new_for_xml(xml, &gerror);
        ck_assert_msg(spec, "%s", gerror ? gerror->message : "");
        mgr = introspect(f->bus, MC_BUS_PATH);
        acme = impl_path(f->bus, "mdev:" ACME_PARENT ":acme_vgpu-1");
        impl = introspect(f->bus, acme);

        for (guint i = 0; i < G_N_ELEMENTS(ifaces); i++) {
                GDBusInterfaceInfo *want = g_dbus_node_info_lookup_interface(spec, ifaces[i]);
                GDBusInterfaceInfo *got = g_dbus_node_info_lookup_interface(i == 0 ? mgr : impl, ifaces[i]);
                ck_assert_ptr_nonnull(want);
                ck_assert_msg(got, "daemon lacks %s", ifaces[i]);
                g_autofree char *a = describe_interface(want), *b = describe_interface(got);
                ck_assert_msg(strcmp(a, b) == 0, "%s differs.\ndbus/ says:\n%s\ndaemon says:\n%s", ifaces[i], a, b);
        }
        /* The XML holds exactly our two interfaces. */
        ck_assert_ptr_nonnull(spec->interfaces[0]);
        ck_assert_ptr_nonnull(spec->interfaces[1]);
        ck_assert_ptr_null(spec->interfaces[2]);
        /* And the manager is an ObjectManager. */
        ck_assert_ptr_nonnull(g_dbus_node_info_lookup_interface(mgr, "org.freedesktop.DBus.ObjectManager"));
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
}
END_TEST

START_TEST(service_behaviour) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *ping = NULL;

        fx_start(f);
        /* WATCHDOG_USEC=2s: the daemon pings at least every second. */
        ping = mc_harness_wait_notify(f->h, "WATCHDOG=1", 5000);
        ck_assert_ptr_nonnull(ping);
        /* Rescan as root works and keeps everything published. */
        ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Rescan",
                                            NULL, NULL, NULL), 0);
        G_GNUC_UNUSED g_autofree char *p = impl_path(f->bus, "mdev:" ACME_PARENT ":acme_vgpu-2");
        /* SIGHUP rescans too, and the daemon keeps serving. */
        ck_assert_int_eq(kill(mc_harness_daemon_pid(f->h), SIGHUP), 0);
        for (int i = 0; i < 100; i++) {
                g_autofree char *l = mc_harness_daemon_log(f->h);
                const char *first = strstr(l, "Rescanning on request");
                if (first && strstr(first + 1, "Rescanning on request"))
                        break;
                g_usleep(50 * 1000);
        }
        {
                g_autofree char *l = mc_harness_daemon_log(f->h);
                const char *first = strstr(l, "Rescanning on request");
                ck_assert_msg(first && strstr(first + 1, "Rescanning on request"), "%s", l);
        }
        ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, "org.freedesktop.DBus.Peer", "Ping",
                                            NULL, NULL, NULL), 0);
        /* SIGTERM: a clean exit with status 0 (and no leak reports, which
         * would turn the status into 23 under LeakSanitizer). */
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        g_autofree char *log = mc_harness_daemon_log(f->h);
        ck_assert_msg(!strstr(log, "ERROR: "), "%s", log);
}
END_TEST

START_TEST(empty_host) {
        /* No mdev parents, no descriptors, no data: an empty registry, not an error. */
        g_autoptr(McHarness) h = mc_harness_new();
        G_GNUC_UNUSED g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(sd_bus) bus = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        uint32_t n = 99;

        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, NULL);
        bus = mc_harness_connect(h);
        ck_assert_int_ge(sd_bus_get_property_trivial(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                     "NImplementations", &error, 'u', &n), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
}
END_TEST

static char *ask(sd_bus *bus, const char *source) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        const char *json = NULL;

        ck_assert_msg(sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Check", &error,
                                         &reply, "s", source) >= 0,
                      "Check: %s", error.message);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
        return g_strdup(json);
}

START_TEST(answer_cache_option) {
        static const char *const bad[] = { "--answer-cache=", "--answer-cache=x", "--answer-cache=-1",
                                           "--answer-cache=65537", "--answer-cache=1k" };
        static const char source[] = "{\"devices\": [{\"id\": \"d\", \"model\": \"a.example/b\"}]}";
        const char *const none[] = { "--answer-cache=0", NULL };
        g_autofree char *daemon = mc_harness_build_path("src/migcompatd");
        g_autoptr(McHarness) h = mc_harness_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *log = NULL, *a = NULL, *b = NULL;

        /* Refused before anything starts, with the value named. */
        for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
                const char *argv[] = { daemon, bad[i], NULL };
                g_autofree char *out = NULL, *err = NULL;
                ck_assert_int_eq(mc_harness_run(h, false, argv, &out, &err), 1);
                ck_assert_contains(err, "answer cache size");
        }
        /* 0: every question is checked. */
        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, none);
        bus = mc_harness_connect(h);
        a = ask(bus, source);
        b = ask(bus, source);
        ck_assert_str_eq(a, b);
        ck_assert_contains(a, "\"verdict\":\"incompatible\"");
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
        log = mc_harness_daemon_log(h);
        ck_assert_contains(log, "Answered 2 checks, 0 of them from memory");
}
END_TEST

static Suite *bus_suite(void) {
        Suite *s = suite_create("bus");
        TCase *tc = tcase_create("daemon");
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, startup_objects);
        tcase_add_test(tc, check_verdicts);
        tcase_add_test(tc, hotplug_signals);
        tcase_add_test(tc, bad_arguments);
        tcase_add_test(tc, describe_then_check);
        tcase_add_test(tc, introspection_matches_xml);
        tcase_add_test(tc, service_behaviour);
        tcase_add_test(tc, empty_host);
        tcase_add_test(tc, answer_cache_option);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(bus_suite)
