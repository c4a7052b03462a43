/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What the daemon does to stay fast on a big host, checked for behaving
 * exactly as the plain way would (bench/ measures how fast; this says the
 * answers are still right):
 *   - the source reader's fast path reads what the full reader reads, and
 *     leaves everything else to it (the fuzzing corpus, both ways);
 *   - the direct JSON writer writes the check result json-glib writes;
 *   - a check lists max_candidates usable candidates, counts the rest,
 *     still lists every rejection, and still shares instances right;
 *   - the catalog's groups of equal facts keep their order through
 *     changes;
 *   - the registry keeps no paths, looks objects up by path, and commits
 *     quietly before the daemon is ready;
 *   - identical migration attributes share one McInfo; the facts cache
 *     forgets what no type uses;
 *   - sysfs sub-directory handles read in one call and follow no symlink;
 *   - the data-file lookup memo follows file changes;
 *   - the catalog's serial moves with every change, and the answer cache
 *     answers only the same question at the same serial, within bounds;
 *   - on the bus: Check lists the chosen candidate and counts the others,
 *     CheckWithOptions lists more, no object signal before READY=1, and
 *     the threaded initial scan publishes what a sequential rescan
 *     finds; a remembered answer gives way to a new one after a change. */

#include <check.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answer-cache.h"
#include "data-files.h"
#include "facts-cache.h"
#include "harness.h"
#include "mc-config.h"
#include "mc-source-fast.h"
#include "mc-test.h"
#include "mdev-source.h"
#include "registry.h"
#include "sysfs.h"
#include "testbed.h"

/* ---- the fast source reader ------------------------------------------------- */

static bool src_params_equal(const McSrcDevice *a, const McSrcDevice *b) {
        if (a->params->len != b->params->len)
                return false;
        for (guint i = 0; i < a->params->len; i++) {
                const McSrcParam *p = a->params->pdata[i], *q = b->params->pdata[i];
                if (strcmp(p->name, q->name) != 0 || p->kind != q->kind)
                        return false;
                if ((p->kind == MC_SRC_BOOL && p->b != q->b) || (p->kind == MC_SRC_INT && p->i != q->i) ||
                    (p->kind == MC_SRC_STR && strcmp(p->s, q->s) != 0))
                        return false;
        }
        return true;
}

static bool src_equal(const McSource *a, const McSource *b) {
        if (a->devices->len != b->devices->len)
                return false;
        for (guint i = 0; i < a->devices->len; i++) {
                const McSrcDevice *d = a->devices->pdata[i], *e = b->devices->pdata[i];
                if (strcmp(d->id, e->id) != 0 || strcmp(d->model, e->model) != 0 ||
                    g_strcmp0(d->version, e->version) != 0 || d->requires != e->requires ||
                    !src_params_equal(d, e))
                        return false;
        }
        return true;
}

/* Whatever the fast path reads, the full reader reads the same way. */
static bool fast_agrees(const char *data, gsize len) {
        g_autoptr(McSource) fast = mc_source_parse_fast(data, len);
        g_autoptr(McSource) full = NULL;
        g_autoptr(GError) error = NULL;

        if (!fast)
                return true;
        full = mc_source_parse_full(data, len, "test", &error);
        ck_assert_msg(full, "fast path read what the full reader refuses (%s): %.*s",
                      error ? error->message : "?", (int) MIN(len, 300), data);
        ck_assert_msg(src_equal(fast, full), "fast and full readers differ on: %.*s",
                      (int) MIN(len, 300), data);
        return true;
}

START_TEST(fast_reader_corpus) {
        g_autofree char *dir = mc_harness_source_path("tests/fuzz/corpus");
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;
        guint files = 0;

        ck_assert_ptr_nonnull(d);
        while ((name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                g_autofree char *data = NULL;
                gsize len = 0;

                if (!g_file_get_contents(path, &data, &len, NULL))
                        continue;
                /* As the fuzz target reads it (first byte picks the reader),
                 * and whole. */
                if (len > 0)
                        fast_agrees(data + 1, len - 1);
                fast_agrees(data, len);
                files++;
        }
        ck_assert_uint_gt(files, 100);
}
END_TEST

START_TEST(fast_reader_takes_plain_sources) {
        static const char *const plain[] = {
                "{\"devices\": [{\"id\": \"gpu0\", \"model\": \"big.example/vgpu-3\", \"version\": \"v1\"}]}",
                "{\"devices\":[{\"id\":\"a\",\"model\":\"x.com/m\",\"params\":{\"q\":4,\"f\":true,\"g\":false,"
                "\"s\":\"on\",\"n\":-5,\"z\":0},\"requires\":[\"pre-copy\",\"stop-copy\"]},{\"model\":\"x.com/m\",\"id\":\"b\"}]}",
                " \n\t{ \"devices\" : [ { \"id\" : \"a\" , \"model\" : \"x.com/m\" , \"params\" : { } , "
                "\"requires\" : [ ] } ] } \r\n",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"max\": 9223372036854775807, "
                "\"min\": -9223372036854775808, \"empty\": \"\"}}]}",
        };
        for (gsize i = 0; i < G_N_ELEMENTS(plain); i++) {
                g_autoptr(McSource) fast = mc_source_parse_fast(plain[i], strlen(plain[i]));
                ck_assert_msg(fast, "fast path refused a plain source: %s", plain[i]);
                fast_agrees(plain[i], strlen(plain[i]));
        }
}
END_TEST

START_TEST(fast_reader_leaves_the_rest) {
        /* Valid but unusual, or invalid: the full reader's to read or to
         * word the error. */
        static const char *const other[] = {
                "{\"devices\": [{\"id\": \"g\\u0030\", \"model\": \"x.com/m\"}]}",
                "{\"devices\": [{\"id\": \"\xc3\xa9\", \"model\": \"x.com/m\"}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"x-vendor\": 1}]}",
                "{\"x-note\": \"hi\", \"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\"}]}",
                "{\"devices\": [{\"id\": \"a\", \"id\": \"b\", \"model\": \"x.com/m\"}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\"}, {\"id\": \"a\", \"model\": \"x.com/m\"}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": 1, \"q\": 2}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": -0}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": 1.0}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": 1e3}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": 01}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": 9223372036854775808}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": null}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {\"q\": truex}}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": []}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"requires\": [\"warp\"]}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"requires\": [\"p2p\", \"p2p\"]}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"nodot\"}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"version\": \"v1:\"}]}",
                "{\"devices\": [{\"model\": \"x.com/m\"}]}",
                "{\"devices\": []}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\"}]} trailing",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\"}],}",
                "[]",
                "",
        };
        for (gsize i = 0; i < G_N_ELEMENTS(other); i++) {
                g_autoptr(McSource) fast = mc_source_parse_fast(other[i], strlen(other[i]));
                ck_assert_msg(!fast, "fast path took what it should leave: %s", other[i]);
        }
        /* Past the limit of parameters: the full reader words the error. */
        {
                g_autoptr(GString) s = g_string_new("{\"devices\": [{\"id\": \"a\", \"model\": \"x.com/m\", \"params\": {");
                g_autoptr(McSource) fast = NULL;
                for (int i = 0; i <= MC_MAX_PARAMS; i++)
                        g_string_append_printf(s, "%s\"p%d\": %d", i ? ", " : "", i, i);
                g_string_append(s, "}}]}");
                fast = mc_source_parse_fast(s->str, s->len);
                ck_assert_ptr_null(fast);
        }
        /* ... and the public reader still gives the full reader's errors. */
        {
                static const char *const dup[] = { "appears twice", NULL };
                const char *text = other[4];
                test_parse_fails((TestParseFunc) mc_source_parse, (void (*)(void *)) mc_source_free, text,
                                 strlen(text), MC_ERROR_DUPLICATE, dup);
        }
}
END_TEST

/* ---- the JSON writer -------------------------------------------------------- */

static const char nic_info[] =
        "{\"models\": {\"vendor-a.com/my-nic\": {\"versions\": [\"v2\", \"v1\"],"
        " \"params\": {\"queues\": {\"type\": \"int\", \"init_value\": 1, \"off_value\": 1,"
        " \"allowed_values\": [\"1-8\", 16]}, \"new-feature\": {\"type\": \"bool\", \"init_value\": true,"
        " \"off_value\": false}}, \"x-capabilities\": [\"stop-copy\", \"pre-copy\"]}}}";

static char *builder_json(const McCheckResult *r) {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();
        mc_check_result_build(b, r);
        return mc_json_builder_to_string(b, false);
}

static JsonNode *parse_node(const char *json) {
        g_autoptr(JsonParser) p = json_parser_new();
        ck_assert_msg(json_parser_load_from_data(p, json, -1, NULL), "not JSON: %s", json);
        return json_node_copy(json_parser_get_root(p));
}

START_TEST(writer_matches_json_glib) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        static const char *const sources[] = {
                "{\"devices\": [{\"id\": \"d\", \"model\": \"vendor-a.com/my-nic\", \"version\": \"v1\","
                " \"params\": {\"queues\": 4, \"new-feature\": \"on\"}, \"requires\": [\"pre-copy\"]}]}",
                "{\"devices\": [{\"id\": \"d\", \"model\": \"vendor-a.com/my-nic\", \"version\": \"v9\"}]}",
                "{\"devices\": [{\"id\": \"d\", \"model\": \"nowhere.example/x\"}]}",
                "{\"devices\": [{\"id\": \"a\", \"model\": \"vendor-a.com/my-nic\"},"
                " {\"id\": \"b\", \"model\": \"vendor-a.com/my-nic\"}, {\"id\": \"c\", \"model\": \"vendor-a.com/my-nic\"}]}",
        };
        McImpl *odd;

        test_put(cat, test_mdev("0000:3b:00.0", "nic-vf", 1, MC_FACTS_DRIVER, nic_info));
        test_put(cat, test_mdev("0000:3c:00.0", "nic-vf", 0, MC_FACTS_DATA_FILE, nic_info));
        test_put(cat, test_vfio_user("vnic.json", "/usr/libexec/vnic", nic_info));
        /* Text that needs every kind of escape. */
        odd = test_mdev("0000:00:02.0", "odd", 1, MC_FACTS_NONE, NULL);
        g_free(odd->not_migratable_reason);
        odd->not_migratable_reason = g_strdup("quote \" backslash \\ tab\t newline\n bell\x07 del\x7f \xc3\xa9");
        test_put(cat, odd);

        for (gsize i = 0; i < G_N_ELEMENTS(sources); i++) {
                g_autoptr(McSource) src = test_source(sources[i]);
                McCheckOptions all = { .max_candidates = MC_CHECK_ALL_CANDIDATES };
                g_autoptr(McCheckResult) r = mc_check(cat, src, i % 2 ? NULL : &all);
                g_autofree char *direct = mc_check_result_to_json(r, false);
                g_autofree char *tree = builder_json(r);
                g_autoptr(JsonNode) a = parse_node(direct);
                g_autoptr(JsonNode) b = parse_node(tree);

                ck_assert_msg(json_node_equal(a, b), "writer and json-glib differ:\n%s\n%s", direct, tree);
                ck_assert_str_eq(direct, tree);
        }
        /* The not-migratable reason, through a check of that one type. */
        {
                g_autoptr(McSource) src = test_source("{\"devices\": [{\"id\": \"d\", \"model\": \"a.com/b\"}]}");
                McCheckOptions only = { .only_impl = "mdev:0000:00:02.0:odd" };
                g_autoptr(McCheckResult) r = mc_check(cat, src, &only);
                g_autofree char *direct = mc_check_result_to_json(r, false);
                g_autofree char *tree = builder_json(r);
                g_autoptr(JsonNode) a = parse_node(direct);
                g_autoptr(JsonNode) b = parse_node(tree);

                ck_assert_contains(direct, "quote \\\" backslash \\\\ tab\\t newline\\n bell\\u0007");
                ck_assert_msg(json_node_equal(a, b), "writer and json-glib differ:\n%s\n%s", direct, tree);
        }
}
END_TEST

/* ---- listing candidates ------------------------------------------------------- */

#define GPU "big.example/vgpu"
static const char gpu_info[] = "{\"models\": {\"" GPU "\": {\"versions\": [\"v1\"]}}}";

/* n identical GPUs sharing one McInfo (as the mdev source shares it),
 * parent i with free instances free(i). */
static McCatalog *gpu_catalog(guint n, int64_t (*free_of)(guint i)) {
        McCatalog *cat = mc_catalog_new();
        g_autoptr(McInfo) info = test_info(gpu_info);

        for (guint i = 0; i < n; i++) {
                g_autofree char *parent = g_strdup_printf("0000:%02x:00.0", i);
                McImpl *impl = test_mdev(parent, "vgpu", free_of(i), MC_FACTS_NONE, NULL);
                g_clear_pointer(&impl->not_migratable_reason, g_free);
                impl->info = mc_info_ref(info);
                impl->facts_from = MC_FACTS_DRIVER;
                test_put(cat, impl);
        }
        return cat;
}

static int64_t free_two(guint i) {
        return 2;
}

static int64_t free_varied(guint i) {
        /* Every third full; the others with 1..5 free. */
        return i % 3 == 0 ? 0 : (int64_t) (i % 5) + 1;
}

static int64_t free_one(guint i) {
        return 1;
}

static guint n_usable(const McDeviceResult *d) {
        guint n = 0;
        for (guint i = 0; i < d->candidates->len; i++)
                n += ((McCandidate *) d->candidates->pdata[i])->verdict != MC_VERDICT_INCOMPATIBLE;
        return n;
}

START_TEST(candidate_limit) {
        g_autoptr(McCatalog) cat = gpu_catalog(40, free_varied);
        g_autoptr(McSource) src = test_source("{\"devices\": [{\"id\": \"d\", \"model\": \"" GPU "\", \"version\": \"v1\"}]}");
        McCheckOptions all = { .max_candidates = MC_CHECK_ALL_CANDIDATES };
        g_autoptr(McCheckResult) full = mc_check(cat, src, &all);
        const McDeviceResult *fd = full->devices->pdata[0];
        guint usable = n_usable(fd), rejected = fd->candidates->len - usable;

        ck_assert_uint_eq(fd->omitted, 0);
        ck_assert_uint_eq(rejected, 14); /* i % 3 == 0 for i < 40 */
        ck_assert_uint_eq(usable, 26);

        for (guint limit = 0; limit <= 30; limit += 3) {
                McCheckOptions o = { .max_candidates = limit };
                g_autoptr(McCheckResult) r = mc_check(cat, src, &o);
                const McDeviceResult *d = r->devices->pdata[0];
                guint want = MIN(limit ? limit : MC_CHECK_MAX_CANDIDATES_DEFAULT, usable);
                g_autofree char *json = mc_check_result_to_json(r, false);

                ck_assert_int_eq(d->verdict, MC_VERDICT_COMPATIBLE);
                ck_assert_int_eq(d->chosen, 0);
                ck_assert_uint_eq(n_usable(d), want);
                ck_assert_uint_eq(d->omitted, usable - want);
                /* Every rejection, still with its reason. */
                ck_assert_uint_eq(d->candidates->len - n_usable(d), rejected);
                /* The same best ones, in the same order, as the whole list. */
                for (guint k = 0; k < d->candidates->len; k++) {
                        const McCandidate *c = d->candidates->pdata[k];
                        const McCandidate *f = k < want ? fd->candidates->pdata[k]
                                                        : fd->candidates->pdata[usable + (k - want)];
                        ck_assert_str_eq(c->impl->id, f->impl->id);
                        ck_assert_int_eq(c->verdict, f->verdict);
                        ck_assert_uint_eq(c->reasons->len, f->reasons->len);
                }
                if (d->omitted) {
                        g_autofree char *member = g_strdup_printf("\"omitted-candidates\":%u", d->omitted);
                        ck_assert_contains(json, member);
                } else {
                        ck_assert_ptr_null(strstr(json, "omitted-candidates"));
                }
        }
}
END_TEST

START_TEST(candidate_limit_shares_instances) {
        /* Five devices of one model, five GPUs with one free instance
         * each: listing one candidate per device must still place all
         * five on different GPUs. Six devices do not fit. */
        g_autoptr(McCatalog) cat = gpu_catalog(5, free_one);
        g_autoptr(GString) devs = g_string_new(NULL);
        g_autofree char *text5 = NULL, *text6 = NULL;
        g_autoptr(McSource) src = NULL, src6 = NULL;
        g_autoptr(McCheckResult) r = NULL, r6 = NULL;
        g_autoptr(GHashTable) used = g_hash_table_new(g_str_hash, g_str_equal);

        for (int i = 0; i < 5; i++)
                g_string_append_printf(devs, "%s{\"id\": \"d%d\", \"model\": \"" GPU "\"}", i ? ", " : "", i);
        text5 = g_strdup_printf("{\"devices\": [%s]}", devs->str);
        text6 = g_strdup_printf("{\"devices\": [%s, {\"id\": \"d5\", \"model\": \"" GPU "\"}]}", devs->str);
        src = test_source(text5);
        r = mc_check(cat, src, NULL);
        ck_assert_int_eq(r->verdict, MC_VERDICT_COMPATIBLE);
        for (int i = 0; i < 5; i++) {
                const McDeviceResult *d = r->devices->pdata[i];
                const McCandidate *c = d->candidates->pdata[d->chosen];
                ck_assert_uint_eq(n_usable(d), 1);
                ck_assert_msg(g_hash_table_add(used, c->impl->id), "%s given twice", c->impl->id);
        }
        src6 = test_source(text6);
        r6 = mc_check(cat, src6, NULL);
        ck_assert_int_eq(r6->verdict, MC_VERDICT_INCOMPATIBLE);
}
END_TEST

START_TEST(catalog_groups_follow_changes) {
        g_autoptr(McCatalog) cat = gpu_catalog(12, free_two);
        const GPtrArray *groups = mc_catalog_groups(cat, GPU);
        const McCatalogGroup *g;
        McImpl *busy;

        ck_assert_uint_eq(groups->len, 1);
        g = groups->pdata[0];
        ck_assert_uint_eq(g->members->len, 12);
        ck_assert_uint_eq(g->n_free, 12);

        /* One runs out of instances: it moves to the end, no longer free. */
        busy = mc_impl_copy(mc_catalog_get(cat, "mdev:0000:05:00.0:vgpu"));
        busy->available = 0;
        test_put(cat, busy);
        ck_assert_uint_eq(g->members->len, 12);
        ck_assert_uint_eq(g->n_free, 11);
        ck_assert_str_eq(((McImpl *) g->members->pdata[11])->id, "mdev:0000:05:00.0:vgpu");
        /* One gets more room: first. */
        busy = mc_impl_copy(mc_catalog_get(cat, "mdev:0000:09:00.0:vgpu"));
        busy->available = 7;
        test_put(cat, busy);
        ck_assert_str_eq(((McImpl *) g->members->pdata[0])->id, "mdev:0000:09:00.0:vgpu");
        for (guint i = 1; i + 1 < g->members->len; i++) {
                const McImpl *a = g->members->pdata[i], *b = g->members->pdata[i + 1];
                ck_assert_msg(a->available > b->available ||
                                      (a->available == b->available && strcmp(a->id, b->id) < 0),
                              "%s before %s", a->id, b->id);
        }

        /* Equal facts in another McInfo: a group of its own, same answers. */
        for (guint i = 0; i < 10; i++) {
                g_autofree char *parent = g_strdup_printf("0000:%02x:00.0", 0x80 + i);
                McImpl *impl = test_mdev(parent, "vgpu", 3, MC_FACTS_NONE, NULL);
                g_clear_pointer(&impl->not_migratable_reason, g_free);
                impl->info = test_info(gpu_info);
                impl->facts_from = MC_FACTS_DRIVER;
                test_put(cat, impl);
        }
        groups = mc_catalog_groups(cat, GPU);
        ck_assert_uint_eq(groups->len, 11); /* past the size that builds the index */
        ck_assert_uint_eq(mc_catalog_candidates(cat, GPU)->len, 22);

        /* Removing everything empties the model. */
        {
                g_autoptr(GPtrArray) list = mc_catalog_list(cat);
                g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
                for (guint i = 0; i < list->len; i++)
                        g_ptr_array_add(ids, g_strdup(((McImpl *) list->pdata[i])->id));
                for (guint i = 0; i < ids->len; i++)
                        mc_impl_unref(mc_catalog_take(cat, ids->pdata[i]));
        }
        ck_assert_ptr_null(mc_catalog_groups(cat, GPU));
        ck_assert_ptr_null(mc_catalog_candidates(cat, GPU));
}
END_TEST

START_TEST(catalog_serial_follows_changes) {
        g_autoptr(McCatalog) cat = gpu_catalog(3, free_two);
        guint64 s0 = mc_catalog_serial(cat), s1, s2, s3;
        McImpl *impl;

        /* Reading changes nothing. */
        (void) mc_catalog_groups(cat, GPU);
        (void) mc_catalog_get(cat, "mdev:0000:01:00.0:vgpu");
        ck_assert_uint_eq(mc_catalog_serial(cat), s0);

        impl = mc_impl_copy(mc_catalog_get(cat, "mdev:0000:01:00.0:vgpu"));
        impl->available = 0;
        test_put(cat, impl);
        s1 = mc_catalog_serial(cat);
        ck_assert_uint_ne(s1, s0);

        mc_impl_unref(mc_catalog_take(cat, "mdev:0000:01:00.0:vgpu"));
        s2 = mc_catalog_serial(cat);
        ck_assert_uint_ne(s2, s1);
        /* Taking what is not there is no change. */
        ck_assert_ptr_null(mc_catalog_take(cat, "mdev:0000:01:00.0:vgpu"));
        ck_assert_uint_eq(mc_catalog_serial(cat), s2);

        /* The generation is in every answer: it is a change too. */
        mc_catalog_bump_generation(cat);
        s3 = mc_catalog_serial(cat);
        ck_assert_uint_ne(s3, s2);
        mc_catalog_set_generation(cat, 7);
        ck_assert_uint_ne(mc_catalog_serial(cat), s3);
}
END_TEST

/* ---- the answer cache ---------------------------------------------------------------- */

static McQuestion question(const char *text, const char *only, unsigned max) {
        return (McQuestion) { .source = text, .source_len = strlen(text), .only_impl = only,
                              .max_candidates = max };
}

static void assert_answer(McAnswerCache *c, uint64_t serial, McQuestion q, const char *want) {
        size_t len = 0;
        const char *got = mc_answer_cache_lookup(c, serial, &q, &len);
        if (!want) {
                ck_assert_msg(got == NULL, "%s: remembered \"%s\"", q.source, got ? got : "");
                return;
        }
        ck_assert_msg(got != NULL, "%s: not remembered", q.source);
        ck_assert_str_eq(got, want);
        ck_assert_uint_eq(len, strlen(want));
}

START_TEST(answer_cache_same_question_same_serial) {
        g_autoptr(McAnswerCache) c = mc_answer_cache_new(3, 64 * 1024);
        /* Inputs that differ only past a NUL would be one C string: the
         * length is part of the question. */
        const char two[] = "ab\0cd";
        McQuestion a = question("{\"devices\": [1]}", NULL, 1);
        McQuestion a_only = question("{\"devices\": [1]}", "mdev:p:t", 1);
        McQuestion a_all = question("{\"devices\": [1]}", NULL, G_MAXUINT);
        McQuestion a_space = question("{\"devices\": [1] }", NULL, 1);
        McQuestion b = { .source = two, .source_len = 2, .max_candidates = 1 };
        McQuestion b_long = { .source = two, .source_len = 5, .max_candidates = 1 };
        McAnswerCacheStats st;

        assert_answer(c, 1, a, NULL);
        ck_assert(mc_answer_cache_store(c, 1, &a, "A", 1));
        assert_answer(c, 1, a, "A");
        /* Another option, another text: other questions. */
        assert_answer(c, 1, a_only, NULL);
        assert_answer(c, 1, a_all, NULL);
        assert_answer(c, 1, a_space, NULL);
        ck_assert(mc_answer_cache_store(c, 1, &a_only, "A-only", 6));
        ck_assert(mc_answer_cache_store(c, 1, &b, "B", 1));
        assert_answer(c, 1, b_long, NULL);
        assert_answer(c, 1, b, "B");
        assert_answer(c, 1, a_only, "A-only");
        assert_answer(c, 1, a, "A");
        /* Storing again replaces. */
        ck_assert(mc_answer_cache_store(c, 1, &a, "A2", 2));
        assert_answer(c, 1, a, "A2");
        st = mc_answer_cache_stats(c);
        ck_assert_uint_eq(st.entries, 3);

        /* Full (3): the least recently asked (b) goes. */
        ck_assert(mc_answer_cache_store(c, 1, &a_all, "A-all", 5));
        assert_answer(c, 1, b, NULL);
        assert_answer(c, 1, a_only, "A-only");
        assert_answer(c, 1, a_all, "A-all");
        assert_answer(c, 1, a, "A2");

        /* Another serial: the catalog changed, everything is forgotten,
         * also when asked again at the old serial. */
        assert_answer(c, 2, a, NULL);
        ck_assert_uint_eq(mc_answer_cache_stats(c).entries, 0);
        assert_answer(c, 1, a, NULL);
        ck_assert(mc_answer_cache_store(c, 1, &a, "A", 1));
        ck_assert(!mc_answer_cache_lookup(c, 3, &a, &(size_t) { 0 }));
        ck_assert(mc_answer_cache_store(c, 3, &b, "B", 1));
        ck_assert_uint_eq(mc_answer_cache_stats(c).entries, 1);

        st = mc_answer_cache_stats(c);
        ck_assert_uint_gt(st.hits, 0);
        ck_assert_uint_gt(st.misses, 0);
}
END_TEST

START_TEST(answer_cache_bounds) {
        g_autoptr(McAnswerCache) c = mc_answer_cache_new(1000, 64 * 1024);
        g_autoptr(McAnswerCache) off = mc_answer_cache_new(0, 64 * 1024);
        g_autofree char *big = g_strnfill(64 * 1024 / 8 + 1, 'x');
        g_autofree char *fair = g_strnfill(4000, 'y');
        McQuestion q = question("q", NULL, 1);
        McAnswerCacheStats st;

        /* More than an eighth of the budget is not kept: answer or question. */
        ck_assert(!mc_answer_cache_store(c, 1, &q, big, strlen(big)));
        assert_answer(c, 1, q, NULL);
        {
                McQuestion long_q = question(big, NULL, 1);
                ck_assert(!mc_answer_cache_store(c, 1, &long_q, "A", 1));
                assert_answer(c, 1, long_q, NULL);
        }
        /* The byte budget holds however many entries are allowed. */
        for (guint i = 0; i < 100; i++) {
                g_autofree char *text = g_strdup_printf("question %u", i);
                McQuestion qi = question(text, NULL, 1);
                ck_assert(mc_answer_cache_store(c, 1, &qi, fair, strlen(fair)));
                st = mc_answer_cache_stats(c);
                ck_assert_uint_le(st.bytes, 64 * 1024);
        }
        /* Each entry holds at least its 4,000-byte answer. */
        ck_assert_uint_le(st.entries, 64 * 1024 / 4000);
        ck_assert_uint_ge(st.entries, 64 * 1024 / 4000 - 2);
        /* The newest are those kept. */
        {
                McQuestion last = question("question 99", NULL, 1);
                McQuestion first = question("question 0", NULL, 1);
                assert_answer(c, 1, last, fair);
                assert_answer(c, 1, first, NULL);
        }
        /* No entries: nothing kept. */
        ck_assert(!mc_answer_cache_store(off, 1, &q, "A", 1));
        assert_answer(off, 1, q, NULL);
}
END_TEST

/* ---- the registry ------------------------------------------------------------------ */

typedef struct {
        guint commits, added, changed, removed;
} RegSeen;

static void reg_removing(void *ud, const GPtrArray *paths) {
        RegSeen *s = ud;
        s->removed += paths->len;
}

static void reg_committed(void *ud, const GPtrArray *added, const GPtrArray *changed, guint64 gen) {
        RegSeen *s = ud;
        s->commits++;
        s->added += added->len;
        s->changed += changed->len;
}

START_TEST(registry_paths_and_quiet) {
        static const McRegistryListener listener = { .removing = reg_removing, .committed = reg_committed };
        static const char two_models[] =
                "{\"models\": {\"a.com/one\": {\"versions\": [\"v1\"]}, \"b.org/two/x\": {\"versions\": [\"v1\"]}}}";
        g_autoptr(McRegistry) reg = mc_registry_new();
        RegSeen seen = { 0 };
        g_autofree char *p1 = NULL, *pa = NULL, *pb = NULL;
        const McRegistryObject *o;
        char **paths;
        McImpl *impl;

        mc_registry_set_listener(reg, &listener, &seen);
        mc_registry_set_quiet(reg, true);
        mc_registry_put(reg, test_mdev("p", "one", 1, MC_FACTS_DRIVER, gpu_info));
        mc_registry_put(reg, test_vfio_user("two.json", "/bin/two", two_models));
        ck_assert(mc_registry_commit(reg));
        /* Quiet: a new generation, no lists. */
        ck_assert_uint_eq(seen.commits, 1);
        ck_assert_uint_eq(seen.added, 0);
        ck_assert_uint_eq(mc_catalog_generation(mc_registry_catalog(reg)), 1);
        /* The same again changes nothing. */
        mc_registry_put(reg, test_mdev("p", "one", 1, MC_FACTS_DRIVER, gpu_info));
        ck_assert(!mc_registry_commit(reg));

        p1 = mc_registry_impl_path(reg, "mdev:p:one");
        o = mc_registry_lookup(reg, p1);
        ck_assert_ptr_nonnull(o);
        ck_assert_str_eq(o->impl->id, "mdev:p:one");
        ck_assert_int_eq(o->model, 0);
        impl = mc_catalog_get(mc_registry_catalog(reg), "vfio-user:two");
        pa = mc_registry_object_path(impl, 0);
        pb = mc_registry_object_path(impl, 1);
        o = mc_registry_lookup(reg, pb);
        ck_assert_ptr_nonnull(o);
        ck_assert_int_eq(o->model, 1);
        ck_assert_int_eq(mc_registry_lookup(reg, pa)->model, 0);
        /* The plain id is no object of a two-model implementation. */
        {
                g_autofree char *plain = NULL;
                ck_assert_int_ge(sd_bus_path_encode(MC_BUS_IMPL_PREFIX, "vfio-user:two", &plain), 0);
                ck_assert_ptr_null(mc_registry_lookup(reg, plain));
                ck_assert_ptr_null(mc_registry_lookup(reg, "/org/migcompat/MigCompat1/other"));
                ck_assert_ptr_null(mc_registry_lookup(reg, MC_BUS_IMPL_PREFIX "/nothing"));
        }
        paths = mc_registry_paths(reg);
        ck_assert_uint_eq(g_strv_length(paths), 3);
        g_strfreev(paths);

        /* Loud: exactly what the batch did. */
        mc_registry_set_quiet(reg, false);
        seen = (RegSeen) { 0 };
        {
                McImpl *c = mc_impl_copy(mc_catalog_get(mc_registry_catalog(reg), "mdev:p:one"));
                c->available = 0;
                mc_registry_put(reg, c);
        }
        mc_registry_remove(reg, "vfio-user:two");
        mc_registry_put(reg, test_mdev("p", "new", 1, MC_FACTS_DRIVER, gpu_info));
        ck_assert(mc_registry_commit(reg));
        ck_assert_uint_eq(seen.changed, 1);
        ck_assert_uint_eq(seen.removed, 2);
        ck_assert_uint_eq(seen.added, 1);
        ck_assert_ptr_null(mc_registry_lookup(reg, pb));
        ck_assert_int_eq(mc_registry_lookup(reg, p1)->impl->available, 0);
}
END_TEST

/* ---- shared facts ----------------------------------------------------------------- */

START_TEST(facts_cache_shares_and_forgets) {
        g_autoptr(McFactsCache) c = mc_facts_cache_new();
        static const char text[] = "a.com/x:\nv1\n";
        McInfo *info = mc_info_parse_device_models(text, sizeof text - 1, "t", NULL), *hit;

        ck_assert_ptr_null(mc_facts_cache_lookup(c, text, sizeof text - 1, NULL, 0));
        hit = mc_facts_cache_add(c, text, sizeof text - 1, NULL, 0, info);
        ck_assert_ptr_eq(hit, info);
        mc_info_unref(hit);
        hit = mc_facts_cache_lookup(c, text, sizeof text - 1, NULL, 0);
        ck_assert_ptr_eq(hit, info);
        mc_info_unref(hit);
        /* Two readers that both missed: the second gets the first's facts
         * (as two scan threads reading equal attributes). */
        {
                McInfo *twin = mc_info_parse_device_models(text, sizeof text - 1, "t2", NULL);
                hit = mc_facts_cache_add(c, text, sizeof text - 1, NULL, 0, twin);
                ck_assert_ptr_eq(hit, info);
                mc_info_unref(hit);
                mc_info_unref(twin);
                ck_assert_uint_eq(mc_facts_cache_size(c), 1);
        }
        /* The same text as the other attribute is another key. */
        ck_assert_ptr_null(mc_facts_cache_lookup(c, NULL, 0, text, sizeof text - 1));
        ck_assert_ptr_null(mc_facts_cache_lookup(c, text, sizeof text - 2, NULL, 0));
        /* In use: kept; unused: pruned. */
        mc_facts_cache_prune(c);
        ck_assert_uint_eq(mc_facts_cache_size(c), 1);
        mc_info_unref(info);
        mc_facts_cache_prune(c);
        ck_assert_uint_eq(mc_facts_cache_size(c), 0);
}
END_TEST

typedef struct {
        GHashTable *published; /* id -> McImpl* */
} Rec;

static void rec_put(void *ud, McImpl *impl) {
        g_hash_table_replace(((Rec *) ud)->published, g_strdup(impl->id), impl);
}

static void rec_remove(void *ud, const char *id) {
        g_hash_table_remove(((Rec *) ud)->published, id);
}

START_TEST(mdev_types_share_facts) {
        static const McMdevSourceOps ops = { .put = rec_put, .remove = rec_remove };
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(McMdevSource) src = NULL;
        Rec rec = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) mc_impl_unref) };
        /* Enough parents for the initial scan to use its threads. */
        guint n = mc_testbed_add_big_host(tb, 64, 3, 100);
        McImpl *a, *b, *c;

        src = mc_mdev_source_new(&ops, &rec, &error);
        ck_assert_ptr_nonnull(src);
        mc_mdev_source_rescan_all(src);
        ck_assert_uint_eq(g_hash_table_size(rec.published), n);
        ck_assert_uint_eq(mc_mdev_source_n_parents(src), 64);
        ck_assert_uint_eq(mc_mdev_source_n_types(src), n);

        {
                g_autofree char *p0 = mc_testbed_big_parent(0), *p63 = mc_testbed_big_parent(63);
                g_autofree char *b0 = g_path_get_basename(p0), *b63 = g_path_get_basename(p63);
                g_autofree char *ia = mc_mdev_impl_id(b0, "bigvgpu-1");
                g_autofree char *ib = mc_mdev_impl_id(b63, "bigvgpu-1");
                g_autofree char *ic = mc_mdev_impl_id(b63, "bigvgpu-2");
                a = g_hash_table_lookup(rec.published, ia);
                b = g_hash_table_lookup(rec.published, ib);
                c = g_hash_table_lookup(rec.published, ic);
        }
        ck_assert(a && b && c);
        ck_assert_int_eq(a->facts_from, MC_FACTS_DRIVER);
        ck_assert_ptr_eq(a->info, b->info); /* type 1 on two parents: one McInfo */
        ck_assert_ptr_ne(a->info, c->info);
        ck_assert_str_eq(((McModel *) a->info->models->pdata[0])->model, "big.example/vgpu-1");
        ck_assert_str_eq(a->name, "BIG 1");
        ck_assert_str_eq(a->device_api, "vfio-pci");
        ck_assert_int_eq(a->available, 4);

        /* A rescan finds the same: nothing is published again. */
        {
                McImpl *before = a;
                mc_mdev_source_rescan_all(src);
                g_autofree char *p0 = mc_testbed_big_parent(0);
                g_autofree char *b0 = g_path_get_basename(p0);
                g_autofree char *ia = mc_mdev_impl_id(b0, "bigvgpu-1");
                ck_assert_ptr_eq(g_hash_table_lookup(rec.published, ia), before);
        }
        g_hash_table_unref(rec.published);
}
END_TEST

/* ---- sysfs ----------------------------------------------------------------------- */

static void write_file(const char *path, const char *data, gssize len) {
        ck_assert(g_file_set_contents(path, data, len, NULL));
}

START_TEST(sysfs_sub_handles) {
        g_autofree char *root = g_dir_make_tmp("mc-scale-XXXXXX", NULL);
        g_autofree char *t1 = g_build_filename(root, "t1", NULL);
        g_autofree char *t2 = g_build_filename(root, "t2", NULL);
        g_autofree char *f = NULL;
        g_autoptr(McSysfsDir) dir = NULL, s1 = NULL, s2 = NULL, s3 = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL, *big = NULL;
        gsize len = 0;

        ck_assert_int_eq(g_mkdir(t1, 0755), 0);
        f = g_build_filename(t1, "name", NULL);
        write_file(f, "hello\n", -1);
        g_free(f);
        /* A page exactly, and more than a page: read whole. */
        big = g_malloc(5000);
        memset(big, 'x', 5000);
        f = g_build_filename(t1, "page", NULL);
        write_file(f, big, 4096);
        g_free(f);
        f = g_build_filename(t1, "long", NULL);
        write_file(f, big, 5000);
        ck_assert_int_eq(symlink("t1", t2), 0);

        dir = mc_sysfs_dir_open(root, &error);
        ck_assert_ptr_nonnull(dir);
        s1 = mc_sysfs_dir_sub(dir, "t1", &error);
        ck_assert_ptr_nonnull(s1);
        text = mc_sysfs_read_text(s1, "name", 64, NULL, &error);
        ck_assert_str_eq(text, "hello");
        ck_assert_str_eq(mc_sysfs_dir_path(s1), t1);
        g_clear_pointer(&text, g_free);
        text = mc_sysfs_read_text(s1, "page", MC_SYSFS_ATTR_MAX, &len, &error);
        ck_assert_uint_eq(len, 4096);
        g_clear_pointer(&text, g_free);
        text = mc_sysfs_read_text(s1, "long", MC_SYSFS_ATTR_MAX, &len, &error);
        ck_assert_uint_eq(len, 5000);
        g_clear_pointer(&text, g_free);
        ck_assert_ptr_null(mc_sysfs_read_text(s1, "long", 4999, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_LIMIT));
        g_clear_error(&error);
        ck_assert(mc_sysfs_exists(s1, "name"));
        ck_assert(!mc_sysfs_exists(s1, "nothing"));
        ck_assert_ptr_null(mc_sysfs_read_text(s1, "nothing", 64, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        ck_assert_contains(error->message, "/t1/nothing");
        g_clear_error(&error);

        /* Through a symlinked directory: refused, as opening it would be. */
        s2 = mc_sysfs_dir_sub(dir, "t2", &error);
        if (s2) {
                ck_assert_ptr_null(mc_sysfs_read_text(s2, "name", 64, NULL, &error));
                ck_assert(!g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        }
        g_clear_error(&error);
        /* A directory that is not there: found out at the first read. */
        s3 = mc_sysfs_dir_sub(dir, "t3", &error);
        if (s3) {
                ck_assert_ptr_null(mc_sysfs_read_text(s3, "name", 64, NULL, &error));
                ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        }

        unlink(t2);
        unlink(f);
        g_free(f);
        f = g_build_filename(t1, "page", NULL);
        unlink(f);
        g_free(f);
        f = g_build_filename(t1, "name", NULL);
        unlink(f);
        rmdir(t1);
        rmdir(root);
}
END_TEST

/* ---- data files ---------------------------------------------------------------------- */

START_TEST(data_file_memo_follows_changes) {
        g_autofree char *root = g_dir_make_tmp("mc-scale-XXXXXX", NULL);
        g_autofree char *file = g_build_filename(root, "gpu.json", NULL);
        const char *dirs[] = { root, NULL };
        g_autoptr(McDataFiles) df = mc_data_files_new(dirs);
        const McDataFile *f;

        write_file(file, "{\"match\": {\"driver\": \"drv\", \"type\": \"t-*\"}, \"models\": {\"a.com/one\": {}}}", -1);
        mc_data_files_load(df);
        f = mc_data_files_lookup(df, "drv", "t-1", NULL);
        ck_assert_ptr_nonnull(f);
        ck_assert_ptr_eq(mc_data_files_lookup(df, "drv", "t-1", NULL), f);
        ck_assert_ptr_null(mc_data_files_lookup(df, "drv", "u-1", NULL));
        ck_assert_ptr_null(mc_data_files_lookup(df, NULL, "t-1", NULL));

        /* The file now matches other types: the remembered answers go. */
        write_file(file, "{\"match\": {\"driver\": \"drv\", \"type\": \"u-*\"}, \"models\": {\"a.com/one\": {}}}", -1);
        ck_assert(mc_data_files_load(df));
        ck_assert_ptr_null(mc_data_files_lookup(df, "drv", "t-1", NULL));
        ck_assert_ptr_nonnull(mc_data_files_lookup(df, "drv", "u-1", NULL));
        unlink(file);
        ck_assert(mc_data_files_load(df));
        ck_assert_ptr_null(mc_data_files_lookup(df, "drv", "u-1", NULL));
        rmdir(root);
}
END_TEST

/* ---- on the bus ------------------------------------------------------------------------ */

typedef struct {
        McTestbed *tb;
        McHarness *h;
        sd_bus *bus;
        guint signals;
} BusFx;

static void busfx_free(BusFx *f) {
        sd_bus_flush_close_unref(f->bus);
        mc_harness_free(f->h);
        mc_testbed_free(f->tb);
        g_free(f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BusFx, busfx_free)

static int on_object_signal(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        ((BusFx *) userdata)->signals++;
        return 0;
}

static char *call_check(BusFx *f, const char *method, const char *source, int max, sd_bus_error *error) {
        g_autoptr(sd_bus_message) reply = NULL;
        const char *json;
        int r;

        if (max < 0)
                r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, method, error,
                                       &reply, "s", source);
        else
                r = sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, method, error,
                                       &reply, "sa{sv}", source, 1, "max-candidates", "u", (uint32_t) max);
        if (r < 0)
                return NULL;
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
        return g_strdup(json);
}

static guint json_candidates(const char *json, gint64 *omitted) {
        g_autoptr(JsonNode) root = parse_node(json);
        JsonObject *dev = json_array_get_object_element(
                json_object_get_array_member(json_node_get_object(root), "devices"), 0);
        *omitted = json_object_get_int_member_with_default(dev, "omitted-candidates", 0);
        return json_array_get_length(json_object_get_array_member(dev, "candidates"));
}

START_TEST(bus_check_lists_and_counts) {
        g_autoptr(BusFx) f = g_new0(BusFx, 1);
        const char *source = "{\"devices\": [{\"id\": \"g\", \"model\": \"big.example/vgpu-1\", \"version\": \"v1\"}]}";
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autofree char *json = NULL;
        gint64 omitted = -1;
        guint n;

        f->tb = mc_testbed_new();
        n = mc_testbed_add_big_host(f->tb, 40, 2, 100);
        f->h = mc_harness_new();
        mc_harness_start_bus(f->h, MC_BUS_PERMISSIVE);
        /* Anyone can listen before the name is taken: nothing is sent to
         * them until the daemon is ready. */
        f->bus = mc_harness_connect(f->h);
        ck_assert_int_ge(sd_bus_match_signal(f->bus, NULL, NULL, NULL, "org.freedesktop.DBus.ObjectManager",
                                             "InterfacesAdded", on_object_signal, f), 0);
        ck_assert_int_ge(sd_bus_match_signal(f->bus, NULL, NULL, NULL, MC_BUS_MANAGER_IFACE,
                                             "ImplementationsChanged", on_object_signal, f), 0);
        mc_harness_start_daemon(f->h, NULL);

        json = call_check(f, "Check", source, -1, &error);
        ck_assert_msg(json, "%s", error.message);
        ck_assert_uint_eq(json_candidates(json, &omitted), 1);
        ck_assert_int_eq(omitted, 39);
        g_clear_pointer(&json, g_free);

        json = call_check(f, "CheckWithOptions", source, 5, &error);
        ck_assert_msg(json, "%s", error.message);
        ck_assert_uint_eq(json_candidates(json, &omitted), 5);
        ck_assert_int_eq(omitted, 35);
        g_clear_pointer(&json, g_free);

        json = call_check(f, "CheckWithOptions", source, 0, &error);
        ck_assert_msg(json, "%s", error.message);
        ck_assert_uint_eq(json_candidates(json, &omitted), 40);
        ck_assert_int_eq(omitted, 0);
        g_clear_pointer(&json, g_free);

        /* Unknown options and wrong types are named errors. */
        {
                g_autoptr(sd_bus_message) reply = NULL;
                ck_assert_int_lt(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "CheckWithOptions", &error, &reply, "sa{sv}", source, 1,
                                                    "colour", "s", "red"), 0);
                ck_assert_str_eq(error.name, SD_BUS_ERROR_INVALID_ARGS);
                ck_assert_contains(error.message, "colour");
                sd_bus_error_free(&error);
                ck_assert_int_lt(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "CheckWithOptions", &error, &reply, "sa{sv}", source, 1,
                                                    "max-candidates", "s", "all"), 0);
                ck_assert_str_eq(error.name, SD_BUS_ERROR_INVALID_ARGS);
                sd_bus_error_free(&error);
                ck_assert_ptr_null(call_check(f, "CheckWithOptions", "{\"devices\": [", 3, &error));
                ck_assert_str_eq(error.name, SD_BUS_ERROR_INVALID_ARGS);
                sd_bus_error_free(&error);
        }

        /* Nothing about the initial scan reached the early listener. */
        while (sd_bus_process(f->bus, NULL) > 0)
                ;
        ck_assert_uint_eq(f->signals, 0);

        /* A rescan (sequential) finds what the threaded start found:
         * nothing changes, the generation stays. */
        {
                uint64_t g1 = 0, g2 = 0;
                uint32_t count = 0;
                ck_assert_int_ge(sd_bus_get_property_trivial(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                             "Generation", &error, 't', &g1), 0);
                ck_assert_int_ge(sd_bus_call_method(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "Rescan", &error, NULL, NULL), 0);
                ck_assert_int_ge(sd_bus_get_property_trivial(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                             "Generation", &error, 't', &g2), 0);
                ck_assert_int_ge(sd_bus_get_property_trivial(f->bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                             "NImplementations", &error, 'u', &count), 0);
                ck_assert_uint_eq(g1, g2);
                ck_assert_uint_eq(count, n);
        }

        /* Once ready, a change is signalled. */
        {
                g_autofree char *p = mc_testbed_big_parent(0);
                mc_testbed_set_available(f->tb, p, "bigvgpu-0", 1);
                mc_testbed_uevent(f->tb, p, "change");
                for (int i = 0; i < 200 && f->signals == 0; i++) {
                        sd_bus_process(f->bus, NULL);
                        sd_bus_wait(f->bus, 50 * 1000);
                }
                ck_assert_uint_gt(f->signals, 0);
        }

        /* The same question, asked again, gets the answer it got; after a
         * change, the new one (the chosen type ran out of instances). */
        {
                g_autofree char *before = call_check(f, "Check", source, -1, &error);
                g_autofree char *again = call_check(f, "Check", source, -1, &error);
                g_autofree char *after = NULL, *p = NULL, *chosen = NULL;
                g_autoptr(JsonNode) b = NULL, a = NULL;
                JsonObject *bdev, *adev;
                const char *parent;

                ck_assert_msg(before && again, "%s", error.message);
                ck_assert_str_eq(before, again);
                b = parse_node(before);
                bdev = json_array_get_object_element(
                        json_object_get_array_member(json_node_get_object(b), "devices"), 0);
                chosen = g_strdup(json_object_get_string_member(bdev, "implementation"));
                parent = json_object_get_string_member(
                        json_object_get_object_member(
                                json_array_get_object_element(json_object_get_array_member(bdev, "candidates"), 0),
                                "recipe"),
                        "parent");
                for (guint i = 0; i < 40 && !p; i++) {
                        g_autofree char *sp = mc_testbed_big_parent(i);
                        if (g_str_has_suffix(sp, parent))
                                p = g_steal_pointer(&sp);
                }
                ck_assert_msg(p, "no parent %s", parent);

                mc_testbed_set_available(f->tb, p, "bigvgpu-1", 0);
                mc_testbed_uevent(f->tb, p, "change");
                /* Until the change is published (a property read is not a
                 * check; a signal could be one left from the change above). */
                for (int i = 0; i < 250; i++) {
                        uint64_t g = 0;
                        ck_assert_int_ge(sd_bus_get_property_trivial(f->bus, MC_BUS_NAME, MC_BUS_PATH,
                                                                     MC_BUS_MANAGER_IFACE, "Generation", &error,
                                                                     't', &g), 0);
                        if ((gint64) g > json_object_get_int_member(json_node_get_object(b), "generation"))
                                break;
                        g_usleep(20 * 1000);
                }
                after = call_check(f, "Check", source, -1, &error);
                ck_assert_msg(after, "%s", error.message);
                a = parse_node(after);
                adev = json_array_get_object_element(
                        json_object_get_array_member(json_node_get_object(a), "devices"), 0);
                ck_assert_str_ne(json_object_get_string_member(adev, "implementation"), chosen);
                ck_assert_int_gt(json_object_get_int_member(json_node_get_object(a), "generation"),
                                 json_object_get_int_member(json_node_get_object(b), "generation"));
        }

        /* Six answers, one from memory ("again"): the others were each
         * asked first, or first since a change. Refused arguments are not
         * answers. */
        {
                g_autofree char *log = NULL;
                ck_assert_int_eq(mc_harness_stop_daemon(f->h), 0);
                log = mc_harness_daemon_log(f->h);
                ck_assert_contains(log, "Answered 6 checks, 1 of them from memory");
        }
}
END_TEST

static Suite *scale_suite(void) {
        Suite *s = suite_create("scale");
        TCase *engine = tcase_create("engine");
        TCase *daemon = tcase_create("daemon");
        TCase *bus = tcase_create("bus");

        tcase_add_test(engine, fast_reader_corpus);
        tcase_add_test(engine, fast_reader_takes_plain_sources);
        tcase_add_test(engine, fast_reader_leaves_the_rest);
        tcase_add_test(engine, writer_matches_json_glib);
        tcase_add_test(engine, candidate_limit);
        tcase_add_test(engine, candidate_limit_shares_instances);
        tcase_add_test(engine, catalog_groups_follow_changes);
        tcase_add_test(engine, catalog_serial_follows_changes);
        suite_add_tcase(s, engine);

        tcase_add_test(daemon, registry_paths_and_quiet);
        tcase_add_test(daemon, facts_cache_shares_and_forgets);
        tcase_add_test(daemon, mdev_types_share_facts);
        tcase_add_test(daemon, sysfs_sub_handles);
        tcase_add_test(daemon, data_file_memo_follows_changes);
        tcase_add_test(daemon, answer_cache_same_question_same_serial);
        tcase_add_test(daemon, answer_cache_bounds);
        suite_add_tcase(s, daemon);

        tcase_set_timeout(bus, 120);
        tcase_add_test(bus, bus_check_lists_and_counts);
        suite_add_tcase(s, bus);
        return s;
}

MC_TEST_MAIN(scale_suite)
