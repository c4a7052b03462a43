/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The mdev source on umockdev hosts: enumeration of every parent family,
 * every uevent kind producing exactly the expected put/remove calls,
 * odd and hostile sysfs, migration attributes, data-file fallback,
 * describe, and the sysfs readers underneath. */

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mc-error.h"
#include "mc-parse.h"
#include "mc-test-main.h"
#include "mdev-source.h"
#include "sysfs.h"
#include "testbed.h"

#define GVT "/sys/devices/pci0000:00/0000:00:02.0"
#define GVT_TYPES GVT "/mdev_supported_types"
#define MTTY "/sys/devices/virtual/mtty/mtty"
#define ACME "/sys/devices/pci0000:5e/0000:5e:00.0"
#define ACME_TYPES ACME "/mdev_supported_types"
#define NVIDIA "/sys/devices/pci0000:3b/0000:3b:00.0/0000:3b:00.0"
#define UUID1 "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define UUID2 "c4f2b1a0-7d3e-4b8a-9f61-2e5d8c7b6a50"

#define ID_V5_4 "mdev:0000:00:02.0:i915-GVTg_V5_4"
#define ID_V5_8 "mdev:0000:00:02.0:i915-GVTg_V5_8"

/* ---- fixture: a source publishing into a recorder ------------------------ */

typedef struct {
        McTestbed *tb;
        sd_event *event;
        McMdevSource *src;
        GHashTable *published; /* id -> McImpl* */
        GPtrArray *log;        /* "put ID", "remove ID" since the last check */
        guint changed;
        GPtrArray *data_files; /* McDataFile*, for lookup */
        guint lookups;
} Fx;

static void rec_put(void *ud, McImpl *impl) {
        Fx *fx = ud;
        g_ptr_array_add(fx->log, g_strdup_printf("put %s", impl->id));
        g_hash_table_replace(fx->published, g_strdup(impl->id), impl);
}

static void rec_remove(void *ud, const char *id) {
        Fx *fx = ud;
        ck_assert_msg(g_hash_table_contains(fx->published, id), "removed unknown %s", id);
        g_ptr_array_add(fx->log, g_strdup_printf("remove %s", id));
        g_hash_table_remove(fx->published, id);
}

static void rec_changed(void *ud) {
        Fx *fx = ud;
        fx->changed++;
}

static const McDataFile *rec_lookup(void *ud, const char *driver, const char *type_id,
                                    const char **untrusted G_GNUC_UNUSED) {
        Fx *fx = ud;
        fx->lookups++;
        for (guint i = 0; i < fx->data_files->len; i++)
                if (mc_data_file_matches(fx->data_files->pdata[i], driver, type_id))
                        return fx->data_files->pdata[i];
        return NULL;
}

static Fx *fx_new(void) {
        Fx *fx = g_new0(Fx, 1);
        fx->tb = mc_testbed_new();
        fx->published = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) mc_impl_unref);
        fx->log = g_ptr_array_new_with_free_func(g_free);
        fx->data_files = g_ptr_array_new_with_free_func((GDestroyNotify) mc_data_file_free);
        ck_assert_int_ge(sd_event_new(&fx->event), 0);
        return fx;
}

static void fx_add_data_file(Fx *fx, const char *json, const char *origin) {
        g_autoptr(GError) error = NULL;
        McDataFile *f = mc_data_file_parse(json, strlen(json), origin, &error);
        ck_assert_msg(f, "data file: %s", error ? error->message : "?");
        g_ptr_array_add(fx->data_files, f);
}

/* Create the source on the host built so far, as the daemon does. */
static void fx_start(Fx *fx) {
        static const McMdevSourceOps ops = {
                .put = rec_put,
                .remove = rec_remove,
                .changed = rec_changed,
                .lookup = rec_lookup,
        };
        g_autoptr(GError) error = NULL;

        fx->src = mc_mdev_source_new(&ops, fx, &error);
        ck_assert_msg(fx->src, "%s", error ? error->message : "?");
        ck_assert_msg(mc_mdev_source_attach(fx->src, fx->event, &error), "%s",
                      error ? error->message : "?");
        mc_mdev_source_rescan_all(fx->src);
}

static void fx_free(Fx *fx) {
        mc_mdev_source_free(fx->src);
        sd_event_unref(fx->event);
        g_hash_table_unref(fx->published);
        g_ptr_array_unref(fx->log);
        g_ptr_array_unref(fx->data_files);
        mc_testbed_free(fx->tb);
        g_free(fx);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Fx, fx_free)

/* Dispatch every uevent the testbed sent. umockdev writes a uevent into
 * each listener's socket before umockdev_testbed_uevent() returns, so
 * once a non-blocking iteration dispatches nothing, all were handled. */
static void fx_dispatch(Fx *fx) {
        for (int i = 0; i < 1000; i++) {
                int r = sd_event_run(fx->event, 0);
                ck_assert_int_ge(r, 0);
                if (r == 0)
                        return;
        }
        ck_abort_msg("event loop does not settle");
}

static gint cmp_str(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Assert the put/remove calls since the last check, in any order:
 * expected is "put ID|remove ID|..." ("" for none). Clears the log. */
static void fx_expect(Fx *fx, const char *expected) {
        g_auto(GStrv) want = *expected ? g_strsplit(expected, "|", -1) : g_new0(char *, 1);
        g_autoptr(GPtrArray) got = g_ptr_array_new();
        g_autofree char *got_s = NULL, *want_s = NULL;

        for (guint i = 0; i < fx->log->len; i++)
                g_ptr_array_add(got, fx->log->pdata[i]);
        g_ptr_array_sort(got, cmp_str);
        g_ptr_array_add(got, NULL);
        qsort(want, g_strv_length(want), sizeof(char *), cmp_str);
        got_s = g_strjoinv("|", (char **) got->pdata);
        want_s = g_strjoinv("|", want);
        ck_assert_msg(strcmp(got_s, want_s) == 0, "calls: expected [%s], got [%s]", want_s,
                      got_s);
        g_ptr_array_set_size(fx->log, 0);
}

static const McImpl *fx_get(Fx *fx, const char *id) {
        const McImpl *impl = g_hash_table_lookup(fx->published, id);
        ck_assert_msg(impl, "%s not published", id);
        return impl;
}

/* ---- capturing warnings (mc_log writes to stderr) ------------------------ */

typedef struct {
        int saved;
        char path[64];
} Capture;

static void capture_begin(Capture *c) {
        int fd;
        strcpy(c->path, "/tmp/test-mdev-log-XXXXXX");
        fd = mkstemp(c->path);
        ck_assert_int_ge(fd, 0);
        fflush(stderr);
        c->saved = dup(2);
        dup2(fd, 2);
        close(fd);
}

static char *capture_end(Capture *c) {
        char *text = NULL;
        fflush(stderr);
        dup2(c->saved, 2);
        close(c->saved);
        ck_assert(g_file_get_contents(c->path, &text, NULL, NULL));
        unlink(c->path);
        /* Show what was logged, for whoever reads the test output. */
        fputs(text, stderr);
        return text;
}

static guint count_substr(const char *s, const char *sub) {
        guint n = 0;
        for (const char *p = strstr(s, sub); p; p = strstr(p + 1, sub))
                n++;
        return n;
}

/* ---- enumeration ----------------------------------------------------------- */

static void add_all_families(McTestbed *tb) {
        g_free(mc_testbed_add_mtty(tb));
        g_free(mc_testbed_add_mdpy(tb));
        g_free(mc_testbed_add_mbochs(tb));
        g_free(mc_testbed_add_gvt(tb, "0000:00:02.0"));
        g_free(mc_testbed_add_nvidia(tb, "0000:3b:00.0"));
        g_free(mc_testbed_add_vfio_ap(tb));
        g_free(mc_testbed_add_vfio_ccw(tb, "0.0.0313"));
        g_free(mc_testbed_add_acme(tb, "0000:5e:00.0"));
}

static const char *const all_ids[] = {
        "mdev:mtty:mtty-1",
        "mdev:mtty:mtty-2",
        "mdev:mdpy:mdpy-vga",
        "mdev:mdpy:mdpy-xga",
        "mdev:mdpy:mdpy-hd",
        "mdev:mbochs:mbochs-small",
        "mdev:mbochs:mbochs-medium",
        "mdev:mbochs:mbochs-large",
        "mdev:0000:00:02.0:i915-GVTg_V5_1",
        "mdev:0000:00:02.0:i915-GVTg_V5_2",
        "mdev:0000:00:02.0:i915-GVTg_V5_4",
        "mdev:0000:00:02.0:i915-GVTg_V5_8",
        "mdev:0000:3b:00.0:nvidia-63",
        "mdev:0000:3b:00.0:nvidia-64",
        "mdev:0000:3b:00.0:nvidia-65",
        "mdev:0000:3b:00.0:nvidia-66",
        "mdev:matrix:vfio_ap-passthrough",
        "mdev:0.0.0313:vfio_ccw-io",
        "mdev:0000:5e:00.0:acme_vgpu-1",
        "mdev:0000:5e:00.0:acme_vgpu-2",
        "mdev:0000:5e:00.0:acme_vgpu-4",
        NULL,
};

static void assert_type(Fx *fx, const char *parent, const char *type_id, const char *driver,
                        const char *name, const char *description, const char *device_api,
                        int64_t available) {
        g_autofree char *id = mc_mdev_impl_id(parent, type_id);
        const McImpl *impl = fx_get(fx, id);

        ck_assert_int_eq(impl->kind, MC_KIND_MDEV);
        ck_assert_str_eq(impl->parent, parent);
        ck_assert_str_eq(impl->type_id, type_id);
        ck_assert_pstr_eq(impl->driver, driver);
        ck_assert_pstr_eq(impl->name, name);
        ck_assert_pstr_eq(impl->description, description);
        ck_assert_pstr_eq(impl->device_api, device_api);
        ck_assert_int_eq(impl->available, available);
}

START_TEST(test_enumerate_families) {
        g_autoptr(Fx) fx = fx_new();
        g_autoptr(GPtrArray) want = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *expected = NULL;
        const McImpl *impl;

        add_all_families(fx->tb);
        fx_start(fx);

        for (guint i = 0; all_ids[i]; i++)
                g_ptr_array_add(want, g_strdup_printf("put %s", all_ids[i]));
        g_ptr_array_add(want, NULL);
        expected = g_strjoinv("|", (char **) want->pdata);
        fx_expect(fx, expected);
        ck_assert_uint_eq(fx->changed, 1);
        ck_assert_uint_eq(mc_mdev_source_n_parents(fx->src), 8);
        ck_assert_uint_eq(mc_mdev_source_n_types(fx->src), 21);
        ck_assert_uint_eq(mc_mdev_source_n_instances(fx->src), 0);

        assert_type(fx, "mtty", "mtty-1", NULL, "Single port serial", NULL, "vfio-pci", 24);
        assert_type(fx, "mtty", "mtty-2", NULL, "Dual port serial", NULL, "vfio-pci", 12);
        assert_type(fx, "mdpy", "mdpy-xga", NULL, "mdpy-xga",
                    "virtual display, 1024x768 framebuffer", "vfio-pci", 4);
        assert_type(fx, "mbochs", "mbochs-large", NULL, "mbochs-large",
                    "virtual display, 64 MB video memory", "vfio-pci", 4);
        /* Multi-line descriptions keep their lines; only the final
         * newline the kernel prints is dropped. */
        assert_type(fx, "0000:00:02.0", "i915-GVTg_V5_4", "i915", "GVTg_V5_4",
                    "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: "
                    "1920x1200\nweight: 4",
                    "vfio-pci", 5);
        assert_type(fx, "0000:00:02.0", "i915-GVTg_V5_8", "i915", "GVTg_V5_8",
                    "low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: "
                    "1024x768\nweight: 2",
                    "vfio-pci", 7);
        assert_type(fx, "0000:3b:00.0", "nvidia-63", "nvidia", "GRID P4-1Q",
                    "num_heads=4, frl_config=60, framebuffer=1024M, max_resolution=5120x2880, "
                    "max_instance=8",
                    "vfio-pci", 8);
        assert_type(fx, "matrix", "vfio_ap-passthrough", "vfio_ap", "VFIO AP Passthrough Device",
                    NULL, "vfio-ap", 72351);
        assert_type(fx, "0.0.0313", "vfio_ccw-io", "vfio_ccw", "I/O subchannel (Non-QDIO)", NULL,
                    "vfio-ccw", 1);

        impl = fx_get(fx, ID_V5_4);
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_int_eq(impl->facts_from, MC_FACTS_NONE);
        ck_assert_str_eq(impl->not_migratable_reason,
                         "driver i915 publishes no migration attributes and no model data file "
                         "matches driver i915 type i915-GVTg_V5_4");
        impl = fx_get(fx, "mdev:mtty:mtty-1");
        ck_assert_str_eq(impl->not_migratable_reason,
                         "parent mtty has no driver, publishes no migration attributes, and no "
                         "model data file matches type mtty-1");

        /* A second rescan of an unchanged host publishes nothing. */
        mc_mdev_source_rescan_all(fx->src);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, 1);
}
END_TEST

START_TEST(test_enumerate_empty_host) {
        g_autoptr(Fx) fx = fx_new();
        Capture c;
        g_autofree char *log = NULL;

        /* No /sys/class/mdev_bus at all: the normal host. Quietly empty. */
        capture_begin(&c);
        fx_start(fx);
        log = capture_end(&c);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, 0);
        ck_assert_str_eq(log, "");
}
END_TEST

/* ---- migration attributes ------------------------------------------------------ */

START_TEST(test_migration_attributes) {
        g_autoptr(Fx) fx = fx_new();
        const McImpl *impl;
        const McModel *m;

        g_free(mc_testbed_add_acme(fx->tb, "0000:5e:00.0"));
        /* A data file matching everything must not be used for types whose
         * driver speaks for itself. */
        fx_add_data_file(fx,
                         "{\"match\": {\"driver\": \"acme_vgpu\"}, \"models\": {\"other.example/x\": {\"versions\": [\"v9\"]}}}",
                         "/usr/share/migcompat/mdev-models.d/any.json");
        fx_start(fx);
        ck_assert_uint_eq(fx->lookups, 0);

        /* Text only (RFC v4): versions, nothing else known. */
        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-1");
        ck_assert_int_eq(impl->facts_from, MC_FACTS_DRIVER);
        ck_assert_ptr_null(impl->facts_file);
        ck_assert_ptr_null(impl->not_migratable_reason);
        ck_assert_uint_eq(impl->info->models->len, 1);
        m = impl->info->models->pdata[0];
        ck_assert_str_eq(m->model, MC_TESTBED_ACME_MODEL);
        ck_assert_uint_eq(m->versions->len, 2);
        ck_assert_str_eq(m->versions->pdata[0], "v2");
        ck_assert_str_eq(m->versions->pdata[1], "v1");
        ck_assert_uint_eq(m->params->len, 0);
        ck_assert(!m->caps_known);
        ck_assert_int_eq(impl->available, 3);

        /* JSON only (RFC v3 + versions): parameters and capabilities. */
        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-2");
        ck_assert_int_eq(impl->facts_from, MC_FACTS_DRIVER);
        m = impl->info->models->pdata[0];
        ck_assert_str_eq(m->model, MC_TESTBED_ACME_MODEL);
        ck_assert_uint_eq(m->versions->len, 2);
        ck_assert_uint_eq(m->params->len, 2);
        ck_assert_ptr_nonnull(mc_model_find_param(m, "framebuffer"));
        ck_assert_ptr_nonnull(mc_model_find_param(m, "display"));
        ck_assert(m->caps_known);
        ck_assert_uint_eq(m->caps, MC_CAP_STOP_COPY | MC_CAP_PRE_COPY | MC_CAP_DIRTY_TRACKING);

        /* Both, agreeing: merged. */
        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-4");
        ck_assert_int_eq(impl->facts_from, MC_FACTS_DRIVER);
        m = impl->info->models->pdata[0];
        ck_assert_uint_eq(m->versions->len, 2);
        ck_assert_uint_eq(m->params->len, 2);
        ck_assert(m->caps_known);
}
END_TEST

START_TEST(test_migration_attributes_bad) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *p = mc_testbed_add_pci_parent(fx->tb, "0000:5e:00.0", "acme_vgpu");
        const McTestType conflicting = { "acme_vgpu-c", "C", NULL, "vfio-pci", 1,
                                         MC_TESTBED_ACME_MODEL ":\nv3\n",
                                         mc_testbed_acme_info_json };
        const McTestType bad_text = { "acme_vgpu-t", "T", NULL, "vfio-pci", 1,
                                      "this is not: the format\n", NULL };
        const McTestType bad_json = { "acme_vgpu-j", "J", NULL, "vfio-pci", 1, NULL,
                                      "{\"models\": " };
        const McTestType unknown_member = { "acme_vgpu-u", "U", NULL, "vfio-pci", 1, NULL,
                                            "{\"models\": {}, \"surprise\": 1}" };
        const McTestType good = { "acme_vgpu-g", "G", NULL, "vfio-pci", 1,
                                  mc_testbed_acme_device_models, NULL };
        const McImpl *impl;
        Capture c;
        g_autofree char *log = NULL;

        mc_testbed_add_type(fx->tb, p, &conflicting);
        mc_testbed_add_type(fx->tb, p, &bad_text);
        mc_testbed_add_type(fx->tb, p, &bad_json);
        mc_testbed_add_type(fx->tb, p, &unknown_member);
        mc_testbed_add_type(fx->tb, p, &good);
        mc_testbed_add_type(fx->tb, p,
                            &(McTestType) { "acme_vgpu-big", "B", NULL, "vfio-pci", 1, NULL,
                                            "{}" });
        mc_testbed_break_oversized(fx->tb, ACME_TYPES "/acme_vgpu-big/migration_info.json",
                                   MC_MAX_DOCUMENT_SIZE + 1);
        mc_testbed_add_type(fx->tb, p,
                            &(McTestType) { "acme_vgpu-dir", "D", NULL, "vfio-pci", 1,
                                            "x", NULL });
        mc_testbed_break_unreadable(fx->tb,
                                    ACME_TYPES "/acme_vgpu-dir/migration_device_models");
        /* The catch-all data file is not consulted for any of them. */
        fx_add_data_file(fx,
                         "{\"match\": {\"driver\": \"acme_vgpu\"}, \"models\": {\"other.example/x\": {\"versions\": [\"v9\"]}}}",
                         "/etc/migcompat/mdev-models.d/any.json");

        capture_begin(&c);
        fx_start(fx);
        log = capture_end(&c);
        ck_assert_uint_eq(fx->lookups, 0);

        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-c");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_int_eq(impl->facts_from, MC_FACTS_NONE);
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason,
                                     "migration_device_models lists versions"));
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason, "cannot be used"));
        ck_assert_int_eq(impl->available, 1);

        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-t");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason,
                                     ACME_TYPES "/acme_vgpu-t/migration_device_models"));

        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-j");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason,
                                     ACME_TYPES "/acme_vgpu-j/migration_info.json"));

        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-u");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason, "surprise"));

        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-big");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason, "larger than"));

        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-dir");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason, "not a regular file"));

        /* The good type next to them is unaffected. */
        impl = fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-g");
        ck_assert(mc_impl_migratable(impl));

        /* Each problem logged once; a rescan does not repeat them. */
        ck_assert_uint_eq(count_substr(log, "acme_vgpu-t/migration_device_models"), 1);
        ck_assert_uint_eq(count_substr(log, "not migratable"), 6);
        g_clear_pointer(&log, g_free);
        capture_begin(&c);
        mc_mdev_source_rescan_all(fx->src);
        log = capture_end(&c);
        ck_assert_str_eq(log, "");
}
END_TEST

/* ---- data files ------------------------------------------------------------------ */

static const char gvt_data_file[] =
        "{\"match\": {\"driver\": \"i915\", \"type\": \"i915-GVTg_V5_*\"},"
        " \"models\": {\"intel.com/gvt-g\": {\"versions\": [\"v1\"]}}}";

START_TEST(test_data_file_fallback) {
        g_autoptr(Fx) fx = fx_new();
        const McImpl *impl;

        g_free(mc_testbed_add_gvt(fx->tb, "0000:00:02.0"));
        g_free(mc_testbed_add_mtty(fx->tb));
        g_free(mc_testbed_add_acme(fx->tb, "0000:5e:00.0"));
        fx_add_data_file(fx, gvt_data_file, "/usr/share/migcompat/mdev-models.d/i915.json");
        fx_start(fx);

        impl = fx_get(fx, ID_V5_4);
        ck_assert(mc_impl_migratable(impl));
        ck_assert_int_eq(impl->facts_from, MC_FACTS_DATA_FILE);
        ck_assert_str_eq(impl->facts_file, "/usr/share/migcompat/mdev-models.d/i915.json");
        ck_assert_ptr_null(impl->not_migratable_reason);
        ck_assert_str_eq(((McModel *) impl->info->models->pdata[0])->model, "intel.com/gvt-g");
        /* Only types without driver attributes asked: 4 GVT + 2 mtty. */
        ck_assert_uint_eq(fx->lookups, 6);
        impl = fx_get(fx, "mdev:mtty:mtty-2");
        ck_assert(!mc_impl_migratable(impl));
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put mdev:0000:00:02.0:i915-GVTg_V5_4|put mdev:0000:00:02.0:i915-GVTg_V5_8|"
                      "put mdev:mtty:mtty-1|put mdev:mtty:mtty-2|"
                      "put mdev:0000:5e:00.0:acme_vgpu-1|put mdev:0000:5e:00.0:acme_vgpu-2|"
                      "put mdev:0000:5e:00.0:acme_vgpu-4");

        /* The data file goes away: only the types that used it change, from
         * memory. Remove the testbed's files to prove sysfs is not read. */
        g_ptr_array_set_size(fx->data_files, 0);
        fx->changed = 0;
        fx->lookups = 0;
        mc_testbed_remove(fx->tb, GVT_TYPES "/i915-GVTg_V5_4/name");
        mc_mdev_source_refresh_facts(fx->src);
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put mdev:0000:00:02.0:i915-GVTg_V5_4|put mdev:0000:00:02.0:i915-GVTg_V5_8");
        ck_assert_uint_eq(fx->changed, 1);
        ck_assert_uint_eq(fx->lookups, 6);
        impl = fx_get(fx, ID_V5_4);
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_str_eq(impl->name, "GVTg_V5_4");
        ck_assert_ptr_null(impl->facts_file);

        /* Refreshing again with nothing changed publishes nothing. */
        mc_mdev_source_refresh_facts(fx->src);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, 1);
}
END_TEST

/* ---- uevents: instances ------------------------------------------------------------- */

START_TEST(test_uevent_instance_add_remove) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *inst = NULL;

        g_free(mc_testbed_add_gvt(fx->tb, "0000:00:02.0"));
        g_free(mc_testbed_add_mtty(fx->tb));
        fx_start(fx);
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put " ID_V5_4 "|put " ID_V5_8 "|put mdev:mtty:mtty-1|put mdev:mtty:mtty-2");
        fx->changed = 0;

        /* The kernel lowers the count of the type (the testbed does) and,
         * with shared GPU memory, of others: both are re-read. */
        mc_testbed_set_available(fx->tb, GVT, "i915-GVTg_V5_8", 6);
        inst = mc_testbed_add_instance(fx->tb, GVT, "i915-GVTg_V5_4", UUID1, NULL, true);
        fx_dispatch(fx);
        fx_expect(fx, "put " ID_V5_4 "|put " ID_V5_8);
        ck_assert_uint_eq(fx->changed, 1);
        ck_assert_int_eq(fx_get(fx, ID_V5_4)->available, 4);
        ck_assert_int_eq(fx_get(fx, ID_V5_8)->available, 6);
        ck_assert_uint_eq(mc_mdev_source_n_instances(fx->src), 1);

        mc_testbed_remove_instance(fx->tb, inst, true);
        fx_dispatch(fx);
        fx_expect(fx, "put " ID_V5_4);
        ck_assert_uint_eq(fx->changed, 2);
        ck_assert_int_eq(fx_get(fx, ID_V5_4)->available, 5);
        ck_assert_uint_eq(mc_mdev_source_n_instances(fx->src), 0);
}
END_TEST

START_TEST(test_uevent_instance_change_bind_unbind) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *acme = mc_testbed_add_acme(fx->tb, "0000:5e:00.0");
        const char *const mig[] = { "device_model", MC_TESTBED_ACME_MODEL, "version", "v1", NULL };
        g_autofree char *inst = mc_testbed_add_instance(fx->tb, acme, "acme_vgpu-1", UUID1, mig,
                                                        false);
        g_autofree char *version = g_strconcat(inst, "/migration/version", NULL);
        g_autoptr(McSrcDevice) d1 = NULL, d2 = NULL, d3 = NULL;
        g_autoptr(GError) error = NULL;
        const char *const actions[] = { "change", "bind", "unbind", "move" };

        fx_start(fx);
        fx_expect(fx, "put mdev:0000:5e:00.0:acme_vgpu-1|put mdev:0000:5e:00.0:acme_vgpu-2|"
                      "put mdev:0000:5e:00.0:acme_vgpu-4");
        ck_assert_int_eq(fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-1")->available, 2);
        d1 = mc_mdev_source_describe(fx->src, UUID1, &error);
        ck_assert_msg(d1, "%s", error ? error->message : "?");
        ck_assert_str_eq(d1->version, "v1");

        /* Each action re-reads the instance; counts did not change, so
         * nothing is published. */
        for (guint i = 0; i < G_N_ELEMENTS(actions); i++) {
                g_autoptr(McSrcDevice) d = NULL;
                const char *v = i % 2 ? "v1" : "v2";
                g_autofree char *line = g_strconcat(v, "\n", NULL);

                mc_testbed_write(fx->tb, version, line, -1);
                mc_testbed_uevent(fx->tb, inst, actions[i]);
                fx_dispatch(fx);
                fx_expect(fx, "");
                d = mc_mdev_source_describe(fx->src, UUID1, &error);
                ck_assert_msg(d, "%s", error ? error->message : "?");
                ck_assert_msg(strcmp(d->version, v) == 0, "%s: version %s, expected %s",
                              actions[i], d->version, v);
        }

        /* Without a uevent, the record in memory is what is described:
         * the query path does no sysfs I/O. */
        mc_testbed_write(fx->tb, version, "v2\n", -1);
        d2 = mc_mdev_source_describe(fx->src, UUID1, &error);
        ck_assert_str_eq(d2->version, "v1");
        mc_testbed_remove(fx->tb, inst);
        d3 = mc_mdev_source_describe(fx->src, UUID1, &error);
        ck_assert_msg(d3, "%s", error ? error->message : "?");
        ck_assert_str_eq(d3->version, "v1");
}
END_TEST

/* ---- uevents: parents ------------------------------------------------------------- */

START_TEST(test_uevent_parent_add_remove) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *gvt = NULL, *nvidia = NULL;

        g_free(mc_testbed_add_mtty(fx->tb));
        fx_start(fx);
        fx_expect(fx, "put mdev:mtty:mtty-1|put mdev:mtty:mtty-2");
        fx->changed = 0;

        /* A driver registers a parent: add (bind/change follow on a real
         * host; each is handled, the second publishes nothing). */
        gvt = mc_testbed_add_gvt(fx->tb, "0000:00:02.0");
        mc_testbed_uevent(fx->tb, gvt, "add");
        fx_dispatch(fx);
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put " ID_V5_4 "|put " ID_V5_8);
        ck_assert_uint_eq(fx->changed, 1);
        mc_testbed_uevent(fx->tb, gvt, "bind");
        mc_testbed_uevent(fx->tb, gvt, "change");
        fx_dispatch(fx);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, 1);

        nvidia = mc_testbed_add_nvidia(fx->tb, "0000:3b:00.0");
        mc_testbed_uevent(fx->tb, nvidia, "bind");
        fx_dispatch(fx);
        fx_expect(fx, "put mdev:0000:3b:00.0:nvidia-63|put mdev:0000:3b:00.0:nvidia-64|"
                      "put mdev:0000:3b:00.0:nvidia-65|put mdev:0000:3b:00.0:nvidia-66");

        /* The GPU goes away: remove arrives when the directory is gone. */
        mc_testbed_uevent(fx->tb, gvt, "remove");
        mc_testbed_break_vanish(fx->tb, gvt);
        mc_testbed_remove(fx->tb, "/sys/class/mdev_bus/0000:00:02.0");
        fx_dispatch(fx);
        fx_expect(fx, "remove mdev:0000:00:02.0:i915-GVTg_V5_1|"
                      "remove mdev:0000:00:02.0:i915-GVTg_V5_2|remove " ID_V5_4 "|remove " ID_V5_8);
        ck_assert_uint_eq(mc_mdev_source_n_parents(fx->src), 2);
        ck_assert_uint_eq(mc_mdev_source_n_types(fx->src), 6);
}
END_TEST

START_TEST(test_uevent_parent_unbind_bind) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *nvidia = mc_testbed_add_nvidia(fx->tb, "0000:3b:00.0");

        g_free(mc_testbed_add_mtty(fx->tb));
        fx_start(fx);
        g_ptr_array_set_size(fx->log, 0);

        /* Unbinding the vendor driver unregisters the parent: the types
         * and the mdev_bus link vanish, the device stays. */
        mc_testbed_remove(fx->tb, NVIDIA "/mdev_supported_types");
        mc_testbed_remove(fx->tb, "/sys/class/mdev_bus/0000:3b:00.0");
        mc_testbed_uevent(fx->tb, nvidia, "change");
        mc_testbed_uevent(fx->tb, nvidia, "unbind");
        fx_dispatch(fx);
        fx_expect(fx, "remove mdev:0000:3b:00.0:nvidia-63|remove mdev:0000:3b:00.0:nvidia-64|"
                      "remove mdev:0000:3b:00.0:nvidia-65|remove mdev:0000:3b:00.0:nvidia-66");
        ck_assert_uint_eq(mc_mdev_source_n_parents(fx->src), 1);

        /* Bound again: registered again. */
        g_free(mc_testbed_add_nvidia(fx->tb, "0000:3b:00.0"));
        mc_testbed_uevent(fx->tb, nvidia, "bind");
        fx_dispatch(fx);
        fx_expect(fx, "put mdev:0000:3b:00.0:nvidia-63|put mdev:0000:3b:00.0:nvidia-64|"
                      "put mdev:0000:3b:00.0:nvidia-65|put mdev:0000:3b:00.0:nvidia-66");
        ck_assert_str_eq(fx_get(fx, "mdev:0000:3b:00.0:nvidia-65")->driver, "nvidia");
}
END_TEST

START_TEST(test_uevent_parent_change_types) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *gvt = mc_testbed_add_gvt(fx->tb, "0000:00:02.0");
        const McTestType extra = { "i915-GVTg_V5_16", "GVTg_V5_16", "tiny", "vfio-pci", 9, NULL,
                                   NULL };

        g_free(mc_testbed_add_mtty(fx->tb));
        g_free(mc_testbed_add_nvidia(fx->tb, "0000:3b:00.0"));
        fx_start(fx);
        g_ptr_array_set_size(fx->log, 0);
        fx->changed = 0;

        /* One attribute changes: one put, for that type only. */
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_4/description", "changed\n", -1);
        mc_testbed_uevent(fx->tb, gvt, "change");
        fx_dispatch(fx);
        fx_expect(fx, "put " ID_V5_4);
        ck_assert_str_eq(fx_get(fx, ID_V5_4)->description, "changed");

        /* A type appears, another disappears. */
        mc_testbed_add_type(fx->tb, gvt, &extra);
        mc_testbed_remove_type(fx->tb, gvt, "i915-GVTg_V5_1");
        mc_testbed_uevent(fx->tb, gvt, "change");
        fx_dispatch(fx);
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_16|"
                      "remove mdev:0000:00:02.0:i915-GVTg_V5_1");
        ck_assert_uint_eq(fx->changed, 2);
        ck_assert_uint_eq(mc_mdev_source_n_types(fx->src), 2 + 4 + 4);

        /* A uevent with nothing changed: nothing published, no batch. */
        mc_testbed_uevent(fx->tb, gvt, "change");
        mc_testbed_uevent(fx->tb, gvt, "online");
        fx_dispatch(fx);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, 2);
}
END_TEST

START_TEST(test_uevent_unrelated) {
        g_autoptr(Fx) fx = fx_new();
        const char *usb = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
        const char *const actions[] = { "add", "change", "bind", "unbind", "remove" };

        g_free(mc_testbed_add_gvt(fx->tb, "0000:00:02.0"));
        mc_testbed_add_device(fx->tb, usb, "bus/usb", "usb", "DEVTYPE=usb_device\n");
        fx_start(fx);
        g_ptr_array_set_size(fx->log, 0);
        fx->changed = 0;

        for (guint i = 0; i < G_N_ELEMENTS(actions); i++)
                mc_testbed_uevent(fx->tb, usb, actions[i]);
        fx_dispatch(fx);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, 0);
        ck_assert_uint_eq(mc_mdev_source_n_parents(fx->src), 1);
}
END_TEST

START_TEST(test_uevent_incremental) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *p17 = mc_testbed_big_parent(17);
        g_autofree char *type_dir = g_strconcat(p17, "/mdev_supported_types/bigvgpu-3", NULL);
        g_autofree char *name = g_strconcat(type_dir, "/name", NULL);
        g_autofree char *bdf = g_path_get_basename(p17);
        g_autofree char *id = mc_mdev_impl_id(bdf, "bigvgpu-3");
        g_autofree char *inst = NULL;

        ck_assert_uint_eq(mc_testbed_add_big_host(fx->tb, 200, 8, 50), 1600);
        fx_start(fx);
        ck_assert_uint_eq(fx->log->len, 1600);
        ck_assert_uint_eq(mc_mdev_source_n_types(fx->src), 1600);
        g_ptr_array_set_size(fx->log, 0);

        /* Half are migratable, from the driver. */
        ck_assert_int_eq(fx_get(fx, id)->facts_from, (17 * 8 + 3) % 100 < 50 ? MC_FACTS_DRIVER
                                                                             : MC_FACTS_NONE);

        mc_testbed_write(fx->tb, name, "renamed\n", -1);
        mc_testbed_uevent(fx->tb, p17, "change");
        inst = mc_testbed_add_instance(fx->tb, p17, "bigvgpu-5", UUID2, NULL, true);
        fx_dispatch(fx);
        {
                g_autofree char *id5 = mc_mdev_impl_id(bdf, "bigvgpu-5");
                g_autofree char *want = g_strdup_printf("put %s|put %s", id, id5);
                fx_expect(fx, want);
        }
        ck_assert_str_eq(fx_get(fx, id)->name, "renamed");
}
END_TEST

/* ---- odd and hostile sysfs ---------------------------------------------------------- */

START_TEST(test_malformed_attributes) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *gvt = mc_testbed_add_gvt(fx->tb, "0000:00:02.0");
        g_autofree char *log = NULL, *log2 = NULL;
        const McImpl *impl;
        Capture c;

        g_free(mc_testbed_add_mtty(fx->tb));
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_1/available_instances", "lots\n", -1);
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_2/available_instances", "", -1);
        mc_testbed_break_unreadable(fx->tb, GVT_TYPES "/i915-GVTg_V5_4/available_instances");
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_8/available_instances", "-1\n", -1);
        mc_testbed_break_fifo(fx->tb, GVT_TYPES "/i915-GVTg_V5_1/name");
        mc_testbed_break_oversized(fx->tb, GVT_TYPES "/i915-GVTg_V5_2/description", 100000);
        mc_testbed_break_loop(fx->tb, GVT_TYPES "/i915-GVTg_V5_4/name");
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_8/name", "GVT\0g\n", 6);
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_8/description", "\xff\xfe\n", -1);
        mc_testbed_remove(fx->tb, GVT_TYPES "/i915-GVTg_V5_4/device_api");

        capture_begin(&c);
        fx_start(fx);
        log = capture_end(&c);

        /* Every type is still published, with what could be read. */
        ck_assert_uint_eq(g_hash_table_size(fx->published), 6);
        impl = fx_get(fx, "mdev:0000:00:02.0:i915-GVTg_V5_1");
        ck_assert_int_eq(impl->available, 0);
        ck_assert_ptr_null(impl->name);
        ck_assert_str_eq(impl->device_api, "vfio-pci");
        impl = fx_get(fx, "mdev:0000:00:02.0:i915-GVTg_V5_2");
        ck_assert_int_eq(impl->available, 0);
        ck_assert_ptr_null(impl->description);
        ck_assert_str_eq(impl->name, "GVTg_V5_2");
        impl = fx_get(fx, ID_V5_4);
        ck_assert_int_eq(impl->available, 0);
        ck_assert_ptr_null(impl->name);
        ck_assert_ptr_null(impl->device_api);
        ck_assert_ptr_nonnull(impl->description);
        impl = fx_get(fx, ID_V5_8);
        ck_assert_int_eq(impl->available, 0);
        ck_assert_ptr_null(impl->name);
        ck_assert_ptr_null(impl->description);
        ck_assert_int_eq(fx_get(fx, "mdev:mtty:mtty-1")->available, 24);

        /* Each named once, with a reason a person can act on. */
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_1/available_instances: \"lots\" is not "
                                            "a decimal number"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_2/available_instances: is empty"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_4/available_instances: is not a "
                                            "regular file"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_8/available_instances: \"-1\""), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_1/name: is not a regular file"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_2/description: larger than"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_4/name: is a symbolic link"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_8/name: contains a NUL byte"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_8/description: is not valid UTF-8"), 1);
        ck_assert_uint_eq(count_substr(log, "i915-GVTg_V5_4/device_api: does not exist"), 1);
        ck_assert_uint_eq(count_substr(log, "publishing 0 free instances"), 4);

        /* Not per rescan: neither a full rescan nor a uevent repeats them. */
        capture_begin(&c);
        mc_mdev_source_rescan_all(fx->src);
        mc_testbed_uevent(fx->tb, gvt, "change");
        fx_dispatch(fx);
        log2 = capture_end(&c);
        ck_assert_str_eq(log2, "");

        /* Fixed: published again with the value; broken again: logged again. */
        g_ptr_array_set_size(fx->log, 0);
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_1/available_instances", "1\n", -1);
        mc_testbed_uevent(fx->tb, gvt, "change");
        fx_dispatch(fx);
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1");
        ck_assert_int_eq(fx_get(fx, "mdev:0000:00:02.0:i915-GVTg_V5_1")->available, 1);
        g_clear_pointer(&log2, g_free);
        capture_begin(&c);
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_1/available_instances", "lots\n", -1);
        mc_testbed_uevent(fx->tb, gvt, "change");
        fx_dispatch(fx);
        log2 = capture_end(&c);
        ck_assert_uint_eq(count_substr(log2, "i915-GVTg_V5_1/available_instances"), 1);
}
END_TEST

START_TEST(test_malformed_types) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *gvt = mc_testbed_add_gvt(fx->tb, "0000:00:02.0");
        g_autofree char *log = NULL;
        const McImpl *impl;
        Capture c;

        /* A type directory that is a symlink loop, one that is a plain
         * file, and a name no implementation id can hold. */
        mc_testbed_break_loop(fx->tb, GVT_TYPES "/i915-GVTg_V5_2");
        mc_testbed_remove(fx->tb, GVT_TYPES "/i915-GVTg_V5_1");
        mc_testbed_write(fx->tb, GVT_TYPES "/i915-GVTg_V5_1", "not a directory\n", -1);
        mc_testbed_add_type(fx->tb, gvt,
                            &(McTestType) { "bad type", "x", NULL, "vfio-pci", 1, NULL, NULL });
        mc_testbed_add_type(fx->tb, gvt,
                            &(McTestType) { "bad\xc3\xa9", "x", NULL, "vfio-pci", 1, NULL, NULL });

        capture_begin(&c);
        fx_start(fx);
        log = capture_end(&c);

        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put " ID_V5_4 "|put " ID_V5_8);
        impl = fx_get(fx, "mdev:0000:00:02.0:i915-GVTg_V5_2");
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_int_eq(impl->available, 0);
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason, "is a symbolic link"));
        impl = fx_get(fx, "mdev:0000:00:02.0:i915-GVTg_V5_1");
        ck_assert_ptr_nonnull(strstr(impl->not_migratable_reason, "expected a directory"));
        ck_assert_int_eq(fx_get(fx, ID_V5_4)->available, 5);
        ck_assert_uint_eq(count_substr(log, "type id is not printable ASCII"), 2);
}
END_TEST

START_TEST(test_parent_vanishes) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *gvt = mc_testbed_add_gvt(fx->tb, "0000:00:02.0");
        g_autofree char *nvidia = mc_testbed_add_nvidia(fx->tb, "0000:3b:00.0");
        g_autofree char *log = NULL;
        Capture c;

        g_free(mc_testbed_add_mtty(fx->tb));
        /* Gone between the kernel's listing and our reading: its mdev_bus
         * link dangles. Skipped without a word; the others are read. */
        mc_testbed_break_vanish(fx->tb, nvidia);
        capture_begin(&c);
        fx_start(fx);
        log = capture_end(&c);
        ck_assert_str_eq(log, "");
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put " ID_V5_4 "|put " ID_V5_8 "|put mdev:mtty:mtty-1|put mdev:mtty:mtty-2");

        /* A known parent whose directory vanished, seen on its next
         * uevent (a change that raced the removal). */
        mc_testbed_break_vanish(fx->tb, gvt);
        mc_testbed_uevent(fx->tb, MTTY, "change"); /* unrelated, still fine */
        {
                /* umockdev can only send uevents for existing devices:
                 * recreate a bare directory to send it, then remove it. */
                mc_testbed_add_device(fx->tb, gvt, "bus/pci", NULL, NULL);
                mc_testbed_uevent(fx->tb, gvt, "change");
                mc_testbed_break_vanish(fx->tb, gvt);
        }
        fx_dispatch(fx);
        fx_expect(fx, "remove mdev:0000:00:02.0:i915-GVTg_V5_1|"
                      "remove mdev:0000:00:02.0:i915-GVTg_V5_2|remove " ID_V5_4 "|remove " ID_V5_8);

        /* The same found by a full rescan (no uevent at all). */
        g_free(mc_testbed_add_gvt(fx->tb, "0000:00:02.0"));
        mc_mdev_source_rescan_all(fx->src);
        fx_expect(fx, "put mdev:0000:00:02.0:i915-GVTg_V5_1|put mdev:0000:00:02.0:i915-GVTg_V5_2|"
                      "put " ID_V5_4 "|put " ID_V5_8);
        mc_testbed_break_vanish(fx->tb, gvt);
        mc_mdev_source_rescan_all(fx->src);
        fx_expect(fx, "remove mdev:0000:00:02.0:i915-GVTg_V5_1|"
                      "remove mdev:0000:00:02.0:i915-GVTg_V5_2|remove " ID_V5_4 "|remove " ID_V5_8);
        ck_assert_uint_eq(mc_mdev_source_n_parents(fx->src), 1);
}
END_TEST

START_TEST(test_parent_unreadable) {
        g_autoptr(Fx) fx = fx_new();
        g_free(mc_testbed_add_gvt(fx->tb, "0000:00:02.0"));
        g_autofree char *log = NULL, *log2 = NULL;
        Capture c;

        g_free(mc_testbed_add_mtty(fx->tb));
        /* mdev_supported_types is a file: not a parent we can publish. */
        mc_testbed_remove(fx->tb, GVT_TYPES);
        mc_testbed_write(fx->tb, GVT_TYPES, "junk\n", -1);
        /* A loop in /sys/class/mdev_bus. */
        mc_testbed_symlink(fx->tb, "loop", "/sys/class/mdev_bus/loop");

        capture_begin(&c);
        fx_start(fx);
        log = capture_end(&c);
        fx_expect(fx, "put mdev:mtty:mtty-1|put mdev:mtty:mtty-2");
        ck_assert_uint_eq(count_substr(log, GVT_TYPES ": expected a directory"), 1);
        ck_assert_uint_eq(count_substr(log, "mdev parent 0000:00:02.0 not published"), 1);
        ck_assert_uint_eq(count_substr(log, "/sys/class/mdev_bus/loop: cannot resolve"), 1);

        capture_begin(&c);
        mc_mdev_source_rescan_all(fx->src);
        log2 = capture_end(&c);
        ck_assert_str_eq(log2, "");
}
END_TEST

/* ---- describe ------------------------------------------------------------------------ */

START_TEST(test_describe) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *acme = mc_testbed_add_acme(fx->tb, "0000:5e:00.0");
        g_autofree char *gvt = mc_testbed_add_gvt(fx->tb, "0000:00:02.0");
        const char *const mig[] = { "device_model", MC_TESTBED_ACME_MODEL, "version", "v1",
                                    "display", "off", "framebuffer", "2048", NULL };
        const char *const bad[] = { "device_model", MC_TESTBED_ACME_MODEL, "version", "v1",
                                    "framebuffer", "huge", NULL };
        const char *const bad_name[] = { "not a name", "x", NULL };
        g_autoptr(McSrcDevice) d = NULL, d2 = NULL, d3 = NULL;
        g_autoptr(GError) error = NULL;
        const McSrcParam *p;

        g_free(mc_testbed_add_instance(fx->tb, acme, "acme_vgpu-2", UUID1, mig, false));
        g_free(mc_testbed_add_instance(fx->tb, acme, "acme_vgpu-4", UUID2, NULL, false));
        g_free(mc_testbed_add_instance(fx->tb, gvt, "i915-GVTg_V5_4",
                                       "11111111-2222-3333-4444-555555555555", NULL, false));
        g_free(mc_testbed_add_instance(fx->tb, acme, "acme_vgpu-2",
                                       "22222222-2222-3333-4444-555555555555", bad, false));
        g_free(mc_testbed_add_instance(fx->tb, acme, "acme_vgpu-2",
                                       "33333333-2222-3333-4444-555555555555", bad_name, false));
        fx_start(fx);
        ck_assert_uint_eq(mc_mdev_source_n_instances(fx->src), 5);

        /* With migration/ attributes: what the device says, and only the
         * parameters that differ from their off_value. */
        d = mc_mdev_source_describe(fx->src, UUID1, &error);
        ck_assert_msg(d, "%s", error ? error->message : "?");
        ck_assert_str_eq(d->id, UUID1);
        ck_assert_str_eq(d->model, MC_TESTBED_ACME_MODEL);
        ck_assert_str_eq(d->version, "v1");
        ck_assert_uint_eq(d->params->len, 1);
        p = mc_src_device_find_param(d, "framebuffer");
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(p->kind, MC_SRC_INT);
        ck_assert_int_eq(p->i, 2048);

        /* Without: the type's only model, preferred version, init values. */
        d2 = mc_mdev_source_describe(fx->src, UUID2, &error);
        ck_assert_msg(d2, "%s", error ? error->message : "?");
        ck_assert_str_eq(d2->model, MC_TESTBED_ACME_MODEL);
        ck_assert_str_eq(d2->version, "v2");
        ck_assert_uint_eq(d2->params->len, 2);
        p = mc_src_device_find_param(d2, "display");
        ck_assert_int_eq(p->kind, MC_SRC_BOOL);
        ck_assert(p->b);
        ck_assert_int_eq(mc_src_device_find_param(d2, "framebuffer")->i, 1024);

        /* Errors. */
        d3 = mc_mdev_source_describe(fx->src, "99999999-0000-0000-0000-000000000000", &error);
        ck_assert_ptr_null(d3);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        g_clear_error(&error);

        d3 = mc_mdev_source_describe(fx->src, "11111111-2222-3333-4444-555555555555", &error);
        ck_assert_ptr_null(d3);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        ck_assert_ptr_nonnull(strstr(error->message, "not migratable"));
        ck_assert_ptr_nonnull(strstr(error->message, "driver i915 publishes no migration"));
        g_clear_error(&error);

        d3 = mc_mdev_source_describe(fx->src, "22222222-2222-3333-4444-555555555555", &error);
        ck_assert_ptr_null(d3);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        ck_assert_ptr_nonnull(strstr(error->message, "huge"));
        g_clear_error(&error);

        d3 = mc_mdev_source_describe(fx->src, "33333333-2222-3333-4444-555555555555", &error);
        ck_assert_ptr_null(d3);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        ck_assert_ptr_nonnull(strstr(error->message, "not a migration parameter"));
        g_clear_error(&error);

        /* An instance created later is known once its uevent is handled. */
        g_free(mc_testbed_add_instance(fx->tb, acme, "acme_vgpu-1",
                                       "44444444-2222-3333-4444-555555555555", NULL, true));
        fx_dispatch(fx);
        d3 = mc_mdev_source_describe(fx->src, "44444444-2222-3333-4444-555555555555", &error);
        ck_assert_msg(d3, "%s", error ? error->message : "?");
        ck_assert_str_eq(d3->version, "v2");
}
END_TEST

/* ---- the checked-in demo host ----------------------------------------------------------- */

START_TEST(test_demo_host) {
        g_autoptr(Fx) fx = fx_new();
        g_autoptr(GError) error = NULL;
        g_autofree char *path = g_build_filename(g_getenv("MC_SOURCE_DIR"), "data", "demo",
                                                 "host.umockdev", NULL);
        g_autoptr(McSrcDevice) d = NULL;

        ck_assert_msg(umockdev_testbed_add_from_file(mc_testbed_umockdev(fx->tb), path, &error),
                      "%s: %s", path, error ? error->message : "?");
        fx_start(fx);
        ck_assert_uint_ge(mc_mdev_source_n_parents(fx->src), 3);
        ck_assert_int_eq(fx_get(fx, ID_V5_4)->available, 4);
        ck_assert_int_eq(fx_get(fx, "mdev:0000:5e:00.0:acme_vgpu-2")->facts_from,
                         MC_FACTS_DRIVER);
        ck_assert_uint_ge(mc_mdev_source_n_instances(fx->src), 2);
        d = mc_mdev_source_describe(fx->src, "4b20d080-1b54-4048-85b3-a6a62d165c01", &error);
        ck_assert_msg(d, "%s", error ? error->message : "?");
        ck_assert_str_eq(d->model, MC_TESTBED_ACME_MODEL);
}
END_TEST

/* ---- sysfs readers ------------------------------------------------------------------------ */

static McSysfsDir *open_test_dir(McTestbed *tb) {
        g_autoptr(GError) error = NULL;
        McSysfsDir *d;

        mc_testbed_add_device(tb, "/sys/devices/virtual/t/t", "class/t", NULL, NULL);
        d = mc_sysfs_dir_open("/sys/devices/virtual/t/t", &error);
        ck_assert_msg(d, "%s", error ? error->message : "?");
        return d;
}

START_TEST(test_sysfs_text) {
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(McSysfsDir) d = open_test_dir(tb);
        g_autoptr(GError) error = NULL;
        g_autofree char *big = g_malloc0(70000);
        char *s;
        gsize len;

        mc_testbed_write(tb, "/sys/devices/virtual/t/t/a", "one\ntwo\n\n", -1);
        s = mc_sysfs_read_text(d, "a", 100, &len, &error);
        ck_assert_str_eq(s, "one\ntwo\n"); /* one newline dropped */
        ck_assert_uint_eq(len, 8);
        g_free(s);

        mc_testbed_write(tb, "/sys/devices/virtual/t/t/e", "", 0);
        s = mc_sysfs_read_text(d, "e", 100, &len, &error);
        ck_assert_str_eq(s, "");
        g_free(s);

        /* Exactly at the cap is fine; one byte more is not. */
        mc_testbed_write(tb, "/sys/devices/virtual/t/t/c", "12345", -1);
        s = mc_sysfs_read_text(d, "c", 5, NULL, &error);
        ck_assert_str_eq(s, "12345");
        g_free(s);
        ck_assert_ptr_null(mc_sysfs_read_text(d, "c", 4, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_LIMIT));
        ck_assert_str_eq(error->message, "/sys/devices/virtual/t/t/c: larger than 4 bytes");
        g_clear_error(&error);

        memset(big, 'x', 70000);
        mc_testbed_write(tb, "/sys/devices/virtual/t/t/big", big, 70000);
        ck_assert_ptr_null(mc_sysfs_read_text(d, "big", MC_SYSFS_ATTR_MAX, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_LIMIT));
        g_clear_error(&error);
        s = mc_sysfs_read_text(d, "big", 80000, &len, &error);
        ck_assert_uint_eq(len, 70000);
        g_free(s);

        ck_assert_ptr_null(mc_sysfs_read_text(d, "missing", 10, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        ck_assert_str_eq(error->message, "/sys/devices/virtual/t/t/missing: does not exist");
        g_clear_error(&error);

        mc_testbed_write(tb, "/sys/devices/virtual/t/t/nul", "a\0b", 3);
        ck_assert_ptr_null(mc_sysfs_read_text(d, "nul", 10, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        g_clear_error(&error);

        mc_testbed_write(tb, "/sys/devices/virtual/t/t/utf", "caf\xc3", -1);
        ck_assert_ptr_null(mc_sysfs_read_text(d, "utf", 10, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        g_clear_error(&error);

        mc_testbed_write(tb, "/sys/devices/virtual/t/t/ok", "caf\xc3\xa9\n", -1);
        s = mc_sysfs_read_text(d, "ok", 10, NULL, &error);
        ck_assert_str_eq(s, "caf\xc3\xa9");
        g_free(s);

        /* Never blocks on a FIFO, never follows a symlink. */
        mc_testbed_break_fifo(tb, "/sys/devices/virtual/t/t/fifo");
        ck_assert_ptr_null(mc_sysfs_read_text(d, "fifo", 10, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        g_clear_error(&error);
        mc_testbed_symlink(tb, "ok", "/sys/devices/virtual/t/t/link");
        ck_assert_ptr_null(mc_sysfs_read_text(d, "link", 10, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_IO));
        ck_assert_str_eq(error->message, "/sys/devices/virtual/t/t/link: is a symbolic link, "
                                         "expected a regular file");
        g_clear_error(&error);
        mc_testbed_break_loop(tb, "/sys/devices/virtual/t/t/loop");
        ck_assert_ptr_null(mc_sysfs_read_text(d, "loop", 10, NULL, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_IO));
        g_clear_error(&error);
}
END_TEST

START_TEST(test_sysfs_uint_link_list) {
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(McSysfsDir) d = open_test_dir(tb);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) names = NULL;
        static const struct {
                const char *text;
                bool ok;
                uint64_t value;
        } cases[] = {
                { "0\n", true, 0 },
                { "7\n", true, 7 },
                { "1000", true, 1000 },
                { "9223372036854775807\n", true, INT64_MAX },
                { "9223372036854775808\n", false, 0 },
                { "-1\n", false, 0 },
                { " 3\n", false, 0 },
                { "3 \n", false, 0 },
                { "0x10\n", false, 0 },
                { "3\n\n", false, 0 },
                { "", false, 0 },
                { "\n", false, 0 },
                { "+4", false, 0 },
        };
        char *s;

        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                uint64_t v = 99;
                bool ok;
                mc_testbed_write(tb, "/sys/devices/virtual/t/t/n", cases[i].text, -1);
                ok = mc_sysfs_read_uint(d, "n", INT64_MAX, &v, &error);
                ck_assert_msg(ok == cases[i].ok, "\"%s\": %s", cases[i].text,
                              error ? error->message : "accepted");
                if (ok)
                        ck_assert_uint_eq(v, cases[i].value);
                else
                        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
                g_clear_error(&error);
        }

        mc_testbed_symlink(tb, "../../../../bus/pci/drivers/i915",
                           "/sys/devices/virtual/t/t/driver");
        s = mc_sysfs_read_link_basename(d, "driver", &error);
        ck_assert_str_eq(s, "i915");
        g_free(s);
        mc_testbed_symlink(tb, "../mdev_supported_types/nvidia-63/",
                           "/sys/devices/virtual/t/t/mdev_type");
        s = mc_sysfs_read_link_basename(d, "mdev_type", &error);
        ck_assert_str_eq(s, "nvidia-63");
        g_free(s);
        mc_testbed_symlink(tb, "..", "/sys/devices/virtual/t/t/up");
        ck_assert_ptr_null(mc_sysfs_read_link_basename(d, "up", &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        g_clear_error(&error);
        ck_assert_ptr_null(mc_sysfs_read_link_basename(d, "n", &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        ck_assert_str_eq(error->message, "/sys/devices/virtual/t/t/n: is not a symbolic link");
        g_clear_error(&error);
        ck_assert_ptr_null(mc_sysfs_read_link_basename(d, "none", &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        g_clear_error(&error);

        names = mc_sysfs_list(d, NULL, 100, &error);
        ck_assert_ptr_nonnull(names);
        ck_assert_uint_eq(names->len, 6); /* driver mdev_type n subsystem uevent up */
        ck_assert_str_eq(names->pdata[0], "driver");
        ck_assert_str_eq(names->pdata[5], "up");
        ck_assert_ptr_null(mc_sysfs_list(d, NULL, 5, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_LIMIT));
        g_clear_error(&error);
        /* A symlinked directory is refused where a kobject belongs. */
        ck_assert_ptr_null(mc_sysfs_list(d, "subsystem", 100, &error));
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_IO));
        g_clear_error(&error);
        ck_assert_ptr_null(mc_sysfs_dir_open_at(d, "driver", &error));
        ck_assert_str_eq(error->message, "/sys/devices/virtual/t/t/driver: is a symbolic link, "
                                         "expected a directory");
}
END_TEST

static Suite *mdev_suite(void) {
        Suite *s = suite_create("mdev");
        TCase *tc;

        tc = tcase_create("enumerate");
        tcase_add_test(tc, test_enumerate_families);
        tcase_add_test(tc, test_enumerate_empty_host);
        tcase_add_test(tc, test_demo_host);
        suite_add_tcase(s, tc);

        tc = tcase_create("facts");
        tcase_add_test(tc, test_migration_attributes);
        tcase_add_test(tc, test_migration_attributes_bad);
        tcase_add_test(tc, test_data_file_fallback);
        suite_add_tcase(s, tc);

        tc = tcase_create("uevents");
        tcase_add_test(tc, test_uevent_instance_add_remove);
        tcase_add_test(tc, test_uevent_instance_change_bind_unbind);
        tcase_add_test(tc, test_uevent_parent_add_remove);
        tcase_add_test(tc, test_uevent_parent_unbind_bind);
        tcase_add_test(tc, test_uevent_parent_change_types);
        tcase_add_test(tc, test_uevent_unrelated);
        tcase_add_test(tc, test_uevent_incremental);
        suite_add_tcase(s, tc);

        tc = tcase_create("hostile");
        tcase_add_test(tc, test_malformed_attributes);
        tcase_add_test(tc, test_malformed_types);
        tcase_add_test(tc, test_parent_vanishes);
        tcase_add_test(tc, test_parent_unreadable);
        suite_add_tcase(s, tc);

        tc = tcase_create("describe");
        tcase_add_test(tc, test_describe);
        suite_add_tcase(s, tc);

        tc = tcase_create("sysfs");
        tcase_add_test(tc, test_sysfs_text);
        tcase_add_test(tc, test_sysfs_uint_link_list);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(mdev_suite)
