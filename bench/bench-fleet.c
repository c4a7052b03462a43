/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Fleet benchmarks (bench-fleet.h).
 *
 * The fleet: host fleet-NNNNN has 5 GPUs (parents) of 10 mdev types each,
 * 50 implementations; type k offers device model fleet.example/vgpu-<k>,
 * so each model has 5 candidates a host. Hosts run one of three driver
 * releases (the versions they load: v1; v2, v1; v3, v2, v1), free
 * instances vary (0 to 3). Profiles are written by the engine's own
 * writer (mc_profile_to_json_at(), indented as "export" prints them), one
 * file a host, as the collection procedure of migcompatctl(1) leaves them.
 *
 * The VMs: 10 a host, files VMS/HOST/VM.json as "describe" prints them,
 * drawn from 240 flavours (model, a version the host loads, framebuffer,
 * a second vGPU for one in five, pre-copy required for one in three); the
 * upgrade: every Nth host's driver moves to v4, v3, v2 (v1 dropped).
 *
 * The data is generated once per size into the build directory and kept
 * (it takes longer to write than to read). */

#include "bench-fleet.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mc-catalog.h"
#include "mc-parse.h"
#include "mc-serialize.h"

#define FLEET_PARENTS 5
#define FLEET_MODELS 10
#define FLEET_FLAVOURS 240

static const char *const releases[] = {
        "[\"v1\"]",
        "[\"v2\", \"v1\"]",
        "[\"v3\", \"v2\", \"v1\"]",
        "[\"v4\", \"v3\", \"v2\"]", /* the upgrade */
};

static McInfo *model_info(guint k, guint release) {
        g_autoptr(GError) error = NULL;
        g_autofree char *json = g_strdup_printf(
                "{\"models\": {\"fleet.example/vgpu-%u\": {\"versions\": %s, \"params\": {"
                "\"framebuffer\": {\"type\": \"int\", \"init_value\": 1024, \"allowed_values\": [\"512-4096\"], "
                "\"description\": \"Frame buffer size in MiB\"}, "
                "\"display\": {\"type\": \"bool\", \"init_value\": false, \"off_value\": false}}, "
                "\"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"dirty-tracking\"]}}}",
                k, releases[release]);
        McInfo *info = mc_info_parse(json, strlen(json), "bench", &error);
        ck_assert_msg(info, "%s", error ? error->message : "?");
        return info;
}

static char *host_name(guint h) {
        return g_strdup_printf("fleet-%05u", h);
}

static guint host_release(guint h) {
        return h % 3;
}

static char *profile_text(guint h, guint n_impls, guint release, McInfo *const *infos, gint64 now) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        g_autofree char *name = host_name(h);
        g_autofree char *machine_id = g_strdup_printf("%08x%024x", 0xf1ee7u, h);

        for (guint i = 0; i < n_impls; i++) {
                guint parent = i / FLEET_MODELS, k = i % FLEET_MODELS;
                g_autofree char *pname = g_strdup_printf("0000:%02x:00.0", 0x3b + parent);
                g_autofree char *type = g_strdup_printf("fleet_vgpu-%u", k);
                g_autofree char *id = mc_mdev_impl_id(pname, type);
                McImpl *impl = mc_impl_new(MC_KIND_MDEV, id), *old;

                impl->parent = g_strdup(pname);
                impl->type_id = g_strdup(type);
                impl->driver = g_strdup("fleetgpu");
                impl->name = g_strdup_printf("FLEET-%uQ", k);
                impl->description = g_strdup_printf("framebuffer: %u MiB\nmax_instances: 4", 512u << (k % 4));
                impl->device_api = g_strdup("vfio-pci");
                impl->available = (h + i) % 4;
                impl->info = mc_info_ref(infos[release * FLEET_MODELS + k]);
                impl->facts_from = MC_FACTS_DRIVER;
                old = mc_catalog_put(cat, impl);
                g_assert(!old);
        }
        mc_catalog_set_generation(cat, 2 + h % 7);
        return mc_profile_to_json_at(cat, name, machine_id, "0.1.0", now, true);
}

/* A flavour's description, for a host of this release. */
static char *vm_text(guint flavour, guint release) {
        guint k = flavour % FLEET_MODELS;
        guint version = 1 + (flavour / FLEET_MODELS) % (release + 1);
        guint fb = 512u << ((flavour / 30) % 4);
        bool two = flavour % 5 == 0, precopy = flavour % 3 == 0;
        GString *s = g_string_new("{\n  \"devices\": [\n");

        g_string_append_printf(s,
                               "    {\n      \"id\": \"hostdev0\",\n      \"model\": \"fleet.example/vgpu-%u\",\n"
                               "      \"version\": \"v%u\",\n      \"params\": {\n        \"framebuffer\": %u\n      }%s\n"
                               "    }",
                               k, version, fb, precopy ? ",\n      \"requires\": [\n        \"pre-copy\"\n      ]" : "");
        if (two)
                g_string_append_printf(s,
                                       ",\n    {\n      \"id\": \"hostdev1\",\n      \"model\": \"fleet.example/vgpu-%u\",\n"
                                       "      \"version\": \"v%u\",\n      \"params\": {\n        \"framebuffer\": 1024\n"
                                       "      }\n    }",
                                       (k + 1) % FLEET_MODELS, version);
        g_string_append(s, "\n  ]\n}\n");
        return g_string_free(s, false);
}

static void write_file(const char *path, const char *text) {
        g_autoptr(GError) error = NULL;
        ck_assert_msg(g_file_set_contents(path, text, -1, &error), "%s", error ? error->message : path);
}

/* The data set for these sizes, generated once. */
static char *fleet_data(const BenchFleetSizes *sz) {
        /* The name says what it holds: data of another generator is not reused. */
        g_autofree char *dir = g_strdup_printf("%s/bench-fleet-2-%u-%u-%u-%u", MC_BENCH_BUILD_DIR, sz->hosts, sz->impls,
                                               sz->vms, sz->replaced_every);
        g_autofree char *done = g_build_filename(dir, "complete", NULL);
        g_autofree char *profiles = g_build_filename(dir, "profiles", NULL);
        g_autofree char *upgraded = g_build_filename(dir, "upgraded", NULL);
        g_autofree char *vms = g_build_filename(dir, "vms", NULL);
        McInfo *infos[G_N_ELEMENTS(releases) * FLEET_MODELS];
        gint64 now = g_get_real_time() / G_USEC_PER_SEC;
        uint64_t t0 = bench_now_ns();

        if (g_file_test(done, G_FILE_TEST_EXISTS))
                return g_steal_pointer(&dir);
        fprintf(stderr, "fleet: writing %u host profiles and %u VM descriptions to %s\n", sz->hosts, sz->vms, dir);
        ck_assert_int_eq(g_mkdir_with_parents(profiles, 0755), 0);
        ck_assert_int_eq(g_mkdir_with_parents(upgraded, 0755), 0);
        ck_assert_int_eq(g_mkdir_with_parents(vms, 0755), 0);
        for (guint r = 0; r < G_N_ELEMENTS(releases); r++)
                for (guint k = 0; k < FLEET_MODELS; k++)
                        infos[r * FLEET_MODELS + k] = model_info(k, r);

        for (guint h = 0; h < sz->hosts; h++) {
                g_autofree char *name = host_name(h);
                g_autofree char *file = g_strdup_printf("%s/%s.json", profiles, name);
                g_autofree char *text = profile_text(h, sz->impls, host_release(h), infos, now);
                g_autofree char *vmdir = g_build_filename(vms, name, NULL);

                write_file(file, text);
                ck_assert_int_eq(g_mkdir_with_parents(vmdir, 0755), 0);
                if (h % sz->replaced_every == 0) {
                        g_autofree char *up = g_strdup_printf("%s/%s.json", upgraded, name);
                        g_autofree char *uptext = profile_text(h, sz->impls, G_N_ELEMENTS(releases) - 1, infos, now);
                        write_file(up, uptext);
                }
        }
        for (guint v = 0; v < sz->vms; v++) {
                guint h = v % sz->hosts;
                /* A fixed scramble of v: flavours spread over the hosts. */
                guint flavour = (guint) ((v * 2654435761u) >> 8) % FLEET_FLAVOURS;
                g_autofree char *name = host_name(h);
                g_autofree char *file = g_strdup_printf("%s/%s/vm-%06u.json", vms, name, v);
                g_autofree char *text = vm_text(flavour, host_release(h));
                write_file(file, text);
        }
        for (guint i = 0; i < G_N_ELEMENTS(infos); i++)
                mc_info_unref(infos[i]);
        write_file(done, "");
        fprintf(stderr, "  written in %.1f s\n", (bench_now_ns() - t0) / 1e9);
        return g_steal_pointer(&dir);
}

/* ---- running ------------------------------------------------------------------- */

typedef struct {
        double seconds;
        double cpu_seconds; /* the child's user + system time: less sensitive to a loaded machine */
        double peak_mib;    /* the child's peak RSS (ru_maxrss) */
        int status;
} Timed;

/* Run argv with stdout and stderr to /dev/null, without the benchmark's
 * umockdev preload (these programs read plain files: the preload would
 * charge both sides for every open, and not equally). */
static Timed run_timed(char **argv) {
        g_auto(GStrv) env = g_get_environ();
        struct rusage ru;
        Timed t = { 0 };
        uint64_t t0;
        pid_t pid;
        int status = 0;

        env = g_environ_unsetenv(env, "LD_PRELOAD");
        env = g_environ_unsetenv(env, "UMOCKDEV_DIR");
        fflush(NULL);
        t0 = bench_now_ns();
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
                execve(argv[0], argv, env);
                _exit(127);
        }
        ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
        t.seconds = (bench_now_ns() - t0) / 1e9;
        t.cpu_seconds = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        t.peak_mib = ru.ru_maxrss / 1024.0;
        t.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return t;
}

/* Its standard output, for checking what it answers (not timed). */
static char *run_output(char **argv, int *status) {
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GError) error = NULL;
        char *out = NULL;
        int wait_status = 0;

        env = g_environ_unsetenv(env, "LD_PRELOAD");
        env = g_environ_unsetenv(env, "UMOCKDEV_DIR");
        ck_assert_msg(g_spawn_sync(NULL, argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &wait_status,
                                   &error),
                      "%s: %s", argv[0], error ? error->message : "?");
        *status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
        return out;
}

/* Pairs of (reference, ours), the order alternating, after one unmeasured
 * run of each (the page cache). */
typedef struct {
        BenchSamples wall, cpu, mib;
} Measured;

static void measured_init(Measured *m) {
        bench_samples_init(&m->wall);
        bench_samples_init(&m->cpu);
        bench_samples_init(&m->mib);
}

static void measured_clear(Measured *m) {
        bench_samples_clear(&m->wall);
        bench_samples_clear(&m->cpu);
        bench_samples_clear(&m->mib);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Measured, measured_clear)

static void measure(char **ref, char **ours, int ours_status, guint pairs, Measured *r, Measured *o) {
        Timed t;

        ck_assert_int_eq(run_timed(ref).status, 0);
        ck_assert_int_eq(run_timed(ours).status, ours_status);
        for (guint i = 0; i < pairs; i++) {
                for (int k = 0; k < 2; k++) {
                        bool ref_turn = (k == 0) == (i % 2 == 0);
                        Measured *m = ref_turn ? r : o;
                        t = run_timed(ref_turn ? ref : ours);
                        ck_assert_int_eq(t.status, ref_turn ? 0 : ours_status);
                        bench_samples_add(&m->wall, t.seconds);
                        bench_samples_add(&m->cpu, t.cpu_seconds);
                        bench_samples_add(&m->mib, t.peak_mib);
                        fprintf(stderr, "  %s %.2f s (CPU %.2f s), peak RSS %.1f MiB\n",
                                ref_turn ? "parse-only" : "ours      ", t.seconds, t.cpu_seconds, t.peak_mib);
                }
        }
}

static void bench_fleet_check(BenchReport *report, const BenchFleetSizes *sz, const char *dir) {
        g_autofree char *ctl = g_build_filename(MC_BENCH_BUILD_DIR, "src", "migcompatctl", NULL);
        g_autofree char *parse = g_build_filename(MC_BENCH_BUILD_DIR, "bench", "mc-fleet-parse", NULL);
        g_autofree char *profiles = g_build_filename(dir, "profiles", NULL);
        g_autofree char *vm = g_build_filename(dir, "vm.json", NULL);
        g_autofree char *prof_arg = g_strconcat("--profile=", profiles, NULL);
        char *ours[] = { ctl, "check", "--json", prof_arg, vm, NULL };
        char *ref[] = { parse, profiles, NULL };
        g_auto(Measured) r = { 0 }, o = { 0 };
        g_autofree char *out = NULL;
        g_autofree char *label = NULL;
        guint n_ok = 0, n_hosts;
        int status;

        measured_init(&r);
        measured_init(&o);
        /* The VM: version v2, which a third of the hosts (driver release
         * v1 only) cannot load. */
        write_file(vm, "{\"devices\": [{\"id\": \"gpu0\", \"model\": \"fleet.example/vgpu-3\", "
                       "\"version\": \"v2\", \"params\": {\"framebuffer\": 1024}}]}\n");
        /* What it answers: every host, the compatible ones first. */
        out = run_output(ours, &status);
        ck_assert_int_eq(status, 0);
        {
                g_autoptr(JsonNode) root = json_from_string(out, NULL);
                JsonArray *a;
                ck_assert(root && JSON_NODE_HOLDS_ARRAY(root));
                a = json_node_get_array(root);
                n_hosts = json_array_get_length(a);
                for (guint i = 0; i < n_hosts; i++)
                        n_ok += strcmp(json_object_get_string_member(json_array_get_object_element(a, i), "verdict"),
                                       "compatible") == 0;
        }
        ck_assert_uint_eq(n_hosts, sz->hosts);
        fprintf(stderr, "fleet check: one VM against %u host profiles of %u implementations: %u hosts can take it\n",
                sz->hosts, sz->impls, n_ok);
        bench_report_set_config(report, "fleet_check", "%u host profiles x %u implementations; %u hosts compatible",
                                sz->hosts, sz->impls, n_ok);

        measure(ref, ours, 0, sz->pairs, &r, &o);
        label = g_strdup_printf("Fleet check, 1 VM x %u hosts x %u impls", sz->hosts, sz->impls);
        bench_report_add(report, "fleet.check", label, "s", &o.wall, "json-glib parse only", &r.wall,
                         bench_samples_median(&o.wall) / bench_samples_median(&r.wall), BENCH_AT_MOST, 2.0, "<= 2x");
        bench_report_add_ref(report, "fleet.check.cpu", "  CPU time (user + system)", "s", &o.cpu,
                             "json-glib parse only", &r.cpu);
        bench_report_add_ref(report, "fleet.check.rss", "  peak RSS", "MiB", &o.mib, "json-glib parse only", &r.mib);
}

static void bench_what_if(BenchReport *report, const BenchFleetSizes *sz, const char *dir) {
        g_autofree char *ctl = g_build_filename(MC_BENCH_BUILD_DIR, "src", "migcompatctl", NULL);
        g_autofree char *parse = g_build_filename(MC_BENCH_BUILD_DIR, "bench", "mc-fleet-parse", NULL);
        g_autofree char *profiles = g_build_filename(dir, "profiles", NULL);
        g_autofree char *upgraded = g_build_filename(dir, "upgraded", NULL);
        g_autofree char *vms = g_build_filename(dir, "vms", NULL);
        g_autofree char *prof_arg = g_strconcat("--profile=", profiles, NULL);
        g_autofree char *rep_arg = g_strconcat("--replace=", upgraded, NULL);
        char *ours[] = { ctl, "what-if", "--json", prof_arg, rep_arg, vms, NULL };
        char *ref[] = { parse, profiles, upgraded, vms, NULL };
        g_auto(Measured) r = { 0 }, o = { 0 };
        g_autofree char *out = NULL, *label = NULL;
        gint64 stranded, checks, descs, vms_read;
        int status;

        measured_init(&r);
        measured_init(&o);
        out = run_output(ours, &status);
        ck_assert_int_eq(status, 1);
        {
                g_autoptr(JsonNode) root = json_from_string(out, NULL);
                JsonObject *obj;
                ck_assert(root && JSON_NODE_HOLDS_OBJECT(root));
                obj = json_node_get_object(root);
                stranded = json_array_get_length(json_object_get_array_member(obj, "stranded"));
                checks = json_object_get_int_member(obj, "checks");
                descs = json_object_get_int_member(obj, "distinct-descriptions");
                vms_read = json_object_get_int_member(obj, "vms");
        }
        ck_assert_int_eq(vms_read, sz->vms);
        fprintf(stderr,
                "what-if: %u hosts, %u upgraded, %u VMs (%" G_GINT64_FORMAT " distinct descriptions): %" G_GINT64_FORMAT
                " stranded; %" G_GINT64_FORMAT " checks\n",
                sz->hosts, (sz->hosts + sz->replaced_every - 1) / sz->replaced_every, sz->vms, descs, stranded, checks);
        bench_report_set_config(report, "fleet_what_if",
                                "%u hosts, every %uth upgraded, %u VMs, %" G_GINT64_FORMAT
                                " distinct descriptions, %" G_GINT64_FORMAT " checks, %" G_GINT64_FORMAT " stranded",
                                sz->hosts, sz->replaced_every, sz->vms, descs, checks, stranded);

        measure(ref, ours, 1, sz->pairs, &r, &o);
        label = g_strdup_printf("What-if, %u hosts x %u VMs", sz->hosts, sz->vms);
        bench_report_add(report, "fleet.what_if", label, "s", &o.wall, "json-glib parse only", &r.wall,
                         bench_samples_median(&o.wall) / bench_samples_median(&r.wall), BENCH_AT_MOST, 2.0, "<= 2x");
        bench_report_add_ref(report, "fleet.what_if.cpu", "  CPU time (user + system)", "s", &o.cpu,
                             "json-glib parse only", &r.cpu);
        bench_report_add_ref(report, "fleet.what_if.rss", "  peak RSS", "MiB", &o.mib, "json-glib parse only", &r.mib);
}

void bench_fleet(BenchReport *report, const BenchFleetSizes *sz) {
        g_autofree char *dir = fleet_data(sz);

        bench_fleet_check(report, sz, dir);
        bench_what_if(report, sz, dir);
}
