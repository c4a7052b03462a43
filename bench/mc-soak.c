/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The soak (README.md, "Reliability"): many checks from concurrent clients
 * while the simulated host keeps changing under the daemon, then whether
 * every answer was the one its question expects and whether the daemon's
 * memory and open files stayed flat. Run under umockdev-wrapper
 * (tools/soak.sh does).
 *
 *   mc-soak [--checks N] [--clients N] [--interval-ms MS]
 *
 * The host: 100 PCI parents x 8 vGPU types (half with the driver's
 * migration attributes, half through model data files) and 4 vfio-user
 * programs, as in the benchmark (bench-host.c). While the clients ask, one
 * change every MS milliseconds, in turn:
 *   - an attribute: a type's migration_device_models rewritten, and a
 *     "change" uevent on its parent;
 *   - an mdev instance created or removed, with its uevent;
 *   - a model data file rewritten, alternately replaced (rename) and
 *     rewritten in place (so the daemon may read it half written);
 *   - a parent with 4 types hotplugged ("add") or unplugged ("remove");
 *   - a vfio-user descriptor rewritten (the program is probed again).
 * The questions (1,024 different ones, more than the answer cache holds):
 * a device that stays compatible throughout (its model is on parents that
 * never change), a program's device with parameters, one asking a version
 * nobody has, a model nobody offers, malformed JSON and an empty device
 * list. Each has its expected answer: "compatible"; any verdict; any
 * verdict; "incompatible"; InvalidArgs; InvalidSource. Anything else (a
 * bus error, a timeout, another verdict or error) is unexpected.
 *
 * Exit status 0 when every check was answered as expected, and the daemon's
 * VmRSS at the end is within 1 MiB of the start and its open file
 * descriptors are as many as at the start; 1 otherwise. */

#include <check.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-client.h"
#include "bench-host.h"
#include "bench-util.h"
#include "harness.h"
#include "mc-bus-errors.h"
#include "mc-config.h"
#include "testbed.h"

#define N_PARENTS 100
#define N_TYPES 8
#define N_DESCRIPTORS 4
#define N_QUESTIONS 1024
/* Flat: VmRSS at the end within this much of the start. */
#define RSS_SLACK_KIB 1024

typedef struct {
        uint64_t checks;
        unsigned clients;
        unsigned interval_ms;
} Options;

static Options opts = { .checks = 1000000, .clients = 4, .interval_ms = 2 };

typedef enum {
        EXPECT_COMPATIBLE,
        EXPECT_ANY_VERDICT,
        EXPECT_INCOMPATIBLE,
        EXPECT_INVALID_ARGS,
        EXPECT_INVALID_SOURCE,
} Expect;

/* ---- the questions -------------------------------------------------------------- */

typedef struct {
        char **sources; /* N_QUESTIONS, NULL-terminated */
        Expect *expect;
} Questions;

static void questions_build(Questions *q) {
        q->sources = g_new0(char *, N_QUESTIONS + 1);
        q->expect = g_new0(Expect, N_QUESTIONS);
        for (guint i = 0; i < N_QUESTIONS; i++) {
                char *s;
                Expect e;
                switch (i % 8) {
                case 0:
                case 1:
                case 2:
                case 3: {
                        g_autofree char *id = g_strdup_printf("gpu%u", i);
                        /* Model 3 is on parents the soak never touches. */
                        s = bench_source_json(id, 3, "v1");
                        e = EXPECT_COMPATIBLE;
                        break;
                }
                case 4:
                        s = g_strdup_printf("{\"devices\": [{\"id\": \"nic%u\", \"model\": \"vendor-a.com/nic-0\", "
                                            "\"version\": \"v1\", \"params\": {\"queues\": 4, \"new-feature\": true}, "
                                            "\"requires\": [\"pre-copy\"]}]}",
                                            i);
                        e = EXPECT_ANY_VERDICT;
                        break;
                case 5:
                        s = g_strdup_printf("{\"devices\": [{\"id\": \"nic%u\", \"model\": \"vendor-a.com/nic-1\", "
                                            "\"version\": \"v9\"}]}",
                                            i);
                        e = EXPECT_ANY_VERDICT;
                        break;
                case 6:
                        s = g_strdup_printf("{\"devices\": [{\"id\": \"x%u\", \"model\": \"nowhere.example/none\"}]}",
                                            i);
                        e = EXPECT_INCOMPATIBLE;
                        break;
                default:
                        if (i % 16 == 7) {
                                s = g_strdup_printf("{\"devices\": [%u", i);
                                e = EXPECT_INVALID_ARGS;
                        } else {
                                s = g_strdup_printf("{\"devices\": [], \"n\": %u}", i);
                                e = EXPECT_INVALID_SOURCE;
                        }
                        break;
                }
                q->sources[i] = s;
                q->expect[i] = e;
        }
}

static void questions_clear(Questions *q) {
        g_strfreev(q->sources);
        g_free(q->expect);
}

/* The top-level verdict of a check result: the first "verdict" member of
 * the answer (the result's own comes before its devices'). */
static bool verdict_is(const char *json, const char *want) {
        const char *v = strstr(json, "\"verdict\":\"");
        size_t n = strlen(want);
        if (!v)
                return false;
        v += strlen("\"verdict\":\"");
        return strncmp(v, want, n) == 0 && v[n] == '"';
}

static bool judge(sd_bus_message *reply, unsigned source, void *userdata) {
        const Questions *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *json = NULL;

        switch (q->expect[source]) {
        case EXPECT_INVALID_ARGS:
                return e && strcmp(e->name, SD_BUS_ERROR_INVALID_ARGS) == 0;
        case EXPECT_INVALID_SOURCE:
                return e && strcmp(e->name, MC_BUS_ERROR_INVALID_SOURCE) == 0;
        default:
                break;
        }
        if (e || sd_bus_message_read(reply, "s", &json) < 0 || json[0] != '{')
                return false;
        switch (q->expect[source]) {
        case EXPECT_COMPATIBLE:
                return verdict_is(json, "compatible");
        case EXPECT_INCOMPATIBLE:
                return verdict_is(json, "incompatible");
        default:
                return verdict_is(json, "compatible") || verdict_is(json, "incompatible") ||
                       verdict_is(json, "unknown");
        }
}

/* ---- the changing host ---------------------------------------------------------- */

typedef struct {
        McTestbed *tb;
        McHarness *h;
        char *parent0, *parent1; /* base parents the changes touch (models 1 and 0 only) */
        char *instance;          /* the soak's mdev instance, when it exists */
        char *extra;             /* the hotplugged parent, when it is there */
        guint round;
        /* what was done */
        uint64_t attr_changes, instances_added, instances_removed, data_rewrites, parents_added,
                parents_removed, descriptor_rewrites, uevents;
} Churn;

static void churn_attribute(Churn *c) {
        g_autofree char *path = g_strconcat(c->parent0, "/mdev_supported_types/bigvgpu-1/migration_device_models",
                                            NULL);
        /* Type 1 of parent 0 offers model 1 in v1, or in v1 and v2. */
        mc_testbed_write(c->tb, path, c->attr_changes % 2 ? "big.example/vgpu-1:\nv1\n" : "big.example/vgpu-1:\nv1\nv2\n",
                         -1);
        mc_testbed_uevent(c->tb, c->parent0, "change");
        c->attr_changes++;
        c->uevents++;
}

static void churn_instance(Churn *c) {
        if (c->instance) {
                mc_testbed_remove_instance(c->tb, c->instance, true);
                g_clear_pointer(&c->instance, g_free);
                c->instances_removed++;
        } else {
                g_autofree char *uuid = g_uuid_string_random();
                c->instance = mc_testbed_add_instance(c->tb, c->parent1, "bigvgpu-0", uuid, NULL, true);
                c->instances_added++;
        }
        c->uevents++;
}

static void churn_data_file(Churn *c) {
        guint k = c->data_rewrites % N_TYPES;
        g_autofree char *rel = g_strdup_printf("data/bigvgpu-%u.json", k);
        g_autofree char *path = g_build_filename(mc_harness_dir(c->h), rel, NULL);
        g_autofree char *body = g_strdup_printf(
                "{\"description\": \"benchmark vGPU type %u, rewritten %" G_GUINT64_FORMAT " times\",\n"
                " \"match\": {\"driver\": \"bigvgpu\", \"type\": \"bigvgpu-%u\"},\n"
                " \"models\": {\"" BENCH_MODEL_FMT "\": {\"versions\": [\"v1\"%s]}}}\n",
                k, c->data_rewrites, k, k, c->data_rewrites % 2 ? ", \"v0\"" : "");

        if (c->data_rewrites % 2) {
                /* In place: the daemon may see it empty or half written. */
                FILE *f = fopen(path, "w");
                if (!f || fputs(body, f) < 0 || fclose(f) != 0)
                        g_error("cannot rewrite %s", path);
        } else {
                g_autoptr(GError) error = NULL;
                if (!g_file_set_contents(path, body, -1, &error))
                        g_error("%s", error->message);
        }
        c->data_rewrites++;
}

static void churn_parent(Churn *c) {
        if (c->extra) {
                g_autofree char *name = g_path_get_basename(c->extra);
                g_autofree char *link = g_strconcat("/sys/class/mdev_bus/", name, NULL);
                g_autofree char *view = g_strconcat("/sys/bus/pci/devices/", name, NULL);
                g_autofree char *drv = g_strconcat("/sys/bus/pci/drivers/bigvgpu/", name, NULL);

                mc_testbed_uevent(c->tb, c->extra, "remove");
                mc_testbed_remove(c->tb, link);
                mc_testbed_remove(c->tb, view);
                mc_testbed_remove(c->tb, drv);
                mc_testbed_remove(c->tb, c->extra);
                g_clear_pointer(&c->extra, g_free);
                c->parents_removed++;
        } else {
                c->extra = bench_host_add_parent(c->tb, N_PARENTS, 4);
                mc_testbed_uevent(c->tb, c->extra, "add");
                c->parents_added++;
        }
        c->uevents++;
}

static void churn_descriptor(Churn *c) {
        /* The same program and arguments; a new description, so a new
         * file: the daemon probes it again. */
        g_autofree char *prog = mc_harness_build_path("tests/mc-probe-prog");
        g_autofree char *desc = g_strdup_printf(
                "{\"description\": \"benchmark program 1, rewritten %" G_GUINT64_FORMAT " times\", "
                "\"binary\": \"%s\", \"args\": [\"json\", \"vendor-a.com/nic-1\"]}\n",
                c->descriptor_rewrites, prog);
        g_free(mc_harness_write(c->h, "descriptors/prog-0001.json", desc));
        c->descriptor_rewrites++;
}

static void churn_step(Churn *c) {
        static void (*const steps[])(Churn *) = {
                churn_attribute, churn_instance, churn_data_file, churn_parent, churn_descriptor,
        };
        steps[c->round++ % G_N_ELEMENTS(steps)](c);
}

/* Put the host back as it was built (but for rewritten contents). */
static void churn_restore(Churn *c) {
        if (c->instance)
                churn_instance(c);
        if (c->extra)
                churn_parent(c);
}

/* ---- the daemon ------------------------------------------------------------------- */

static uint64_t generation(sd_bus *bus) {
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        uint64_t g = 0;
        int r = sd_bus_get_property_trivial(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Generation",
                                            &error, 't', &g);
        ck_assert_msg(r >= 0, "Generation: %s", error.message ? error.message : g_strerror(-r));
        return g;
}

/* Wait until the daemon has published no change for a second (probes
 * done, files read): then its memory and files are what it keeps. */
static void settle(sd_bus *bus) {
        uint64_t last = generation(bus), since = bench_now_ns(), deadline = since + 60 * 1000000000ull;

        while (bench_now_ns() - since < 1000000000ull) {
                uint64_t g;
                ck_assert_msg(bench_now_ns() < deadline, "the daemon keeps changing after the soak");
                g_usleep(100 * 1000);
                g = generation(bus);
                if (g != last) {
                        last = g;
                        since = bench_now_ns();
                }
        }
}

typedef struct {
        uint64_t rss_kib, hwm_kib;
        int fds;
} Footprint;

static Footprint footprint(BenchDaemon *d) {
        Footprint f = { 0 };
        ck_assert(bench_proc_rss(bench_daemon_pid(d), &f.hwm_kib, &f.rss_kib));
        f.fds = bench_proc_fds(bench_daemon_pid(d));
        ck_assert_int_gt(f.fds, 0);
        return f;
}

/* ---- the load, on a thread of its own --------------------------------------------- */

typedef struct {
        const char *address;
        BenchRequest req;
        Questions *q;
        uint64_t total;
        uint64_t progress; /* atomic */
        BenchTally tally;
} Load;

static gpointer load_thread(gpointer userdata) {
        Load *l = userdata;
        bench_load_judged(l->address, opts.clients, 8, &l->req, l->total, judge, l->q, &l->progress, &l->tally);
        return NULL;
}

static bool soak_ok;

START_TEST(soak) {
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(McHarness) h = mc_harness_new();
        g_autoptr(BenchDaemon) d = NULL;
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *root = umockdev_testbed_get_root_dir(mc_testbed_umockdev(tb));
        BenchHostSpec spec = {
                .n_parents = N_PARENTS,
                .n_types = N_TYPES,
                .migratable_percent = 50,
                .n_descriptors = N_DESCRIPTORS,
        };
        Questions q;
        Churn c = { .tb = tb, .h = h }, before, after;
        Load warm, load;
        Footprint start, middle = { 0 }, end;
        uint64_t gen_start, gen_end, t0, t1, last_step;
        bool have_middle = false;
        GThread *t;
        char *log;
        guint warnings = 0;

        questions_build(&q);
        g_setenv("UMOCKDEV_DIR", root, true);
        bench_host_build(tb, h, &spec);
        c.parent0 = mc_testbed_big_parent(0);
        c.parent1 = mc_testbed_big_parent(1);
        mc_harness_start_bus(h, MC_BUS_SYSTEM);
        d = bench_daemon_start(h, NULL);
        bus = mc_harness_connect(h);

        /* Warm-up: every question and every kind of change once, so that
         * caches are as full as they get before "start" is measured. */
        for (guint i = 0; i < 5; i++)
                churn_step(&c);
        warm = (Load) { .address = mc_harness_bus_address(h), .q = &q, .total = 2 * N_QUESTIONS };
        warm.req = (BenchRequest) { .call = BENCH_CALL_CHECK, .sources = (const char *const *) q.sources };
        load_thread(&warm);
        churn_restore(&c);
        for (guint i = 0; i < 5; i++)
                churn_step(&c);
        churn_restore(&c);
        settle(bus);
        start = footprint(d);
        gen_start = generation(bus);
        fprintf(stderr, "soak: %u parents x %u types + %u programs; %" G_GUINT64_FORMAT
                        " checks from %u clients, a change every %u ms at most\n",
                N_PARENTS, N_TYPES, N_DESCRIPTORS, opts.checks, opts.clients, opts.interval_ms);
        ck_assert_msg(warm.tally.unexpected == 0, "%" G_GUINT64_FORMAT " unexpected answers in the warm-up",
                      warm.tally.unexpected);

        load = (Load) { .address = mc_harness_bus_address(h), .q = &q, .total = opts.checks };
        load.req = warm.req;
        before = c;
        t0 = bench_now_ns();
        last_step = t0;
        t = g_thread_new("soak-load", load_thread, &load);
        for (;;) {
                uint64_t done = __atomic_load_n(&load.progress, __ATOMIC_RELAXED);
                uint64_t now = bench_now_ns();

                if (done >= opts.checks)
                        break;
                if (!have_middle && done >= opts.checks / 2) {
                        middle = footprint(d);
                        have_middle = true;
                        fprintf(stderr, "  half way (%.1f s): VmRSS %.2f MiB, %d open files\n", (now - t0) / 1e9,
                                middle.rss_kib / 1024.0, middle.fds);
                }
                if (now - last_step >= opts.interval_ms * 1000000ull) {
                        churn_step(&c);
                        last_step = now;
                } else {
                        g_usleep(200);
                }
        }
        g_thread_join(t);
        t1 = bench_now_ns();
        after = c;
        churn_restore(&c);
        settle(bus);
        end = footprint(d);
        gen_end = generation(bus);
        if (!have_middle)
                middle = end;

        /* Warnings are what the daemon says of what it read half written
         * (a data file rewritten in place): show the first few. */
        log = bench_daemon_log(d);
        {
                g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
                for (char **l = lines; *l; l++)
                        if (g_str_has_prefix(*l, "<4>") || g_str_has_prefix(*l, "<3>")) {
                                if (warnings++ < 5)
                                        printf("  daemon: %s\n", *l);
                        }
        }
        g_free(log);

        printf("Soak: %" G_GUINT64_FORMAT " checks from %u clients in %.1f s (%.0f checks/s)\n", opts.checks,
               opts.clients, (t1 - t0) / 1e9, load.tally.answered / ((t1 - t0) / 1e9));
        printf("  host: %u parents x %u types (half through model data files) + %u programs\n", N_PARENTS,
               N_TYPES, N_DESCRIPTORS);
        {
                guint steps = after.round - before.round;
                printf("  changes meanwhile: %u, one every %.1f ms: %" G_GUINT64_FORMAT " attribute changes, %"
                       G_GUINT64_FORMAT " instances created and %" G_GUINT64_FORMAT " removed, %" G_GUINT64_FORMAT
                       " parents hotplugged and %" G_GUINT64_FORMAT " unplugged (%" G_GUINT64_FORMAT
                       " uevents), %" G_GUINT64_FORMAT " data files and %" G_GUINT64_FORMAT
                       " descriptors rewritten\n",
                       steps, (t1 - t0) / 1e6 / MAX(steps, 1), after.attr_changes - before.attr_changes,
                       after.instances_added - before.instances_added,
                       after.instances_removed - before.instances_removed,
                       after.parents_added - before.parents_added, after.parents_removed - before.parents_removed,
                       after.uevents - before.uevents, after.data_rewrites - before.data_rewrites,
                       after.descriptor_rewrites - before.descriptor_rewrites);
        }
        printf("  the daemon published %" G_GUINT64_FORMAT " generations; %u warnings and errors in its log\n",
               gen_end - gen_start, warnings);
        printf("  checks answered:     %" G_GUINT64_FORMAT "\n", load.tally.answered);
        printf("  unexpected answers:  %" G_GUINT64_FORMAT "\n", load.tally.unexpected);
        printf("  daemon VmRSS:        start %.2f MiB, middle %.2f MiB, end %.2f MiB (%+.2f MiB); VmHWM %.2f MiB\n",
               start.rss_kib / 1024.0, middle.rss_kib / 1024.0, end.rss_kib / 1024.0,
               ((double) end.rss_kib - (double) start.rss_kib) / 1024.0, end.hwm_kib / 1024.0);
        printf("  daemon open files:   start %d, end %d\n", start.fds, end.fds);

        soak_ok = load.tally.answered == opts.checks && load.tally.unexpected == 0 && end.fds == start.fds &&
                  end.rss_kib <= start.rss_kib + RSS_SLACK_KIB;
        printf("Result: %s (every check answered as expected, VmRSS within 1 MiB of the start, "
               "as many open files)\n",
               soak_ok ? "PASS" : "FAIL");

        g_free(c.parent0);
        g_free(c.parent1);
        questions_clear(&q);
}
END_TEST

static int soak_child(void *userdata) {
        int r = bench_run_test(soak);
        return r == EXIT_SUCCESS && soak_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

static void usage(void) {
        printf("Usage: mc-soak [--checks N] [--clients N] [--interval-ms MS]\n"
               "Run under umockdev-wrapper (tools/soak.sh does). N checks (default 1000000)\n"
               "from N clients (default 4) while the simulated host changes every MS\n"
               "milliseconds (default 2); exit 0 when every answer was the expected one\n"
               "and the daemon's memory and open files stayed flat.\n");
}

static bool parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end = NULL;
        uint64_t v;

        if (!g_ascii_isdigit(s[0]))
                return false;
        v = g_ascii_strtoull(s, &end, 10);
        if (*end || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "checks", required_argument, NULL, 'n' },
                { "clients", required_argument, NULL, 'c' },
                { "interval-ms", required_argument, NULL, 'i' },
                {}
        };
        int opt;
        uint64_t v;

        while ((opt = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        usage();
                        return EXIT_SUCCESS;
                case 'n':
                        if (!parse_count(optarg, 1, UINT64_C(1000000000), &v)) {
                                fprintf(stderr, "mc-soak: --checks \"%s\" is not a whole number from 1 to 1000000000\n",
                                        optarg);
                                return 2;
                        }
                        opts.checks = v;
                        break;
                case 'c':
                        if (!parse_count(optarg, 1, 64, &v)) {
                                fprintf(stderr, "mc-soak: --clients \"%s\" is not a whole number from 1 to 64\n",
                                        optarg);
                                return 2;
                        }
                        opts.clients = (unsigned) v;
                        break;
                case 'i':
                        if (!parse_count(optarg, 0, 60000, &v)) {
                                fprintf(stderr, "mc-soak: --interval-ms \"%s\" is not a whole number from 0 to 60000\n",
                                        optarg);
                                return 2;
                        }
                        opts.interval_ms = (unsigned) v;
                        break;
                default:
                        usage();
                        return 2;
                }
        }
        if (optind < argc) {
                usage();
                return 2;
        }
        if (!getenv("UMOCKDEV_DIR") && !getenv("LD_PRELOAD")) {
                fprintf(stderr, "mc-soak: run me under umockdev-wrapper (see tools/soak.sh)\n");
                return 2;
        }
        /* The harness finds migcompatd and the policy file through these. */
        setenv("MC_BUILD_DIR", MC_BENCH_BUILD_DIR, 0);
        setenv("MC_SOURCE_DIR", MC_BENCH_SOURCE_DIR, 0);
        return bench_run_in_group(soak_child, NULL);
}
