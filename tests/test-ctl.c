/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatctl, the real binary, against migcompatd on a private bus over
 * a simulated host: every verb's text and JSON, the exit codes, offline
 * answers from a host profile, the NFD and Placement exports checked
 * against those systems' naming rules, describe → domain metadata →
 * check-domain, monitor following a hotplug, and an unprivileged user.
 * The XML reader and the label encoder are also driven directly, with the
 * hostile inputs that would take too many processes to feed one by one. */

#include "mc-assert.h"
#include "mc-k8s-names.h"
#include "mc-test-main.h"
#include <check.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl-domain-xml.h"
#include "ctl-labels.h"
#include "ctl-metadata.h"
#include "ctl.h"
#include "harness.h"
#include "mc-config.h"
#include "mc-serialize.h"
#include "host-fixture.h"
#include "testbed.h"

#define ACME_PARENT MC_TEST_ACME_PARENT
#define GVT_PARENT MC_TEST_GVT_PARENT
/* The UUID the domain fixtures give their vGPU. */
#define UUID_A "6f8a1c3e-2b4d-4e5f-9a7b-0c1d2e3f4a5b"
#define UUID_B "0b5e9d7c-3a21-4f6e-8d4c-2b1a0f9e8d7c"


/* Every test runs on the standard test host (host-fixture.h). */
typedef McTestHost Fx;

static Fx *fx_started(McBusPolicy policy) {
        Fx *f = mc_test_host_new(policy);
        mc_harness_start_daemon(f->h, NULL);
        return f;
}

/* Run migcompatctl ARGS... (NULL-terminated); returns the exit status. */
static int run_ctl_v(Fx *f, bool unprivileged, char **out, char **err, const char *first, va_list ap) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *o = NULL, *e = NULL;
        int status;

        g_ptr_array_add(argv, mc_harness_build_path("src/migcompatctl"));
        for (const char *a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(argv, g_strdup(a));
        g_ptr_array_add(argv, NULL);
        status = mc_harness_run(f->h, unprivileged, (const char *const *) argv->pdata, &o, &e);
        /* A sanitizer report means a bug whatever the status says. */
        ck_assert_msg(!strstr(e, "Sanitizer"), "sanitizer report:\n%s", e);
        if (out)
                *out = g_steal_pointer(&o);
        if (err)
                *err = g_steal_pointer(&e);
        return status;
}

static int run_ctl(Fx *f, char **out, char **err, const char *first, ...) G_GNUC_NULL_TERMINATED;
static int run_ctl(Fx *f, char **out, char **err, const char *first, ...) {
        va_list ap;
        int r;
        va_start(ap, first);
        r = run_ctl_v(f, false, out, err, first, ap);
        va_end(ap);
        return r;
}

static int run_ctl_nobody(Fx *f, char **out, char **err, const char *first, ...) G_GNUC_NULL_TERMINATED;
static int run_ctl_nobody(Fx *f, char **out, char **err, const char *first, ...) {
        va_list ap;
        int r;
        va_start(ap, first);
        r = run_ctl_v(f, true, out, err, first, ap);
        va_end(ap);
        return r;
}

/* Text with its word-wrapped lines joined again: "\n" and the indentation
 * after it become one space. */
static char *flat(const char *text) {
        GString *s = g_string_new(NULL);
        for (const char *p = text; *p; p++) {
                if (*p == '\n' && p[1] == ' ') {
                        g_string_append_c(s, ' ');
                        while (p[1] == ' ')
                                p++;
                } else {
                        g_string_append_c(s, *p);
                }
        }
        return g_string_free(s, false);
}

#define ck_assert_flat_contains(s, sub)                  \
        do {                                             \
                g_autofree char *_flat = flat(s);        \
                ck_assert_contains(_flat, sub);          \
        } while (0)

static JsonNode *parse_json(const char *text) {
        g_autoptr(GError) error = NULL;
        JsonNode *n = json_from_string(text, &error);
        ck_assert_msg(n, "not JSON (%s):\n%s", error ? error->message : "empty", text);
        return n;
}

static JsonObject *find_by(JsonArray *a, const char *member, const char *value) {
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonObject *o = json_array_get_object_element(a, i);
                if (g_strcmp0(json_object_get_string_member_with_default(o, member, ""), value) == 0)
                        return o;
        }
        ck_abort_msg("no element with %s = %s", member, value);
        return NULL;
}

static char *fixture(const char *name) {
        g_autofree char *rel = g_strconcat("tests/domains/", name, NULL);
        return mc_harness_source_path(rel);
}

static char *read_fixture(const char *name) {
        g_autofree char *path = fixture(name);
        char *data = NULL;
        ck_assert_msg(g_file_get_contents(path, &data, NULL, NULL), "cannot read %s", path);
        return data;
}

/* An instance of acme_vgpu-4 as the driver shows it: v1, framebuffer 512. */
static char *add_acme_instance(Fx *f, const char *uuid, bool uevent) {
        const char *migration[] = { "device_model", "acme.example/vgpu", "version", "v1", "display", "off",
                                    "framebuffer", "512", NULL };
        return mc_testbed_add_instance(f->tb, f->acme, "acme_vgpu-4", uuid, migration, uevent);
}

/* ---- help, usage ------------------------------------------------------------------ */

START_TEST(help_and_usage) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;
        static const char *const words[] = {
                "list", "show ID", "describe DEVICE...", "check [FILE|-]", "check-domain [XML|-]", "export",
                "monitor", "--help", "--version", "--json", "--quiet", "--no-legend", "--full", "--profile=FILE",
                "--implementation=ID", "--require=CAP", "--id=[DEVICE=]NAME", "--domain-metadata[=FORM]", "--hook[=GUEST]",
                "--allow-unknown", "--print-source", "--format=FORMAT", "nfd", "placement", CTL_METADATA_NS,
                "Exit status",
        };

        ck_assert_int_eq(run_ctl(f, &out, &err, "--help", NULL), 0);
        for (guint i = 0; i < G_N_ELEMENTS(words); i++)
                ck_assert_contains(out, words[i]);
        {
                g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
                for (guint i = 0; lines[i]; i++)
                        ck_assert_msg(strlen(lines[i]) <= 80, "help line longer than 80: %s", lines[i]);
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "--version", NULL), 0);
        ck_assert_str_eq(out, "migcompatctl " MC_VERSION "\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, NULL, NULL), 2);
        ck_assert_contains(err, "a command is needed");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "frobnicate", NULL), 2);
        ck_assert_contains(err, "unknown command \"frobnicate\"");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "list", "--profile=x.json", NULL), 2);
        ck_assert_contains(err, "--profile does not apply to \"list\"");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "show", NULL), 2);
        ck_assert_contains(err, "wrong number of arguments for \"show\"");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", "--json", "--domain-metadata", UUID_A, NULL), 2);
        ck_assert_contains(err, "exclude each other");
}
END_TEST

/* ---- list, show ----------------------------------------------------------------------- */

START_TEST(list_text) {
        g_autoptr(McTestHost) f = fx_started(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;
        g_auto(GStrv) lines = NULL;
        bool saw_mtty = false, saw_vnic = false;

        g_setenv("COLUMNS", "80", true);
        ck_assert_int_eq(run_ctl(f, &out, &err, "list", NULL), 0);
        lines = g_strsplit(out, "\n", -1);
        ck_assert(g_str_has_prefix(lines[0], "ID"));
        ck_assert_contains(lines[0], "KIND");
        ck_assert_contains(lines[0], "MODEL");
        ck_assert_contains(lines[0], "VERSIONS");
        ck_assert_contains(lines[0], "FREE");
        ck_assert_contains(lines[0], "MIGRATABLE");
        for (guint i = 0; lines[i]; i++) {
                ck_assert_msg(strlen(lines[i]) <= 80, "line longer than 80 columns: \"%s\"", lines[i]);
                if (g_str_has_prefix(lines[i], "mdev:mtty:mtty-1 ")) {
                        saw_mtty = true;
                        ck_assert(g_str_has_suffix(lines[i], " no"));
                }
                if (g_str_has_prefix(lines[i], "vfio-user:vnic ")) {
                        saw_vnic = true;
                        ck_assert_contains(lines[i], "vendor-a.com/my-nic");
                        ck_assert_contains(lines[i], "v2,v1");
                        ck_assert_contains(lines[i], "unlimited");
                        ck_assert(g_str_has_suffix(lines[i], " yes"));
                }
        }
        ck_assert(saw_mtty && saw_vnic);
        /* Long ids are shortened in the middle: both ends stay readable. */
        ck_assert_contains(out, "...");
        ck_assert_contains(out, "mdev:0...-GVTg_V5_4 ");
        ck_assert_contains(out, "acme.example/vgpu");
        ck_assert_contains(out, "10 implementations listed: 5 migratable, 5 not migratable.");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* --full: nothing shortened; --no-legend: no header, no summary. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "list", "--full", "--no-legend", NULL), 0);
        ck_assert_not_contains(out, "...");
        ck_assert_not_contains(out, "MIGRATABLE");
        ck_assert_not_contains(out, "listed");
        ck_assert_contains(out, "mdev:" GVT_PARENT ":i915-GVTg_V5_4");
        {
                g_auto(GStrv) rows = g_strsplit(out, "\n", -1);
                ck_assert_uint_eq(g_strv_length(rows), 11); /* 10 rows + the final "" */
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* Piped without COLUMNS: never cut (a script gets whole ids). */
        g_unsetenv("COLUMNS");
        ck_assert_int_eq(run_ctl(f, &out, &err, "list", NULL), 0);
        ck_assert_not_contains(out, "...");
        ck_assert_contains(out, "mdev:" ACME_PARENT ":acme_vgpu-4");
}
END_TEST

START_TEST(list_json) {
        g_autoptr(McTestHost) f = fx_started(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL;
        g_autoptr(JsonNode) root = NULL;
        JsonArray *a;
        JsonObject *o;

        ck_assert_int_eq(run_ctl(f, &out, NULL, "list", "--json", NULL), 0);
        root = parse_json(out);
        a = json_node_get_array(root);
        ck_assert_uint_eq(json_array_get_length(a), 10);
        o = find_by(a, "id", "mdev:" ACME_PARENT ":acme_vgpu-1");
        ck_assert_str_eq(json_object_get_string_member(o, "kind"), "mdev");
        ck_assert_str_eq(json_object_get_string_member(o, "model"), "acme.example/vgpu");
        ck_assert_int_eq(json_object_get_int_member(o, "available-instances"), 3);
        ck_assert(json_object_get_boolean_member(o, "migratable"));
        ck_assert_str_eq(json_array_get_string_element(json_object_get_array_member(o, "versions"), 0), "v2");
        ck_assert(g_str_has_prefix(json_object_get_string_member(o, "path"), MC_BUS_IMPL_PREFIX "/"));
        o = find_by(a, "id", "mdev:mtty:mtty-1");
        ck_assert(!json_object_get_boolean_member(o, "migratable"));
        ck_assert(json_object_get_null_member(o, "model"));
        ck_assert_contains(json_object_get_string_member(o, "not-migratable-reason"), "mtty");
        o = find_by(a, "id", "vfio-user:vnic");
        ck_assert_int_eq(json_object_get_int_member(o, "available-instances"), -1);
}
END_TEST

START_TEST(show_text_and_json) {
        g_autoptr(McTestHost) f = fx_started(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;

        ck_assert_int_eq(run_ctl(f, &out, &err, "show", "mdev:" ACME_PARENT ":acme_vgpu-2", NULL), 0);
        ck_assert(g_str_has_prefix(out, "mdev:" ACME_PARENT ":acme_vgpu-2\n"));
        ck_assert_contains(out, "Parent: " ACME_PARENT " (driver acme_vgpu)");
        ck_assert_contains(out, "Type: acme_vgpu-2, \"ACME vGPU 2\"");
        ck_assert_contains(out, "Device API: vfio-pci");
        ck_assert_contains(out, "Migratable: yes");
        ck_assert_contains(out, "Facts from: driver (the mdev type's own migration attributes)");
        ck_assert_contains(out, "Device model acme.example/vgpu");
        ck_assert_contains(out, "Versions: v2 (preferred), v1");
        ck_assert_contains(out, "Capabilities: stop-copy, pre-copy, dirty-tracking");
        ck_assert_contains(out, "NAME         TYPE  INIT  OFF  ALLOWED");
        ck_assert_contains(out, "display      bool  on    off  any");
        ck_assert_contains(out, "framebuffer  int   1024  -    512-2048");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* Facts from a data file name it; capabilities stated by nobody are unknown. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "show", "mdev:" GVT_PARENT ":i915-GVTg_V5_4", NULL), 0);
        ck_assert_contains(out, "Facts from: data file ");
        ck_assert_contains(out, "/data/i915-gvtg-v5_4.json");
        ck_assert_contains(out, "Capabilities: stop-copy");
        ck_assert_contains(out, "Parameters: none");
        ck_assert_contains(out, "Free: 5");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "show", "mdev:mtty:mtty-2", NULL), 0);
        ck_assert_contains(out, "Migratable: no");
        ck_assert_contains(out, "Reason: ");
        ck_assert_contains(out, "Facts from: none");
        ck_assert_not_contains(out, "Device model");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "show", "vfio-user:vnic", NULL), 0);
        ck_assert_contains(out, "Kind: vfio-user (a device program)");
        ck_assert_contains(out, "Descriptor: vnic.json");
        ck_assert_contains(out, "Arguments: json, vendor-a.com/my-nic");
        ck_assert_contains(out, "Free: unlimited");
        ck_assert_contains(out, "new-feature");
        /* The description goes under its parameter. */
        ck_assert_contains(out, "New feature that old devices lack");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "show", "--json", "mdev:" ACME_PARENT ":acme_vgpu-2", NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                JsonObject *o = json_node_get_object(root);
                JsonObject *model = json_array_get_object_element(json_object_get_array_member(o, "models"), 0);
                JsonArray *params = json_object_get_array_member(model, "parameters");
                JsonObject *display = find_by(params, "name", "display");
                JsonObject *fb = find_by(params, "name", "framebuffer");

                ck_assert_str_eq(json_object_get_string_member(o, "facts-from"), "driver");
                ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(o, "identity"),
                                                               "type-id"),
                                 "acme_vgpu-2");
                ck_assert_str_eq(json_object_get_string_member(model, "model"), "acme.example/vgpu");
                ck_assert(json_object_get_boolean_member(display, "init_value"));
                ck_assert(!json_object_get_boolean_member(display, "off_value"));
                ck_assert_int_eq(json_object_get_int_member(fb, "init_value"), 1024);
                ck_assert(!json_object_has_member(fb, "off_value"));
                ck_assert_str_eq(json_array_get_string_element(json_object_get_array_member(fb, "allowed_values"), 0),
                                 "512-2048");
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "show", "mdev:nope:nothing", NULL), 2);
        ck_assert_contains(err, "no implementation \"mdev:nope:nothing\" on this host");
        ck_assert_str_eq(out, "");
}
END_TEST

/* ---- check ---------------------------------------------------------------------------- */

static const char src_ok[] =
        "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\", "
        "\"params\": {\"framebuffer\": 1024}}]}";
static const char src_v3[] =
        "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v3\", "
        "\"params\": {\"framebuffer\": 1024}}]}";

START_TEST(check_online_and_offline) {
        g_autoptr(McTestHost) f = fx_started(MC_BUS_PERMISSIVE);
        g_autofree char *ok = mc_harness_write(f->h, "ok.json", src_ok);
        g_autofree char *v3 = mc_harness_write(f->h, "v3.json", src_v3);
        g_autofree char *junk = mc_harness_write(f->h, "junk.json", "{\"devices\": [}");
        g_autofree char *profile = g_build_filename(mc_harness_dir(f->h), "profile.json", NULL);
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *online_json = NULL;

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", ok, NULL), 0);
        ck_assert_contains(out, "gpu: compatible (acme.example/vgpu, version v1)");
        ck_assert_contains(out, "  use      mdev:" ACME_PARENT ":acme_vgpu-");
        ck_assert_flat_contains(out, " create  echo UUID > /sys/class/mdev_bus/" ACME_PARENT "/mdev_supported_types/acme_vgpu-");
        ck_assert_contains(out, "      write   migration/version = v1\n");
        ck_assert_contains(out, "verdict: compatible (host generation");
        /* acme_vgpu-2 and -4 both fit: the other one is counted, and listed on request. */
        ck_assert_contains(out, "  also     1 more usable implementation (--all-candidates lists it)\n");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--all-candidates", ok, NULL), 0);
        ck_assert_contains(out, "  also     mdev:" ACME_PARENT ":acme_vgpu-");
        ck_assert(!strstr(out, "more usable implementation"));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--all-candidates", "--profile", "/nonexistent", ok, NULL), 2);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", v3, NULL), 1);
        ck_assert_contains(out, "gpu: incompatible (acme.example/vgpu, version v3)");
        ck_assert_contains(out, "version-unsupported: ");
        ck_assert_contains(out, "v3");
        ck_assert_contains(out, "verdict: incompatible");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--json", ok, NULL), 0);
        online_json = g_steal_pointer(&out);
        {
                g_autoptr(JsonNode) root = parse_json(online_json);
                ck_assert_str_eq(json_object_get_string_member(json_node_get_object(root), "verdict"), "compatible");
        }
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--implementation", "mdev:" ACME_PARENT ":acme_vgpu-1", ok,
                                 NULL),
                         1);
        ck_assert_contains(out, "param-unknown");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", junk, NULL), 2);
        ck_assert_contains(err, "junk.json");
        ck_assert_str_eq(out, "");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "/nonexistent/source.json", NULL), 2);
        ck_assert_contains(err, "cannot read source description: /nonexistent/source.json");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* Offline, from the profile the daemon exports: the same answers,
         * with no daemon at all. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "export", NULL), 0);
        ck_assert(g_file_set_contents(profile, out, -1, NULL));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--json", "--profile", profile, ok, NULL), 0);
        ck_assert_str_eq(out, online_json);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", profile, v3, NULL), 1);
        ck_assert_contains(out, "version-unsupported");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", junk, ok, NULL), 2);
        ck_assert_contains(err, "junk.json");
}
END_TEST

START_TEST(daemon_unreachable) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *ok = mc_harness_write(f->h, "ok.json", src_ok);
        g_autofree char *xml = fixture("vgpu-metadata.xml");
        static const char *const verbs[][3] = {
                { "list", NULL, NULL },
                { "show", "vfio-user:vnic", NULL },
                { "describe", UUID_A, NULL },
                { "check", "OK", NULL },
                { "check-domain", "XML", NULL },
                { "export", NULL, NULL },
                { "monitor", NULL, NULL },
        };

        /* A bus, but no daemon on it. */
        for (guint i = 0; i < G_N_ELEMENTS(verbs); i++) {
                g_autofree char *out = NULL, *err = NULL;
                const char *arg = verbs[i][1];
                if (g_strcmp0(arg, "OK") == 0)
                        arg = ok;
                else if (g_strcmp0(arg, "XML") == 0)
                        arg = xml;
                ck_assert_msg(run_ctl(f, &out, &err, verbs[i][0], arg, NULL) == 3, "%s did not exit 3", verbs[i][0]);
                ck_assert_contains(err, "migcompatd is not running");
                ck_assert_contains(err, "systemctl start migcompatd");
                ck_assert_str_eq(out, "");
        }

        /* No bus at all. */
        {
                g_autofree char *out = NULL, *err = NULL;
                g_autofree char *addr = g_strdup_printf("unix:path=%s/no-such-socket", mc_harness_dir(f->h));
                g_setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, true);
                mc_harness_stop_bus(f->h);
                ck_assert_int_eq(run_ctl(f, &out, &err, "list", NULL), 3);
                ck_assert_contains(err, "cannot connect to the system bus");
        }
}
END_TEST

/* A stand-in for migcompatd that owns its name and refuses every call
 * with one error, as a bus policy or the daemon's own check would. */
typedef struct {
        sd_bus *bus;
        GThread *thread;
        gint stop;
        const char *error_name;
} Refuser;

static int refuse_call(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Refuser *rf = userdata;
        if (!sd_bus_message_is_method_call(m, NULL, NULL) ||
            g_strcmp0(sd_bus_message_get_destination(m), MC_BUS_NAME) != 0)
                return 0;
        (void) sd_bus_reply_method_errorf(m, rf->error_name, "Rejected send message (test: %s)", rf->error_name);
        return 1;
}

static gpointer refuser_run(gpointer userdata) {
        Refuser *rf = userdata;
        while (!g_atomic_int_get(&rf->stop)) {
                int r = sd_bus_process(rf->bus, NULL);
                if (r < 0)
                        break;
                if (r == 0)
                        (void) sd_bus_wait(rf->bus, 100 * 1000);
        }
        return NULL;
}

static Refuser *refuser_start(McHarness *h, const char *error_name) {
        Refuser *rf = g_new0(Refuser, 1);
        rf->error_name = error_name;
        ck_assert_int_ge(sd_bus_new(&rf->bus), 0);
        ck_assert_int_ge(sd_bus_set_address(rf->bus, mc_harness_bus_address(h)), 0);
        ck_assert_int_ge(sd_bus_set_bus_client(rf->bus, 1), 0);
        ck_assert_int_ge(sd_bus_start(rf->bus), 0);
        ck_assert_int_ge(sd_bus_add_filter(rf->bus, NULL, refuse_call, rf), 0);
        ck_assert_int_ge(sd_bus_request_name(rf->bus, MC_BUS_NAME, 0), 0);
        rf->thread = g_thread_new("refuser", refuser_run, rf);
        return rf;
}

static void refuser_stop(Refuser *rf) {
        g_atomic_int_set(&rf->stop, 1);
        g_thread_join(rf->thread);
        sd_bus_flush_close_unref(rf->bus);
        g_free(rf);
}

/* Access denied, by the bus policy or by migcompatd, is neither "no
 * daemon" (3) nor a usage error: exit status 4 and a message that says
 * who refused, for every verb that asks the daemon. */
START_TEST(access_denied_exit_status) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *ok = mc_harness_write(f->h, "ok.json", src_ok);
        g_autofree char *xml = fixture("vgpu-metadata.xml");
        static const struct {
                const char *name, *says;
        } errors[] = {
                { "org.freedesktop.DBus.Error.AccessDenied", "access denied by the system bus policy" },
                { MC_BUS_ERROR_PREFIX "AccessDenied", "access denied by migcompatd" },
        };
        static const char *const verbs[][3] = {
                { "list", NULL, NULL },
                { "show", "vfio-user:vnic", NULL },
                { "describe", UUID_A, NULL },
                { "check", "OK", NULL },
                { "check", "--all-candidates", "OK" },
                { "check", "--implementation=vfio-user:vnic", "OK" },
                { "check-domain", "XML", NULL },
                { "export", NULL, NULL },
                { "monitor", NULL, NULL },
        };

        for (guint e = 0; e < G_N_ELEMENTS(errors); e++) {
                Refuser *rf = refuser_start(f->h, errors[e].name);
                for (guint i = 0; i < G_N_ELEMENTS(verbs); i++) {
                        g_autofree char *out = NULL, *err = NULL;
                        const char *args[2] = { verbs[i][1], verbs[i][2] };
                        int status;

                        for (guint k = 0; k < 2; k++) {
                                if (g_strcmp0(args[k], "OK") == 0)
                                        args[k] = ok;
                                else if (g_strcmp0(args[k], "XML") == 0)
                                        args[k] = xml;
                        }
                        status = run_ctl(f, &out, &err, verbs[i][0], args[0], args[1], NULL);
                        ck_assert_msg(status == 4, "%s %s, %s: exit %d, expected 4: %s", verbs[i][0],
                                      args[0] ? args[0] : "", errors[e].name, status, err);
                        ck_assert_msg(strstr(err, errors[e].says), "%s, %s: %s", verbs[i][0], errors[e].name, err);
                        ck_assert_msg(!strstr(err, "not running"), "%s: %s", verbs[i][0], err);
                        ck_assert_str_eq(out, "");
                }
                refuser_stop(rf);
        }
}
END_TEST

/* ---- describe → metadata → check-domain ------------------------------------------------- */

/* The vgpu domain with its migcompat element replaced by xml. */
static char *domain_with_metadata(const char *xml) {
        g_autofree char *dom = read_fixture("vgpu-metadata.xml");
        const char *start = strstr(dom, "    <migcompat:migcompat");
        const char *end = strstr(dom, "</migcompat:migcompat>");
        ck_assert(start && end);
        end += strlen("</migcompat:migcompat>\n");
        return g_strdup_printf("%.*s%s%s", (int) (start - dom), dom, xml, end);
}

START_TEST(describe_roundtrip) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        G_GNUC_UNUSED g_autofree char *inst = add_acme_instance(f, UUID_A, false);
        g_autofree char *mtty_inst = NULL;
        g_autofree char *out = NULL, *err = NULL, *json = NULL, *xml = NULL, *domain = NULL, *path = NULL;

        mtty_inst = mc_testbed_add_instance(f->tb, f->mtty, "mtty-1", UUID_B, NULL, false);
        mc_harness_start_daemon(f->h, NULL);

        /* The device as the source host runs it: display is at its off
         * value and left out, as the format says. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", UUID_A, NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                g_autofree char *compact = json_to_string(root, false);
                ck_assert_str_eq(compact, "{\"devices\":[{\"id\":\"" UUID_A "\",\"model\":\"acme.example/vgpu\","
                                          "\"version\":\"v1\",\"params\":{\"framebuffer\":512}}]}");
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* With the hostdev alias as id and a requirement, as JSON... */
        ck_assert_int_eq(run_ctl(f, &json, &err, "describe", "--id", UUID_A "=hostdev0", "--require", "pre-copy",
                                 UUID_A, NULL),
                         0);
        ck_assert_contains(json, "\"id\" : \"hostdev0\"");
        ck_assert_contains(json, "\"requires\" : [");
        g_clear_pointer(&err, g_free);
        /* ...and as the metadata element. */
        ck_assert_int_eq(run_ctl(f, &xml, &err, "describe", "--domain-metadata", "--id", "hostdev0", "--require",
                                 "pre-copy", UUID_A, NULL),
                         0);
        ck_assert_str_eq(xml, "<migcompat:migcompat xmlns:migcompat=\"" CTL_METADATA_NS "\">\n"
                              "  <migcompat:device id=\"hostdev0\" uuid=\"" UUID_A "\" model=\"acme.example/vgpu\" "
                              "version=\"v1\">\n"
                              "    <migcompat:param name=\"framebuffer\" type=\"int\" value=\"512\"/>\n"
                              "    <migcompat:require capability=\"pre-copy\"/>\n"
                              "  </migcompat:device>\n"
                              "</migcompat:migcompat>\n");
        g_clear_pointer(&err, g_free);
        /* ...and as "virsh metadata --set" takes it. */
        {
                g_autofree char *bare = NULL;
                ck_assert_int_eq(run_ctl(f, &bare, &err, "describe", "--domain-metadata=virsh", "--id", "hostdev0",
                                         "--require", "pre-copy", UUID_A, NULL),
                                 0);
                ck_assert_str_eq(bare, "<migcompat>\n"
                                       "  <device id=\"hostdev0\" uuid=\"" UUID_A "\" model=\"acme.example/vgpu\" "
                                       "version=\"v1\">\n"
                                       "    <param name=\"framebuffer\" type=\"int\" value=\"512\"/>\n"
                                       "    <require capability=\"pre-copy\"/>\n"
                                       "  </device>\n"
                                       "</migcompat>\n");
                g_clear_pointer(&err, g_free);
                g_clear_pointer(&bare, g_free);
                ck_assert_int_eq(run_ctl(f, &bare, &err, "describe", "--domain-metadata=json", UUID_A, NULL), 2);
                ck_assert_contains(err, "--domain-metadata=json: the form is \"element\" or \"virsh\"");
                g_clear_pointer(&err, g_free);
        }

        /* In the domain, read back: exactly the JSON describe printed. */
        domain = domain_with_metadata(xml);
        path = mc_harness_write(f->h, "domain.xml", domain);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--print-source", path, NULL), 0);
        ck_assert_str_eq(out, json);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* And checked: the instance exists here (it counts as free for
         * its own domain), the device fits. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", path, NULL), 0);
        ck_assert_contains(out, "domain \"rhel9-vgpu\" (c7a5fdbd-edaf-9455-926a-d65c16db1809)");
        ck_assert_contains(out, "hostdev0   from the migcompat metadata");
        ck_assert_contains(out, "hostdev0: compatible (acme.example/vgpu, version v1)");
        ck_assert_contains(out, "verdict: compatible");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* Errors name what is wrong. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", "not-a-uuid", NULL), 2);
        ck_assert_contains(err, "\"not-a-uuid\" is neither an mdev UUID");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", "11111111-2222-3333-4444-555555555555", NULL), 2);
        ck_assert_contains(err, "no mdev instance 11111111-2222-3333-4444-555555555555");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", UUID_B, NULL), 2);
        ck_assert_contains(err, "not migratable");
        ck_assert_str_eq(out, "");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", "--require", "warp-drive", UUID_A, NULL), 2);
        ck_assert_contains(err, "--require warp-drive: not a capability");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "describe", "--id", "x", UUID_A, UUID_B, NULL), 2);
        ck_assert_contains(err, "with several devices, say which");
}
END_TEST

START_TEST(check_domain_cases) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *inst = NULL, *mtty_inst = NULL;
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *good = fixture("vgpu-metadata.xml");
        g_autofree char *bad = fixture("vgpu-incompatible.xml");
        g_autofree char *plain = fixture("plain.xml");
        g_autofree char *nometa = fixture("vgpu-no-metadata.xml");
        g_autofree char *source = NULL, *srcfile = NULL;

        /* Only acme_vgpu-4 could take the described device, and its one
         * instance is the domain's own. */
        mc_testbed_set_available(f->tb, f->acme, "acme_vgpu-2", 0);
        inst = add_acme_instance(f, UUID_A, false);
        mtty_inst = mc_testbed_add_instance(f->tb, f->mtty, "mtty-1", UUID_B, NULL, false);
        mc_harness_start_daemon(f->h, NULL);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", good, NULL), 0);
        ck_assert_contains(out, "hostdev0: compatible (acme.example/vgpu, version v1)");
        ck_assert_contains(out, "verdict: compatible");
        ck_assert_flat_contains(out, "note: 1 instance of mdev:" ACME_PARENT ":acme_vgpu-4 already exists on this host "
                                     "for this domain and counts as free");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", bad, NULL), 1);
        ck_assert_contains(out, "hostdev0: incompatible (acme.example/vgpu, version v3)");
        ck_assert_contains(out, "version-unsupported: ");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* No metadata, an mdev that exists here: the daemon describes it. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", nometa, NULL), 0);
        ck_assert_flat_contains(out, "hostdev0   mdev " UUID_A " on this host, described by migcompatd");
        ck_assert_contains(out, "hostdev0: compatible (acme.example/vgpu, version v1)");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        /* The same description checked as a plain source: its type is
         * full, which check-domain knows is the domain's own instance. */
        ck_assert_int_eq(run_ctl(f, &source, &err, "check-domain", "--print-source", nometa, NULL), 0);
        g_clear_pointer(&err, g_free);
        srcfile = mc_harness_write(f->h, "nometa.json", source);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", srcfile, NULL), 1);
        ck_assert_contains(out, "no-free-instance");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", plain, NULL), 0);
        ck_assert_flat_contains(out, "domain \"debian12\" has no migcompat metadata and no mdev device at all: nothing to check");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* JSON: the domain, the result, the notes. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--json", good, NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                JsonObject *o = json_node_get_object(root);
                JsonObject *dev = json_array_get_object_element(json_object_get_array_member(o, "devices"), 0);
                ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(o, "domain"), "name"),
                                 "rhel9-vgpu");
                ck_assert_str_eq(json_object_get_string_member(o, "verdict"), "compatible");
                ck_assert_str_eq(json_object_get_string_member(dev, "id"), "hostdev0");
                ck_assert_str_eq(json_object_get_string_member(dev, "implementation"),
                                 "mdev:" ACME_PARENT ":acme_vgpu-4");
                ck_assert_uint_eq(json_array_get_length(json_object_get_array_member(o, "notes")), 1);
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* A local mdev of a type without facts fails with that reason; a
         * hostdev that is nowhere is only noted. */
        {
                g_autofree char *dom = read_fixture("vgpu-no-metadata.xml");
                g_autofree char *p = NULL;
                g_autoptr(GString) s = g_string_new(dom);
                g_string_replace(s, UUID_A, UUID_B, 0);
                g_string_replace(s, "  </devices>",
                                 "    <hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n"
                                 "      <source><address uuid='99999999-8888-7777-6666-555555555555'/></source>\n"
                                 "      <alias name='ua-elsewhere'/>\n"
                                 "    </hostdev>\n  </devices>",
                                 1);
                p = mc_harness_write(f->h, "mtty.xml", s->str);
                ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", p, NULL), 1);
                ck_assert_contains(out, "hostdev0: incompatible (no device model)");
                ck_assert_flat_contains(out, "not-migratable: mdev instance " UUID_B " is of type mtty-1 on parent mtty");
                ck_assert_flat_contains(out, "note: ua-elsewhere: mdev 99999999-8888-7777-6666-555555555555 is neither "
                                        "described in the migcompat metadata nor present on this host");
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
        }

        /* Standard input, and offline from a profile. */
        {
                g_autofree char *profile = g_build_filename(mc_harness_dir(f->h), "profile.json", NULL);
                g_autofree char *cmd = NULL, *ctl = mc_harness_build_path("src/migcompatctl");
                const char *argv[] = { "sh", "-c", NULL, NULL };

                cmd = g_strdup_printf("exec '%s' check-domain - < '%s'", ctl, bad);
                argv[2] = cmd;
                ck_assert_int_eq(mc_harness_run(f->h, false, argv, &out, &err), 1);
                ck_assert_contains(out, "version-unsupported");
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);

                ck_assert_int_eq(run_ctl(f, &out, &err, "export", NULL), 0);
                ck_assert(g_file_set_contents(profile, out, -1, NULL));
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
                ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
                ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--profile", profile, bad, NULL), 1);
                ck_assert_contains(out, "version-unsupported");
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
                /* Offline, the exported profile has acme_vgpu-4 full: there
                 * is no daemon to tell the instance is the domain's. */
                ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--profile", profile, good, NULL), 1);
                ck_assert_contains(out, "no-free-instance");
                g_clear_pointer(&out, g_free);
                g_clear_pointer(&err, g_free);
        }
}
END_TEST

/* Bad domain XML is refused with a message that says where and why,
 * never a crash or a hang, through the binary. */
START_TEST(check_domain_bad_input) {
        g_autoptr(McTestHost) f = fx_started(MC_BUS_PERMISSIVE);
        g_autofree char *good = read_fixture("vgpu-metadata.xml");
        struct {
                const char *name;
                char *content;
                const char *message;
        } cases[] = {
                { "truncated.xml", g_strndup(good, strlen(good) / 2), "line " },
                { "entity.xml",
                  g_strdup("<!DOCTYPE domain [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n"
                           "<domain><name>&b;</name></domain>"),
                  "Entity" },
                { "notdomain.xml", g_strdup("<domstatus><domain/></domstatus>"), "not a libvirt domain XML" },
                { "empty.xml", g_strdup(""), "empty" },
                { "badversion.xml", NULL, "version" },
                { "badattr.xml", NULL, "unknown attribute \"speed\"" },
        };
        g_autoptr(GString) bv = g_string_new(good), ba = g_string_new(good);

        g_string_replace(bv, "version=\"v1\"", "version=\" v1\"", 1);
        cases[4].content = g_string_free(g_steal_pointer(&bv), false);
        g_string_replace(ba, "<migcompat:param name=", "<migcompat:param speed=\"1\" name=", 1);
        cases[5].content = g_string_free(g_steal_pointer(&ba), false);

        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *out = NULL, *err = NULL;
                g_autofree char *p = mc_harness_write(f->h, cases[i].name, cases[i].content);
                ck_assert_msg(run_ctl(f, &out, &err, "check-domain", p, NULL) == 2, "%s: not exit 2", cases[i].name);
                ck_assert_contains(err, cases[i].message);
                ck_assert_contains(err, cases[i].name);
                ck_assert_str_eq(out, "");
                g_free(cases[i].content);
        }

        /* Over 4 MiB: refused before parsing. */
        {
                g_autofree char *out = NULL, *err = NULL, *p = NULL;
                g_autoptr(GString) big = g_string_new("<domain><description>");
                while (big->len < CTL_MAX_DOMAIN_XML + 10)
                        g_string_append(big, "lorem ipsum dolor sit amet ");
                g_string_append(big, "</description></domain>");
                p = mc_harness_write(f->h, "big.xml", big->str);
                ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", p, NULL), 2);
                ck_assert_contains(err, "larger than the limit");
        }
}
END_TEST

/* ---- export -------------------------------------------------------------------------- */

static void assert_nfd_label(const char *key) {
        const char *slash = strchr(key, '/');
        ck_assert_msg(slash, "label %s has no prefix", key);
        ck_assert_msg(mc_dns_subdomain_ok(key, (size_t) (slash - key)), "label prefix of %s is not a DNS subdomain", key);
        ck_assert_msg(strchr(slash + 1, '/') == NULL, "label %s has two slashes", key);
        ck_assert_msg(mc_k8s_name_ok(slash + 1, strlen(slash + 1)), "label name of %s is not valid", key);
}

static void assert_trait(const char *t) {
        size_t len = strlen(t);
        ck_assert_msg(g_str_has_prefix(t, "CUSTOM_") && len > 7 && len <= 255, "trait %s", t);
        for (size_t i = 0; i < len; i++)
                ck_assert_msg(g_ascii_isupper(t[i]) || g_ascii_isdigit(t[i]) || t[i] == '_', "trait %s has '%c'", t, t[i]);
}

/* Check a feature file; returns its label keys. */
static GPtrArray *nfd_labels(const char *text) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);

        for (guint i = 0; lines[i]; i++) {
                char *eq;
                if (!*lines[i] || lines[i][0] == '#')
                        continue;
                eq = strchr(lines[i], '=');
                ck_assert_msg(eq, "feature line without a value: %s", lines[i]);
                ck_assert_str_eq(eq + 1, "true");
                *eq = '\0';
                assert_nfd_label(lines[i]);
                ck_assert_msg(!g_ptr_array_find_with_equal_func(keys, lines[i], g_str_equal, NULL), "%s twice", lines[i]);
                g_ptr_array_add(keys, g_strdup(lines[i]));
        }
        return keys;
}

static GPtrArray *traits(const char *text) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; lines[i]; i++) {
                if (!*lines[i])
                        continue;
                assert_trait(lines[i]);
                ck_assert_msg(!g_ptr_array_find_with_equal_func(out, lines[i], g_str_equal, NULL), "%s twice", lines[i]);
                g_ptr_array_add(out, g_strdup(lines[i]));
        }
        return out;
}

static bool has(GPtrArray *a, const char *s) {
        return g_ptr_array_find_with_equal_func(a, s, g_str_equal, NULL);
}

static bool has_prefix(GPtrArray *a, const char *prefix) {
        for (guint i = 0; i < a->len; i++)
                if (g_str_has_prefix(a->pdata[i], prefix))
                        return true;
        return false;
}

START_TEST(export_formats) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GPtrArray) labels = NULL, trs = NULL;

        /* acme_vgpu-1 is full: it adds nothing (its siblings still offer the model). */
        mc_testbed_set_available(f->tb, f->acme, "acme_vgpu-1", 0);
        mc_harness_start_daemon(f->h, NULL);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "json", NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                JsonObject *o = json_node_get_object(root);
                ck_assert_uint_eq(json_array_get_length(json_object_get_array_member(o, "implementations")), 10);
                ck_assert(json_object_has_member(json_object_get_object_member(o, "host"), "generation"));
                /* Indented for people. */
                ck_assert_contains(out, "\n  \"implementations\" : [");
        }
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "nfd", NULL), 0);
        ck_assert(g_str_has_prefix(out, "# "));
        labels = nfd_labels(out);
        ck_assert(has(labels, "migcompat.org/acme.example_vgpu__v2"));
        ck_assert(has(labels, "migcompat.org/acme.example_vgpu__v1"));
        /* "_" in the model cannot be told from "/": hashed. */
        ck_assert(has_prefix(labels, "migcompat.org/intel.com_gvt-g_v5_4__gvt-1___"));
        ck_assert(has(labels, "migcompat.org/vendor-a.com_my-nic__v2"));
        ck_assert(has(labels, "pre-copy.cap.migcompat.org/acme.example_vgpu__v2"));
        ck_assert(has_prefix(labels, "stop-copy.cap.migcompat.org/intel.com_gvt-g_v5_4__gvt-1___"));
        ck_assert(!has_prefix(labels, "pre-copy.cap.migcompat.org/intel.com_gvt-g_v5_4__gvt-1___"));
        /* 5 pairs; 3 capabilities for each acme and vnic pair, 1 for gvt. */
        ck_assert_uint_eq(labels->len, 5 + 3 * 2 + 3 * 2 + 1);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "placement", NULL), 0);
        trs = traits(out);
        ck_assert(has_prefix(trs, "CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V2_H"));
        ck_assert(has_prefix(trs, "CUSTOM_MIGCOMPAT_INTEL_COM_GVT_G_V5_4_V_GVT_1_H"));
        ck_assert_uint_eq(trs->len, labels->len);
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "yaml", NULL), 2);
        ck_assert_contains(err, "expected json, nfd, placement or nova-provider-config");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--json", "--format", "nfd", NULL), 2);
        ck_assert_contains(err, "--json and --format nfd exclude each other");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--json", NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                ck_assert(json_object_has_member(json_node_get_object(root), "implementations"));
        }
}
END_TEST

/* A profile made by hand: names that need the hashed forms, a full type,
 * a type without facts. Offline, so no daemon. */
START_TEST(export_offline_names) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GPtrArray) labels = NULL, trs = NULL;
        g_autofree char *long_model = g_strdup_printf("very-long-vendor-domain.example/%s", "x123456789/y123456789/z123456789/w123456789");
        g_autofree char *doc = g_strdup_printf(
                "{\"host\": {\"hostname\": \"h1\", \"machine-id\": \"m\", \"generation\": 7, \"daemon-version\": \"0.1.0\"},\n"
                " \"implementations\": [\n"
                "  {\"id\": \"mdev:p:t1\", \"kind\": \"mdev\", \"identity\": {\"parent\": \"p\", \"type-id\": \"t1\"},\n"
                "   \"models\": {\"Odd.Example/A_B+c\": {\"versions\": [\"v1 beta\", \"V1\", \"v1\", \"v1-\"]},\n"
                "                \"%s\": {\"versions\": [\"1\"], \"x-capabilities\": [\"p2p\"]},\n"
                "                \"noversion.example/dev\": {\"params\": {\"q\": {\"type\": \"int\", \"init_value\": 1}}}},\n"
                "   \"available-instances\": 1, \"facts-from\": \"driver\"},\n"
                "  {\"id\": \"mdev:p:full\", \"kind\": \"mdev\", \"identity\": {\"parent\": \"p\", \"type-id\": \"full\"},\n"
                "   \"models\": {\"full.example/dev\": {\"versions\": [\"v1\"]}}, \"available-instances\": 0, \"facts-from\": \"driver\"},\n"
                "  {\"id\": \"mdev:p:none\", \"kind\": \"mdev\", \"identity\": {\"parent\": \"p\", \"type-id\": \"none\"},\n"
                "   \"models\": {}, \"available-instances\": 4, \"facts-from\": \"none\", \"not-migratable-reason\": \"no facts\"}\n"
                " ]}\n",
                long_model);
        g_autofree char *path = mc_harness_write(f->h, "profile.json", doc);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "nfd", "--profile", path, NULL), 0);
        ck_assert_contains(out, "profile of h1 (generation 7).");
        labels = nfd_labels(out);
        /* 4 + 1 + 1 pairs, 1 capability. */
        ck_assert_uint_eq(labels->len, 7);
        ck_assert(has(labels, "migcompat.org/noversion.example_dev"));
        ck_assert(!has_prefix(labels, "migcompat.org/full.example"));
        /* Too long for the plain form: 48 characters of text, then the hash. */
        ck_assert(has_prefix(labels, "p2p.cap.migcompat.org/very-long-vendor-domain.example_x123456789_y1234___"));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "placement", "--profile", path, NULL), 0);
        trs = traits(out);
        /* Traits are static facts: the full type's pair has one too. */
        ck_assert_uint_eq(trs->len, 8);
        ck_assert(has_prefix(trs, "CUSTOM_MIGCOMPAT_FULL_EXAMPLE_DEV_V_V1_H"));
        /* "V1" and "v1" upper-case alike: the hash keeps them apart. */
        ck_assert(has_prefix(trs, "CUSTOM_MIGCOMPAT_ODD_EXAMPLE_A_B_C_V_V1_H"));
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        /* The JSON export of a profile file is the file, re-indented. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--profile", path, NULL), 0);
        ck_assert_contains(out, "\"Odd.Example/A_B+c\"");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);

        {
                g_autofree char *bad = mc_harness_write(f->h, "bad.json", "{\"host\": {}}");
                ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "nfd", "--profile", bad, NULL), 2);
                ck_assert_contains(err, "bad.json");
        }
}
END_TEST

/* The encoder itself, over names chosen to collide if it were careless. */
START_TEST(label_encoding) {
        static const char *const models[] = {
                "a.com/b", "a.com/b/c", "a.com/b.c", "a.com/b-c", "a.com/b_c", "a.com/B", "A.com/b", "a.com/b+c",
                "a.com/b,c", "a.com/b:c", "a.com/b@c", "a.com/b~c", "a.com/b.", "a.com/b-", "a.com/-b", "a-b.com/c",
                "a.b.com/c",
                "a-very-long-domain-name-that-goes-on.example/and/a/path/that/also/goes/on/for/a/while/x",
                "a-very-long-domain-name-that-goes-on.example/and/a/path/that/also/goes/on/for/a/while/y",
        };
        static const char *const versions[] = { NULL, "v1", "V1", "v1.0", "v1-0", "v1_0", "v1 0", "v1.", "-v1",
                                                "1", "a__b", "a___b", "x012345678901",
                                                "a-version-string-long-enough-to-push-things-over-sixty-three" };
        g_autoptr(GHashTable) nfd = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GHashTable) pl = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        for (guint m = 0; m < G_N_ELEMENTS(models); m++) {
                ck_assert_msg(mc_check_model_string(models[m]) == NULL, "bad test model %s", models[m]);
                for (guint v = 0; v < G_N_ELEMENTS(versions); v++) {
                        for (unsigned c = 0; c < MC_CAP_ALL; c = c ? c << 1 : 1) {
                                const char *cap = c ? mc_cap_to_string((McCap) c) : NULL;
                                char *label = ctl_nfd_label(models[m], versions[v], cap);
                                char *trait = ctl_placement_trait(models[m], versions[v], cap);
                                assert_nfd_label(label);
                                assert_trait(trait);
                                ck_assert_msg(g_hash_table_add(nfd, label), "NFD collision: %s", label);
                                ck_assert_msg(g_hash_table_add(pl, trait), "trait collision: %s", trait);
                        }
                }
        }

        /* The readable forms, exactly. */
        {
                g_autofree char *a = ctl_nfd_label_name("acme.example/vgpu", "v2");
                g_autofree char *b = ctl_nfd_label_name("vendor-a.com/nic/pf", "q64-v2");
                g_autofree char *c = ctl_nfd_label_name("acme.example/vgpu", NULL);
                g_autofree char *d = ctl_nfd_label_name("acme.example/vgpu", "v1 beta");
                g_autofree char *e = ctl_placement_trait("acme.example/vgpu", "v2", NULL);
                g_autofree char *g = ctl_placement_trait("acme.example/vgpu", "v2", "pre-copy");
                ck_assert_str_eq(a, "acme.example_vgpu__v2");
                ck_assert_str_eq(b, "vendor-a.com_nic_pf__q64-v2");
                ck_assert_str_eq(c, "acme.example_vgpu");
                /* Schedulers match these names: they must never change.
                 * The hash is SHA-256 of "acme.example/vgpu\nv1 beta". */
                ck_assert_str_eq(d, "acme.example_vgpu__v1-beta___c7a78a7107a5");
                ck_assert_str_eq(e, "CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V2_H89578D3EB6FE");
                ck_assert_str_eq(g + strlen(e), "_PRE_COPY");
                ck_assert(strncmp(e, g, strlen(e)) == 0);
        }
}
END_TEST

/* ---- the XML reader, directly ----------------------------------------------------------- */

static CtlDomain *parse_domain(const char *xml, GError **error) {
        return ctl_domain_parse(xml, strlen(xml), "test.xml", error);
}

START_TEST(domain_xml_reader) {
        g_autoptr(GError) error = NULL;
        g_autoptr(CtlDomain) d = NULL;
        g_autofree char *s390 = read_fixture("s390-ccw-ap.xml");
        g_autofree char *plain = read_fixture("plain.xml");

        /* Any prefix: "mc:" here; the hostdev models of s390. */
        d = parse_domain(s390, &error);
        ck_assert_msg(d, "%s", error ? error->message : "");
        ck_assert_str_eq(d->name, "zvm-guest");
        ck_assert_str_eq(d->uuid, "8e3a9d2c-1b4f-4c6e-a5d7-9f0b2c4e6a81");
        ck_assert_uint_eq(d->hostdevs->len, 2);
        ck_assert_str_eq(((CtlHostdev *) d->hostdevs->pdata[0])->model, "vfio-ccw");
        ck_assert_str_eq(((CtlHostdev *) d->hostdevs->pdata[0])->alias, "hostdev0");
        ck_assert_str_eq(((CtlHostdev *) d->hostdevs->pdata[1])->model, "vfio-ap");
        ck_assert_str_eq(((CtlHostdev *) d->hostdevs->pdata[1])->uuid, "8d3ecf35-a8c4-4ab2-b8ea-0cb2d5ba5a8d");
        ck_assert_ptr_nonnull(d->metadata);
        ck_assert_uint_eq(d->metadata->source->devices->len, 2);
        ck_assert_uint_eq(((McSrcDevice *) d->metadata->source->devices->pdata[1])->requires, MC_CAP_STOP_COPY);
        g_clear_pointer(&d, ctl_domain_free);

        /* No metadata of ours, a PCI hostdev: nothing. */
        d = parse_domain(plain, &error);
        ck_assert_msg(d, "%s", error ? error->message : "");
        ck_assert_ptr_null(d->metadata);
        ck_assert_uint_eq(d->hostdevs->len, 0);
        g_clear_pointer(&d, ctl_domain_free);

        /* A default namespace, unqualified children (as a hand-written
         * element may have), CDATA, comments, character references, other
         * vocabularies inside ours, a prefix rebound in an inner scope. */
        d = parse_domain("<?xml version='1.0'?>\n<!-- hi -->\n<domain type='kvm'><name><![CDATA[a&b]]>&#x21;</name>"
                         "<metadata xmlns:x='urn:other'>"
                         "<migcompat xmlns='" CTL_METADATA_NS "'>"
                         "<device id='d&amp;1' model='a.com/b' x:note='ignored'><!-- c -->"
                         "<param name='s' type='str' value='4'/><param name='b' type='bool' value='false'/>"
                         "<x:extension><x:anything/></x:extension>"
                         "<param name='i' type='int' value='-9223372036854775808'/></device>"
                         "<device xmlns='' id='d2' model='a.com/c' version='v 1'/>"
                         "</migcompat>"
                         "<x:migcompat><x:device/></x:migcompat>"
                         "<p:migcompat xmlns:p='urn:notours'/>"
                         "</metadata></domain>",
                         &error);
        ck_assert_msg(d, "%s", error ? error->message : "");
        ck_assert_str_eq(d->name, "a&b!");
        {
                g_autofree char *json = mc_source_to_json(d->metadata->source, false);
                ck_assert_str_eq(json, "{\"devices\":[{\"id\":\"d&1\",\"model\":\"a.com/b\",\"params\":{\"b\":false,"
                                       "\"i\":-9223372036854775808,\"s\":\"4\"}},{\"id\":\"d2\",\"model\":\"a.com/c\","
                                       "\"version\":\"v 1\",\"params\":{}}]}");
        }
        g_clear_pointer(&d, ctl_domain_free);

        /* What must be refused, and why. */
        struct {
                const char *xml;
                const char *why;
        } bad[] = {
                { "<domain><name>x</name></domain><domain/>", "a second root element" },
                { "<domain a='1' a='2'/>", "attribute \"a\" twice" },
                { "<domain xmlns:p='urn:x' xmlns:q='urn:x' p:a='1' q:a='2'/>", "given twice" },
                { "<domain><p:x/></domain>", "undeclared namespace prefix \"p\"" },
                { "<domain><a:b:c xmlns:a='urn:x'/></domain>", "not a valid qualified name" },
                { "<domain xmlns:p=''/>", "empty namespace name" },
                { "<domain><name>&unknown;</name></domain>", "unknown" },
                { "<domain>", "Document ended unexpectedly" },
                { "<x:domain xmlns:x='urn:x'/>", "not a libvirt domain XML" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'/><m:migcompat xmlns:m='" CTL_METADATA_NS
                  "'/></metadata></domain>",
                  "two migcompat elements" },
                { "<domain><metadata><devices xmlns='" CTL_METADATA_NS "'/></metadata></domain>",
                  "expected <migcompat>" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><gadget/></migcompat></metadata></domain>",
                  "unknown element" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'>text</migcompat></metadata></domain>",
                  "unexpected text" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device model='a.com/b'/></migcompat>"
                  "</metadata></domain>",
                  "lacks the attribute \"id\"" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='nodomain'/>"
                  "</migcompat></metadata></domain>",
                  "model \"nodomain\"" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'/>"
                  "<device id='a' model='a.com/c'/></migcompat></metadata></domain>",
                  "used twice" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'>"
                  "<param name='q' type='int' value='0x10'/></device></migcompat></metadata></domain>",
                  "not an integer as JSON writes one" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'>"
                  "<param name='q' type='int' value='9223372036854775808'/></device></migcompat></metadata></domain>",
                  "not an integer as JSON writes one" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'>"
                  "<param name='q' type='bool' value='on'/></device></migcompat></metadata></domain>",
                  "\"true\" or \"false\"" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'>"
                  "<param name='q' type='float' value='1'/></device></migcompat></metadata></domain>",
                  "not bool, int or str" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'>"
                  "<param name='q' type='int' value='1'/><param name='q' type='int' value='2'/></device></migcompat>"
                  "</metadata></domain>",
                  "given twice" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b'>"
                  "<require capability='warp'/></device></migcompat></metadata></domain>",
                  "unknown capability \"warp\"" },
                { "<domain><metadata><migcompat xmlns='" CTL_METADATA_NS "'><device id='a' model='a.com/b' "
                  "uuid='xyz'/></migcompat></metadata></domain>",
                  "not a UUID" },
                { "<domain><devices><hostdev mode='subsystem' type='mdev'><source><address uuid='nope'/></source>"
                  "</hostdev></devices></domain>",
                  "without a valid uuid" },
                { "<domain><devices><hostdev mode='subsystem' type='mdev'><alias name='hostdev3'/></hostdev>"
                  "</devices></domain>",
                  "hostdev3 has no <source><address" },
        };
        for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autoptr(GError) e = NULL;
                g_autoptr(CtlDomain) x = parse_domain(bad[i].xml, &e);
                ck_assert_msg(!x, "case %u was accepted: %s", i, bad[i].xml);
                ck_assert_msg(strstr(e->message, bad[i].why), "case %u: expected \"%s\" in \"%s\"", i, bad[i].why,
                              e->message);
                ck_assert_msg(g_str_has_prefix(e->message, "test.xml: "), "case %u: %s", i, e->message);
        }

        /* A NUL byte, and nesting past the bound. */
        {
                g_autoptr(GError) e = NULL;
                g_autoptr(GString) deep = g_string_new("<domain>");
                g_autoptr(CtlDomain) x = ctl_domain_parse("<domain>\0</domain>", 18, "nul.xml", &e);
                ck_assert_ptr_null(x);
                ck_assert_contains(e->message, "NUL");
                g_clear_error(&e);
                for (int i = 0; i < 10000; i++)
                        g_string_append(deep, "<a>");
                x = ctl_domain_parse(deep->str, deep->len, "deep.xml", &e);
                ck_assert_ptr_null(x);
                ck_assert_contains(e->message, "nested deeper");
        }
}
END_TEST

/* JSON → XML → JSON gives the same document, for every kind of value. */
START_TEST(metadata_roundtrip) {
        static const char src_json[] =
                "{\"devices\":[{\"id\":\"hostdev0\",\"model\":\"vendor-a.com/my-nic\",\"version\":\"q64 <v2> & \\\"x\\\"\","
                "\"params\":{\"a\":true,\"b\":false,\"n\":-42,\"s\":\"4\",\"t\":\"on\",\"u\":\"x'y\\\"z<&>\"},"
                "\"requires\":[\"stop-copy\",\"p2p\",\"dirty-tracking\"]},"
                "{\"id\":\"ua-gpu\",\"model\":\"acme.example/vgpu\",\"params\":{}}]}";
        g_autoptr(GError) error = NULL;
        g_autoptr(McSource) src = mc_source_parse(src_json, strlen(src_json), "test", &error);
        g_autoptr(GHashTable) uuids = g_hash_table_new(g_str_hash, g_str_equal);
        g_autofree char *xml = NULL, *doc = NULL, *back = NULL;
        g_autoptr(CtlDomain) d = NULL;

        ck_assert_msg(src, "%s", error ? error->message : "");
        g_hash_table_insert(uuids, "hostdev0", UUID_A);
        xml = ctl_metadata_to_xml(src, uuids, true);
        /* As libvirt stores it: every element prefixed. */
        ck_assert(g_str_has_prefix(xml, "<migcompat:migcompat xmlns:migcompat=\"" CTL_METADATA_NS "\">\n"
                                        "  <migcompat:device id=\"hostdev0\" uuid=\"" UUID_A "\""));
        ck_assert_contains(xml, "<migcompat:param name=");
        ck_assert_contains(xml, "<migcompat:require capability=");
        ck_assert(g_str_has_suffix(xml, "</migcompat:migcompat>\n"));
        doc = g_strdup_printf("<domain><name>x</name><metadata>%s</metadata></domain>", xml);
        d = parse_domain(doc, &error);
        ck_assert_msg(d, "%s\n%s", error ? error->message : "", doc);
        back = mc_source_to_json(d->metadata->source, false);
        ck_assert_str_eq(back, src_json);
        ck_assert_str_eq(g_hash_table_lookup(d->metadata->uuids, "hostdev0"), UUID_A);
        ck_assert(!g_hash_table_contains(d->metadata->uuids, "ua-gpu"));

        /* For "virsh metadata --set": the same element with no namespace
         * and no prefix anywhere (virsh binds it). */
        {
                g_autofree char *bare = ctl_metadata_to_xml(src, uuids, false);
                g_autoptr(GString) prefixed = g_string_new(bare);
                ck_assert(g_str_has_prefix(bare, "<migcompat>\n  <device id=\"hostdev0\""));
                ck_assert(!strstr(bare, "xmlns") && !strstr(bare, "migcompat:"));
                g_string_replace(prefixed, "<", "<migcompat:", 0);
                g_string_replace(prefixed, "<migcompat:/", "</migcompat:", 0);
                g_string_replace(prefixed, "<migcompat:migcompat>",
                                 "<migcompat:migcompat xmlns:migcompat=\"" CTL_METADATA_NS "\">", 1);
                ck_assert_str_eq(prefixed->str, xml);
        }
}
END_TEST

/* Both forms of the element are read: the prefixed one libvirt writes, and
 * the default-namespace one migcompat 0.1 printed, which libvirt keeps as
 * given with its own declaration beside it. Errors name the elements as the
 * domain XML spells them. */
START_TEST(metadata_forms) {
        static const char prefixed[] =
                "<domain><name>x</name><metadata>"
                "<migcompat:migcompat xmlns:migcompat=\"" CTL_METADATA_NS "\">"
                "<migcompat:device id=\"hostdev0\" model=\"acme.example/vgpu\" version=\"v1\">"
                "<migcompat:param name=\"framebuffer\" type=\"int\" value=\"512\"/>"
                "</migcompat:device></migcompat:migcompat></metadata></domain>";
        static const char legacy[] =
                "<domain><name>x</name><metadata>"
                "<migcompat xmlns=\"" CTL_METADATA_NS "\" xmlns:migcompat=\"" CTL_METADATA_NS "\">"
                "<device id=\"hostdev0\" model=\"acme.example/vgpu\" version=\"v1\">"
                "<param name=\"framebuffer\" type=\"int\" value=\"512\"/>"
                "</device></migcompat></metadata></domain>";
        const char *want = "{\"devices\":[{\"id\":\"hostdev0\",\"model\":\"acme.example/vgpu\",\"version\":\"v1\","
                           "\"params\":{\"framebuffer\":512}}]}";
        const char *docs[] = { prefixed, legacy };

        for (guint i = 0; i < G_N_ELEMENTS(docs); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(CtlDomain) d = parse_domain(docs[i], &error);
                g_autofree char *json = NULL;
                ck_assert_msg(d && d->metadata, "%s\n%s", error ? error->message : "", docs[i]);
                json = mc_source_to_json(d->metadata->source, false);
                ck_assert_str_eq(json, want);
        }
        {
                g_autoptr(GString) bad = g_string_new(prefixed);
                g_autoptr(GError) error = NULL;
                g_autoptr(CtlDomain) d = NULL;
                g_string_replace(bad, "migcompat:param", "migcompat:parm", 0);
                d = parse_domain(bad->str, &error);
                ck_assert(!d);
                ck_assert_contains(error->message, "<migcompat:parm>: unknown element; <migcompat:device> holds "
                                                   "<migcompat:param>, <migcompat:require> and <migcompat:derived-from> elements");
        }
}
END_TEST

/* ---- monitor ----------------------------------------------------------------------------- */

typedef struct {
        GPid pid;
        int out_fd;
        GString *buf;
} Proc;

static void proc_spawn(Fx *f, Proc *p, const char *const *args) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;

        g_ptr_array_add(argv, mc_harness_build_path("src/migcompatctl"));
        for (; *args; args++)
                g_ptr_array_add(argv, g_strdup(*args));
        g_ptr_array_add(argv, NULL);
        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", mc_harness_bus_address(f->h), true);
        ck_assert_msg(g_spawn_async_with_pipes(mc_harness_dir(f->h), (char **) argv->pdata, env,
                                               G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &p->pid, NULL, &p->out_fd,
                                               NULL, &error),
                      "%s", error ? error->message : "");
        p->buf = g_string_new(NULL);
}

/* Read until the output holds needle (true) or timeout. */
static bool proc_wait_for(Proc *p, const char *needle, int timeout_ms) {
        gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

        while (!strstr(p->buf->str, needle)) {
                struct pollfd pfd = { .fd = p->out_fd, .events = POLLIN };
                gint64 left = (deadline - g_get_monotonic_time()) / 1000;
                char chunk[4096];
                ssize_t n;

                if (left <= 0 || poll(&pfd, 1, (int) left) <= 0)
                        return false;
                n = read(p->out_fd, chunk, sizeof chunk);
                if (n <= 0)
                        return false;
                g_string_append_len(p->buf, chunk, n);
        }
        return true;
}

static int proc_stop(Proc *p, int sig) {
        int status = 0;
        kill(p->pid, sig);
        ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
        close(p->out_fd);
        g_string_free(p->buf, true);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(monitor_events) {
        g_autoptr(McTestHost) f = fx_started(MC_BUS_PERMISSIVE);
        static const char *const text_args[] = { "monitor", NULL };
        static const char *const json_args[] = { "monitor", "--json", NULL };
        g_autofree char *parent = NULL, *inst = NULL;
        Proc text = { 0 }, json = { 0 };

        proc_spawn(f, &text, text_args);
        proc_spawn(f, &json, json_args);
        ck_assert_msg(proc_wait_for(&text, "Ctrl+C stops\n", 20000), "no start line: %s", text.buf->str);
        ck_assert_msg(proc_wait_for(&json, "\"event\":\"monitoring\"", 20000), "no start line: %s", json.buf->str);
        ck_assert_contains(text.buf->str, "10 implementation objects");

        /* A second acme card is hot-plugged. */
        parent = mc_testbed_add_acme(f->tb, "0000:af:00.0");
        mc_testbed_uevent(f->tb, parent, "add");
        ck_assert_msg(proc_wait_for(&text, "  generation ", 20000), "%s", text.buf->str);
        ck_assert_contains(text.buf->str, "added      mdev:0000:af:00.0:acme_vgpu-4 (acme.example/vgpu, 1 free)");
        ck_assert_contains(text.buf->str, "changed    manager: ");
        ck_assert_contains(text.buf->str, "NImplementations 10 -> 13");
        ck_assert_msg(proc_wait_for(&json, "\"event\":\"generation\"", 20000), "%s", json.buf->str);
        {
                g_auto(GStrv) lines = g_strsplit(json.buf->str, "\n", -1);
                bool added = false;
                for (guint i = 0; lines[i] && *lines[i]; i++) {
                        g_autoptr(JsonNode) n = parse_json(lines[i]);
                        JsonObject *o = json_node_get_object(n);
                        ck_assert(json_object_has_member(o, "time"));
                        if (g_strcmp0(json_object_get_string_member(o, "event"), "added") == 0 &&
                            g_strcmp0(json_object_get_string_member(o, "id"), "mdev:0000:af:00.0:acme_vgpu-2") == 0) {
                                added = true;
                                ck_assert_str_eq(json_object_get_string_member(o, "model"), "acme.example/vgpu");
                        }
                }
                ck_assert(added);
        }

        /* An instance is created: its type has one free instance less. */
        inst = add_acme_instance(f, UUID_A, true);
        ck_assert_msg(proc_wait_for(&text, "acme_vgpu-4: AvailableInstances 1 -> 0", 20000), "%s", text.buf->str);
        /* The line begins with a timestamp. */
        {
                const char *line = strstr(text.buf->str, "mdev:" ACME_PARENT ":acme_vgpu-4: AvailableInstances");
                const char *start = line;
                while (start > text.buf->str && start[-1] != '\n')
                        start--;
                ck_assert(g_ascii_isdigit(start[0]) && start[4] == '-' && start[10] == ' ' && start[13] == ':' &&
                          start[19] == '.');
        }

        /* SIGTERM or SIGINT: a clean exit 0 (and no leak reports: status 23). */
        ck_assert_int_eq(proc_stop(&text, SIGTERM), 0);
        ck_assert_int_eq(proc_stop(&json, SIGINT), 0);
}
END_TEST

/* ---- an unprivileged user on a real system bus policy ------------------------------------ */

START_TEST(unprivileged_queries) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_SYSTEM);
        G_GNUC_UNUSED g_autofree char *inst = add_acme_instance(f, UUID_A, false);
        g_autofree char *ok = mc_harness_write(f->h, "ok.json", src_ok);
        g_autofree char *out = NULL, *err = NULL;

        mc_harness_start_daemon(f->h, NULL);
        ck_assert_int_eq(run_ctl_nobody(f, &out, &err, "list", "--no-legend", NULL), 0);
        ck_assert_contains(out, "vfio-user:vnic");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl_nobody(f, &out, &err, "show", "mdev:" ACME_PARENT ":acme_vgpu-2", NULL), 0);
        ck_assert_contains(out, "Versions: v2 (preferred), v1");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl_nobody(f, &out, &err, "check", ok, NULL), 0);
        ck_assert_contains(out, "verdict: compatible");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        /* CheckWithOptions: the bus policy once forgot it. */
        ck_assert_msg(run_ctl_nobody(f, &out, &err, "check", "--all-candidates", ok, NULL) == 0, "%s", err);
        ck_assert_contains(out, "verdict: compatible");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl_nobody(f, &out, &err, "describe", UUID_A, NULL), 0);
        ck_assert_contains(out, "\"framebuffer\" : 512");
        g_clear_pointer(&out, g_free);
        g_clear_pointer(&err, g_free);
        ck_assert_int_eq(run_ctl_nobody(f, &out, &err, "export", "--format", "nfd", NULL), 0);
        ck_assert_contains(out, "migcompat.org/acme.example_vgpu__v2=true");
}
END_TEST

static Suite *ctl_suite(void) {
        Suite *s = suite_create("ctl");
        TCase *tc = tcase_create("verbs");
        TCase *units = tcase_create("units");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, help_and_usage);
        tcase_add_test(tc, list_text);
        tcase_add_test(tc, list_json);
        tcase_add_test(tc, show_text_and_json);
        tcase_add_test(tc, check_online_and_offline);
        tcase_add_test(tc, daemon_unreachable);
        tcase_add_test(tc, access_denied_exit_status);
        tcase_add_test(tc, describe_roundtrip);
        tcase_add_test(tc, check_domain_cases);
        tcase_add_test(tc, check_domain_bad_input);
        tcase_add_test(tc, export_formats);
        tcase_add_test(tc, export_offline_names);
        tcase_add_test(tc, monitor_events);
        tcase_add_test(tc, unprivileged_queries);
        suite_add_tcase(s, tc);
        tcase_add_test(units, label_encoding);
        tcase_add_test(units, domain_xml_reader);
        tcase_add_test(units, metadata_roundtrip);
        tcase_add_test(units, metadata_forms);
        suite_add_tcase(s, units);
        return s;
}

MC_TEST_MAIN(ctl_suite)
