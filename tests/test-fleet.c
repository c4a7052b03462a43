/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The fleet view of migcompatctl: check and check-domain against a
 * directory of host profiles (per-host answers, their order, the exit
 * statuses, a corrupted profile skipped), what-if finding the VMs an
 * upgrade strands, and the collection procedure of migcompatctl(1):
 * migcompatd's own profile written atomically into a shared directory,
 * stale and superseded profiles recognised. The hosts of the fleet are
 * the standard test host's exported profile, changed as an upgrade or
 * another machine would change it. */

#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "harness.h"
#include "host-fixture.h"
#include "mc-catalog.h"
#include "mc-parse.h"
#include "mc-serialize.h"

/* The VM of the tests: the acme vGPU at version v1 (host fixture: the
 * acme driver loads v2 and v1). */
static const char vm_v1[] =
        "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v1\", "
        "\"params\": {\"framebuffer\": 1024}}]}";
static const char vm_v2[] =
        "{\"devices\": [{\"id\": \"gpu\", \"model\": \"acme.example/vgpu\", \"version\": \"v2\", "
        "\"params\": {\"framebuffer\": 1024}}]}";

static int run_ctl(McTestHost *f, char **out, char **err, const char *first, ...) G_GNUC_NULL_TERMINATED;
static int run_ctl(McTestHost *f, char **out, char **err, const char *first, ...) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *o = NULL, *e = NULL;
        va_list ap;
        int status;

        g_ptr_array_add(argv, mc_harness_build_path("src/migcompatctl"));
        va_start(ap, first);
        for (const char *a = first; a; a = va_arg(ap, const char *))
                g_ptr_array_add(argv, g_strdup(a));
        va_end(ap);
        g_ptr_array_add(argv, NULL);
        status = mc_harness_run(f->h, false, (const char *const *) argv->pdata, &o, &e);
        ck_assert_msg(!strstr(e, "Sanitizer") && !strstr(e, "runtime error"), "sanitizer report:\n%s", e);
        if (out)
                *out = g_steal_pointer(&o);
        if (err)
                *err = g_steal_pointer(&e);
        return status;
}

#define CLEAR(out, err)                            \
        do {                                       \
                g_clear_pointer(&(out), g_free);   \
                g_clear_pointer(&(err), g_free);   \
        } while (0)

static JsonNode *parse_json(const char *text) {
        g_autoptr(GError) error = NULL;
        JsonNode *n = json_from_string(text, &error);
        ck_assert_msg(n, "not JSON (%s):\n%s", error ? error->message : "empty", text);
        return n;
}

/* The collection procedure of migcompatctl(1), as a host runs it: the
 * daemon's profile into a dot-file of the shared directory, renamed into
 * place. Returns the profile's path. */
static char *collect_own_profile(McTestHost *f, const char *dir, const char *name) {
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *tmp = g_strdup_printf("%s/.%s.json.tmp", dir, name);
        char *path = g_strdup_printf("%s/%s.json", dir, name);

        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--format", "json", NULL), 0);
        ck_assert(g_file_set_contents(tmp, out, -1, NULL));
        ck_assert_int_eq(rename(tmp, path), 0);
        return path;
}

/* Another host: the profile text with its host's name and machine-id,
 * the acme driver loading `versions` (NULL: unchanged), every acme type
 * with `available` free instances (-2: unchanged), and exported-at set
 * (NULL: unchanged, "": removed). */
static char *variant(const char *profile, const char *hostname, const char *machine_id, const char *const *versions,
                     gint64 available, const char *exported_at) {
        g_autoptr(JsonNode) root = parse_json(profile);
        JsonObject *o = json_node_get_object(root);
        JsonObject *host = json_object_get_object_member(o, "host");
        JsonArray *impls = json_object_get_array_member(o, "implementations");

        json_object_set_string_member(host, "hostname", hostname);
        json_object_set_string_member(host, "machine-id", machine_id);
        if (exported_at && *exported_at)
                json_object_set_string_member(host, "exported-at", exported_at);
        else if (exported_at)
                json_object_remove_member(host, "exported-at");
        for (guint i = 0; i < json_array_get_length(impls); i++) {
                JsonObject *impl = json_array_get_object_element(impls, i);
                JsonObject *models = json_object_get_object_member(impl, "models");
                JsonObject *acme;

                if (!json_object_has_member(models, "acme.example/vgpu"))
                        continue;
                acme = json_object_get_object_member(models, "acme.example/vgpu");
                if (versions) {
                        JsonArray *a = json_array_new();
                        for (const char *const *v = versions; *v; v++)
                                json_array_add_string_element(a, *v);
                        json_object_set_array_member(acme, "versions", a);
                }
                if (available >= -1)
                        json_object_set_int_member(impl, "available-instances", available);
        }
        return json_to_string(root, true);
}

static char *write_file(const char *dir, const char *name, const char *text) {
        char *path = g_build_filename(dir, name, NULL);
        ck_assert(g_file_set_contents(path, text, -1, NULL));
        return path;
}

static char *iso_time(gint64 unix_time) {
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(unix_time);
        return g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
}

static const char *const only_v2[] = { "v2", NULL };

/* A fleet in one directory: host-a (as exported, several free
 * instances), host-b (one free instance per acme type), host-c (its
 * driver loads only v2), a corrupted profile, and a writer's dot-file
 * that is not a profile yet. */
static char *make_fleet(McTestHost *f, char **ret_profile) {
        g_autofree char *dir = mc_harness_mkdir(f->h, "profiles");
        g_autofree char *own = collect_own_profile(f, dir, "own");
        g_autofree char *text = NULL;
        g_autofree char *a = NULL, *b = NULL, *c = NULL;

        ck_assert(g_file_get_contents(own, &text, NULL, NULL));
        ck_assert_int_eq(unlink(own), 0);
        a = variant(text, "host-a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, 3, NULL);
        b = variant(text, "host-b", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", NULL, 1, NULL);
        c = variant(text, "host-c", "cccccccccccccccccccccccccccccccc", only_v2, 3, NULL);
        g_free(write_file(dir, "host-a.json", a));
        g_free(write_file(dir, "host-b.json", b));
        g_free(write_file(dir, "host-c.json", c));
        g_free(write_file(dir, "broken.json", "{\"host\": {\"hostname\": \"host-x\""));
        g_free(write_file(dir, ".host-d.json", "{\"host\""));
        if (ret_profile)
                *ret_profile = g_steal_pointer(&text);
        return g_steal_pointer(&dir);
}

START_TEST(fleet_check_directory) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = NULL;
        g_autofree char *vm = mc_harness_write(f->h, "vm.json", vm_v1);
        g_autofree char *junk = mc_harness_write(f->h, "junk.json", "{\"devices\": [}");
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *host_c = NULL, *broken = NULL;
        const char *pa, *pb, *pc;

        mc_harness_start_daemon(f->h, NULL);
        dir = make_fleet(f, NULL);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        host_c = g_build_filename(dir, "host-c.json", NULL);
        broken = g_build_filename(dir, "broken.json", NULL);

        /* Per host: compatible first, the most spare instances first. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", dir, vm, NULL), 0);
        pa = strstr(out, "\nhost-a ");
        pb = strstr(out, "\nhost-b ");
        pc = strstr(out, "\nhost-c ");
        ck_assert_msg(pa && pb && pc && pa < pb && pb < pc, "hosts out of order:\n%s", out);
        ck_assert_contains(out, "HOST");
        ck_assert_contains(pa, "compatible");
        ck_assert_contains(pa, "gpu=mdev:" MC_TEST_ACME_PARENT ":acme_vgpu-");
        ck_assert_contains(pc, "incompatible");
        ck_assert_contains(pc, "gpu: version-unsupported");
        ck_assert_contains(out, "2 of 3 hosts can take it; 3 host profiles read from 4 files: 1 unreadable, skipped.");
        ck_assert_contains(err, "skipping an unreadable host profile");
        ck_assert_contains(err, "broken.json");
        ck_assert_not_contains(err, ".host-d.json");
        CLEAR(out, err);

        /* JSON: the array of per-host answers, in the same order. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--json", "--profile", dir, vm, NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                JsonArray *a = json_node_get_array(root);
                JsonObject *h0, *h1, *h2, *dev;

                ck_assert_int_eq(json_array_get_length(a), 3);
                h0 = json_array_get_object_element(a, 0);
                h1 = json_array_get_object_element(a, 1);
                h2 = json_array_get_object_element(a, 2);
                ck_assert_str_eq(json_object_get_string_member(h0, "host"), "host-a");
                ck_assert_str_eq(json_object_get_string_member(h0, "verdict"), "compatible");
                ck_assert_str_eq(json_object_get_string_member(h1, "host"), "host-b");
                /* host-a keeps 3 - 1, host-b 1 - 1 free instances once the VM is placed. */
                ck_assert_int_eq(json_object_get_int_member(h0, "spare-instances"), 2);
                ck_assert_int_eq(json_object_get_int_member(h1, "spare-instances"), 0);
                ck_assert_str_eq(json_object_get_string_member(h2, "verdict"), "incompatible");
                ck_assert(json_object_get_null_member(h2, "spare-instances"));
                dev = json_array_get_object_element(json_object_get_array_member(h2, "devices"), 0);
                ck_assert_str_eq(json_object_get_string_member(dev, "id"), "gpu");
                ck_assert(json_object_get_null_member(dev, "implementation"));
                ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(dev, "reason"), "code"),
                                 "version-unsupported");
                dev = json_array_get_object_element(json_object_get_array_member(h0, "devices"), 0);
                ck_assert(g_str_has_prefix(json_object_get_string_member(dev, "implementation"),
                                           "mdev:" MC_TEST_ACME_PARENT ":acme_vgpu-"));
                ck_assert(json_object_has_member(h0, "exported-at"));
        }
        ck_assert_contains(err, "3 host profiles read from 4 files: 1 unreadable, skipped");
        CLEAR(out, err);

        /* No host can take it: 1. Nothing readable: 2. A bad VM: 2. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", host_c, "--profile", broken, vm, NULL), 1);
        ck_assert_contains(out, "0 of 1 host can take it; 1 host profile read from 2 files: 1 unreadable, skipped.");
        CLEAR(out, err);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "-q", "--profile", host_c, "--profile", broken, vm, NULL), 1);
        ck_assert_str_eq(out, "");
        CLEAR(out, err);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", broken, "--profile", broken, vm, NULL), 2);
        ck_assert_contains(err, "no usable host profile among 2 files");
        CLEAR(out, err);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", dir, junk, NULL), 2);
        ck_assert_contains(err, "junk.json");
        CLEAR(out, err);
        {
                g_autofree char *empty = mc_harness_mkdir(f->h, "empty");
                ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--profile", empty, vm, NULL), 2);
                ck_assert_contains(err, "no usable host profile among 0 files");
                CLEAR(out, err);
        }

        /* --implementation applies on each host. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--implementation", "mdev:" MC_TEST_ACME_PARENT ":acme_vgpu-1",
                                 "--profile", dir, vm, NULL),
                         1);
        ck_assert_contains(out, "gpu: param-unknown");
        CLEAR(out, err);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--all-candidates", "--profile", dir, vm, NULL), 2);
        ck_assert_contains(err, "--all-candidates");
        CLEAR(out, err);

        /* export reads one profile. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "export", "--profile", host_c, "--profile", host_c, NULL), 2);
        CLEAR(out, err);
}
END_TEST

START_TEST(fleet_check_domain) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = NULL;
        g_autofree char *xml = mc_harness_source_path("tests/domains/vgpu-metadata.xml");
        g_autofree char *out = NULL, *err = NULL;

        mc_harness_start_daemon(f->h, NULL);
        dir = make_fleet(f, NULL);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--profile", dir, xml, NULL), 0);
        ck_assert_contains(out, "domain \"rhel9-vgpu\"");
        ck_assert_contains(out, "hostdev0=mdev:" MC_TEST_ACME_PARENT ":acme_vgpu-");
        ck_assert_contains(out, "hostdev0: version-unsupported");
        ck_assert_contains(out, "2 of 3 hosts can take it; 3 host profiles read from 4 files: 1 unreadable, skipped.");
        CLEAR(out, err);

        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--json", "--profile", dir, xml, NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                ck_assert_int_eq(json_array_get_length(json_node_get_array(root)), 3);
        }
        CLEAR(out, err);

        {
                g_autofree char *host_c = g_build_filename(dir, "host-c.json", NULL);
                g_autofree char *broken = g_build_filename(dir, "broken.json", NULL);
                ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--profile", host_c, "--profile", broken, xml,
                                         NULL),
                                 1);
                CLEAR(out, err);
        }
        /* The hook answers for one host. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check-domain", "--hook", "--profile", dir, xml, NULL), 2);
        ck_assert_contains(err, "--hook");
        CLEAR(out, err);
}
END_TEST

/* The fleet of make_fleet() (host-c already loads only v2) and a VM on
 * each host; the change: host-b's driver is upgraded to load only v2. */
START_TEST(what_if_strands) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = NULL, *profile = NULL, *b_new = NULL;
        g_autofree char *newdir = mc_harness_mkdir(f->h, "new");
        g_autofree char *vms = mc_harness_mkdir(f->h, "vms");
        g_autofree char *out = NULL, *err = NULL;

        mc_harness_start_daemon(f->h, NULL);
        dir = make_fleet(f, &profile);
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        b_new = variant(profile, "host-b", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", only_v2, 1, NULL);
        g_free(write_file(newdir, "host-b.json", b_new));
        g_free(mc_harness_mkdir(f->h, "vms/host-a"));
        g_free(mc_harness_mkdir(f->h, "vms/host-b"));
        g_free(mc_harness_mkdir(f->h, "vms/host-c"));
        /* vm1 (v1) on host-a: host-b is its only destination; after: none.
         * vm2 (v1) on host-b: can go to host-a still, but not come back.
         * vm3 (v2) on host-c: host-a and host-b, before and after. */
        g_free(mc_harness_write(f->h, "vms/host-a/vm1.json", vm_v1));
        g_free(mc_harness_write(f->h, "vms/host-b/vm2.json", vm_v1));
        g_free(mc_harness_write(f->h, "vms/host-c/vm3.json", vm_v2));
        g_free(mc_harness_write(f->h, "vms/host-c/bad.json", "{\"devices\": []}"));

        ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, "--replace", newdir, vms, NULL), 1);
        ck_assert_contains(out, "vm1 host-a 1      0     yes    no destination left\n");
        ck_assert_contains(out, "vm2 host-b 1      1     no     cannot return to its host\n");
        ck_assert_not_contains(out, "vm3");
        ck_assert_contains(out, "2 of 3 VMs stranded by the change of 1 host: 1 with no destination left, 1 unable "
                                "to return to its host.");
        ck_assert_contains(out, "3 host profiles read from 4 files: 1 unreadable, skipped; 3 VMs read, 1 unreadable VM "
                                "file skipped.");
        ck_assert_contains(err, "broken.json");
        ck_assert_contains(err, "bad.json");
        CLEAR(out, err);

        ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--json", "--profile", dir, "--replace", newdir, vms, NULL),
                         1);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                JsonObject *o = json_node_get_object(root);
                JsonArray *s = json_object_get_array_member(o, "stranded");
                JsonObject *v1, *v2;

                ck_assert_int_eq(json_array_get_length(s), 2);
                v1 = json_array_get_object_element(s, 0);
                v2 = json_array_get_object_element(s, 1);
                ck_assert_str_eq(json_object_get_string_member(v1, "vm"), "vm1");
                ck_assert_str_eq(json_object_get_string_member(v1, "host"), "host-a");
                ck_assert_int_eq(json_object_get_int_member(v1, "destinations-before"), 1);
                ck_assert_int_eq(json_object_get_int_member(v1, "destinations-after"), 0);
                ck_assert_str_eq(json_array_get_string_element(json_object_get_array_member(v1, "reasons"), 0),
                                 "no-destination");
                ck_assert_str_eq(json_object_get_string_member(v2, "vm"), "vm2");
                ck_assert(json_object_get_boolean_member(v2, "can-return-before"));
                ck_assert(!json_object_get_boolean_member(v2, "can-return-after"));
                ck_assert_str_eq(json_array_get_string_element(json_object_get_array_member(v2, "reasons"), 0),
                                 "no-way-back");
                ck_assert_int_eq(json_object_get_int_member(o, "vms"), 3);
                ck_assert_int_eq(json_object_get_int_member(o, "vm-files-unreadable"), 1);
                ck_assert_int_eq(json_object_get_int_member(o, "profiles-unreadable"), 1);
                ck_assert_str_eq(json_array_get_string_element(json_object_get_array_member(o, "replaced-hosts"), 0),
                                 "host-b");
        }
        CLEAR(out, err);

        /* An upgrade that keeps v1 strands nothing. */
        {
                static const char *const v3_v2_v1[] = { "v3", "v2", "v1", NULL };
                g_autofree char *keep = variant(profile, "host-b", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", v3_v2_v1, 1, NULL);
                g_autofree char *keepdir = mc_harness_mkdir(f->h, "keep");
                g_autofree char *p = write_file(keepdir, "host-b.json", keep);
                ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, "--replace", p, vms, NULL), 0);
                ck_assert_contains(out, "0 of 3 VMs stranded by the change of 1 host");
                CLEAR(out, err);
        }
        /* One VM's file, its host from its directory. */
        {
                g_autofree char *vm1 = g_build_filename(vms, "host-a", "vm1.json", NULL);
                ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, "--replace", newdir, vm1, NULL),
                                 1);
                ck_assert_contains(out, "1 of 1 VM stranded");
                CLEAR(out, err);
        }

        /* Bad input: 2. */
        {
                g_autofree char *unknown = variant(profile, "host-z", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", NULL, 1, NULL);
                g_autofree char *zdir = mc_harness_mkdir(f->h, "z");
                g_autofree char *z = write_file(zdir, "host-z.json", unknown);
                g_autofree char *badrep = write_file(zdir, "bad.json", "{");
                ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, "--replace", z, vms, NULL), 2);
                ck_assert_contains(err, "no host host-z among the fleet's profiles");
                CLEAR(out, err);
                ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, "--replace", badrep, vms, NULL), 2);
                ck_assert_contains(err, "bad.json");
                CLEAR(out, err);
                /* One good, one bad: still an error, the answer would be wrong. */
                ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, "--replace", badrep, "--replace",
                                         newdir, vms, NULL),
                                 2);
                ck_assert_contains(err, "every --replace profile must be read: 1 of 2 were");
                CLEAR(out, err);
        }
        ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--replace", newdir, vms, NULL), 2);
        CLEAR(out, err);
        {
                g_autofree char *none = mc_harness_mkdir(f->h, "novms");
                ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, none, NULL), 2);
                ck_assert_contains(err, "no VM description could be read");
                CLEAR(out, err);
        }
        ck_assert_int_eq(run_ctl(f, &out, &err, "what-if", "--profile", dir, NULL), 2);
        CLEAR(out, err);
}
END_TEST

/* migcompatctl(1), "Collecting host profiles": each host writes its
 * profile atomically into the shared directory; a stale one (by its
 * exported-at, or by its file's time when it has none) and a superseded
 * one are recognised. */
START_TEST(collect_profiles) {
        g_autoptr(McTestHost) f = mc_test_host_new(MC_BUS_PERMISSIVE);
        g_autofree char *dir = mc_harness_mkdir(f->h, "shared");
        g_autofree char *vm = mc_harness_write(f->h, "vm.json", vm_v1);
        g_autofree char *own = NULL, *text = NULL, *own_host = NULL;
        g_autofree char *out = NULL, *err = NULL;
        gint64 now = g_get_real_time() / G_USEC_PER_SEC;
        gint64 stamp;

        mc_harness_start_daemon(f->h, NULL);
        own = collect_own_profile(f, dir, "node1");
        ck_assert(g_file_get_contents(own, &text, NULL, NULL));
        {
                g_autoptr(JsonNode) root = parse_json(text);
                JsonObject *host = json_object_get_object_member(json_node_get_object(root), "host");
                const char *at = json_object_get_string_member(host, "exported-at");
                g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(at, NULL);

                ck_assert_msg(t && strlen(at) == 20 && at[19] == 'Z', "exported-at: %s", at);
                stamp = g_date_time_to_unix(t);
                ck_assert_msg(stamp >= now - 5 && stamp <= now + 60, "exported-at %s is not now", at);
                ck_assert_int_ge(json_object_get_int_member(host, "generation"), 1);
                own_host = g_strdup(json_object_get_string_member(host, "hostname"));
        }
        ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
        /* No writer's temporary file is left behind. */
        {
                g_autofree char *tmp = g_build_filename(dir, ".node1.json.tmp", NULL);
                ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS));
        }

        {
                g_autofree char *hour_ago = iso_time(now - 3600);
                g_autofree char *minute_ago = iso_time(now - 60);
                g_autofree char *old = variant(text, "node2", "22222222222222222222222222222222", NULL, -2, hour_ago);
                g_autofree char *no_stamp = variant(text, "node3", "33333333333333333333333333333333", NULL, -2, "");
                /* node4 twice: a newer profile and one left behind under another name. */
                g_autofree char *n4_old = variant(text, "node4", "44444444444444444444444444444444", NULL, 1, hour_ago);
                g_autofree char *n4_new = variant(text, "node4", "44444444444444444444444444444444", NULL, 2, minute_ago);
                g_autofree char *bad_stamp = variant(text, "node5", "55555555555555555555555555555555", NULL, -2,
                                                     "yesterday");
                g_autofree char *p3 = NULL;
                struct utimbuf two_hours_ago = { .actime = now - 7200, .modtime = now - 7200 };

                g_free(write_file(dir, "node2.json", old));
                p3 = write_file(dir, "node3.json", no_stamp);
                ck_assert_int_eq(utime(p3, &two_hours_ago), 0);
                g_free(write_file(dir, "node4-old.json", n4_old));
                g_free(write_file(dir, "node4.json", n4_new));
                g_free(write_file(dir, "node5.json", bad_stamp));
        }

        /* Without --max-age every readable profile counts; node4's older
         * profile is superseded, node5's exported-at is not a time. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--json", "--profile", dir, vm, NULL), 0);
        {
                g_autoptr(JsonNode) root = parse_json(out);
                JsonArray *a = json_node_get_array(root);
                guint n4 = 0;

                ck_assert_int_eq(json_array_get_length(a), 4);
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        JsonObject *h = json_array_get_object_element(a, i);
                        if (strcmp(json_object_get_string_member(h, "host"), "node4") != 0)
                                continue;
                        n4++;
                        ck_assert(g_str_has_suffix(json_object_get_string_member(h, "profile"), "/node4.json"));
                        ck_assert_int_eq(json_object_get_int_member(h, "spare-instances"), 1);
                }
                ck_assert_int_eq(n4, 1);
        }
        ck_assert_contains(err, "node4-old.json: an older profile of host node4 than");
        ck_assert_contains(err, "node5.json: $.host.exported-at: expected a UTC time");
        ck_assert_contains(err, "4 host profiles read from 6 files: 1 unreadable, 1 superseded, skipped");
        CLEAR(out, err);

        /* --max-age: node2 and node4's old profile (exported an hour ago)
         * and node3 (no exported-at, its file two hours old) are stale;
         * the daemon's own and node4's new one are fresh. */
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--max-age=30min", "--profile", dir, vm, NULL), 0);
        ck_assert_contains(out, "\nnode4 ");
        ck_assert_contains(out, own_host);
        ck_assert_not_contains(out, "node2");
        ck_assert_not_contains(out, "node3");
        ck_assert_contains(err, "skipping a stale host profile: ");
        ck_assert_contains(err, "node2.json (host node2) is ");
        ck_assert_contains(err, "node3.json (host node3) is ");
        ck_assert_contains(out, "2 host profiles read from 6 files: 1 unreadable, 3 stale, skipped.");
        CLEAR(out, err);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--max-age=90min", "--profile", dir, vm, NULL), 0);
        ck_assert_contains(out, "3 host profiles read from 6 files: 1 unreadable, 1 stale, 1 superseded, skipped.");
        CLEAR(out, err);
        ck_assert_int_eq(run_ctl(f, &out, &err, "check", "--max-age=soon", "--profile", dir, vm, NULL), 2);
        ck_assert_contains(err, "--max-age=soon");
        CLEAR(out, err);
        ck_assert_int_eq(run_ctl(f, &out, &err, "list", "--max-age=1h", NULL), 2);
        CLEAR(out, err);
}
END_TEST

/* A profile's equal facts are one McInfo, so a check judges them once:
 * what keeps a fleet's checks at the cost of its distinct facts. */
START_TEST(profile_interns_equal_facts) {
        static const char impl_fmt[] =
                "{\"id\": \"mdev:p%d:t\", \"kind\": \"mdev\", \"identity\": {\"parent\": \"p%d\", \"type-id\": \"t\"}, "
                "\"models\": {\"m.example/gpu\": {\"versions\": [%s]}}, \"available-instances\": 1, "
                "\"facts-from\": \"driver\"}";
        g_autofree char *i0 = g_strdup_printf(impl_fmt, 0, 0, "\"v2\", \"v1\"");
        g_autofree char *i1 = g_strdup_printf(impl_fmt, 1, 1, "\"v2\", \"v1\"");
        g_autofree char *i2 = g_strdup_printf(impl_fmt, 2, 2, "\"v1\"");
        g_autofree char *doc = g_strdup_printf(
                "{\"host\": {\"hostname\": \"h\", \"machine-id\": \"m\", \"generation\": 1, "
                "\"daemon-version\": \"0\", \"exported-at\": \"2026-12-03T07:32:38Z\"}, "
                "\"implementations\": [%s, %s, %s]}",
                i0, i1, i2);
        g_autoptr(GError) error = NULL;
        g_autoptr(McProfile) p = mc_profile_parse(doc, strlen(doc), "test", &error);
        g_autoptr(McCatalog) cat = NULL;
        const McImpl *a, *b, *c;

        ck_assert_msg(p, "%s", error ? error->message : "?");
        ck_assert_int_eq(p->exported_at, 1796283158);
        a = p->impls->pdata[0];
        b = p->impls->pdata[1];
        c = p->impls->pdata[2];
        ck_assert_ptr_eq(a->info, b->info);
        ck_assert_ptr_ne(a->info, c->info);
        cat = mc_profile_to_catalog(p);
        ck_assert_uint_eq(mc_catalog_groups(cat, "m.example/gpu")->len, 2);
}
END_TEST

static Suite *fleet_suite(void) {
        Suite *s = suite_create("fleet");
        TCase *tc = tcase_create("fleet");

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, fleet_check_directory);
        tcase_add_test(tc, fleet_check_domain);
        tcase_add_test(tc, what_if_strands);
        tcase_add_test(tc, collect_profiles);
        tcase_add_test(tc, profile_interns_equal_facts);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(fleet_suite)
