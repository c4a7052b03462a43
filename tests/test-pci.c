/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The vfio-pci source on umockdev hosts modeled on real ones (ConnectX VF
 * on mlx5_vfio_pci, HiSilicon SEC, QAT, virtio-net VFs, a GPU on plain
 * vfio-pci): identity, derived versions, not-migratable reasons, bind and
 * unbind followed one uevent at a time, describe; derived versions for
 * mdev types; the data file format's template errors. */

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "data-files.h"
#include "dir-watch.h"
#include "identity.h"
#include "mc-compat.h"
#include "mc-error.h"
#include "mc-parse.h"
#include "mc-serialize.h"
#include "mc-template.h"
#include "mc-test-main.h"
#include "mdev-source.h"
#include "pci-source.h"
#include "testbed-pci.h"

#define CX_ID "vfio-pci:" MC_TEST_CX_VF
#define CX_ID2 "vfio-pci:" MC_TEST_CX_VF2
#define GPU_ID "vfio-pci:" MC_TEST_GPU

/* A ConnectX data file as data/vfio-pci-models.d ships one, with the
 * driver build as srcversion so a test can change it. */
static const char cx_file[] =
        "{\"description\": \"ConnectX VF\", \"x-sources\": [\"drivers/vfio/pci/mlx5/main.c\"],"
        " \"match\": {\"driver\": \"mlx5_vfio_pci\", \"vendor\": \"0x15b3\", \"device\": \"0x101e\","
        "            \"pf-driver\": \"mlx5_core\"},"
        " \"models\": {\"nvidia.com/mlx5/connectx-vf\": {"
        "   \"derived-version\": \"{driver-srcversion}+fw{pf-firmware}+psid{pf-board-id}\","
        "   \"x-capabilities\": [\"stop-copy\", \"p2p\"]}}}";

static const char hisi_file[] =
        "{\"match\": {\"driver\": \"hisi_acc_vfio_pci\", \"device\": \"0xa256\"},"
        " \"models\": {\"hisilicon.com/acc/sec-vf\": {"
        "   \"derived-version\": \"{kernel-release}+pfrev{pf-attr:revision}\","
        "   \"versions\": [\"vendor-listed-1\"], \"x-capabilities\": [\"stop-copy\"]}}}";

/* ---- fixture --------------------------------------------------------------- */

typedef struct {
        McTestbed *tb;
        sd_event *event;
        McPciSource *src;
        GHashTable *published;
        GPtrArray *log;
        guint changed;
        GPtrArray *files; /* McDataFile* */
        McDataFiles *df;  /* when set, lookup asks it instead of files */
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
        ((Fx *) ud)->changed++;
}

static const McDataFile *rec_lookup(void *ud, const GPtrArray *identity, const char **untrusted) {
        Fx *fx = ud;
        if (fx->df)
                return mc_data_files_lookup_pci(fx->df, identity, untrusted);
        for (guint i = 0; i < fx->files->len; i++)
                if (mc_pci_data_file_matches(fx->files->pdata[i], identity))
                        return fx->files->pdata[i];
        return NULL;
}

static Fx *fx_new(void) {
        Fx *fx = g_new0(Fx, 1);
        fx->tb = mc_testbed_new();
        fx->published = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) mc_impl_unref);
        fx->log = g_ptr_array_new_with_free_func(g_free);
        fx->files = g_ptr_array_new_with_free_func((GDestroyNotify) mc_data_file_free);
        ck_assert_int_ge(sd_event_new(&fx->event), 0);
        return fx;
}

static void fx_add_file(Fx *fx, const char *json, const char *origin) {
        g_autoptr(GError) error = NULL;
        McDataFile *f = mc_pci_data_file_parse(json, strlen(json), origin, &error);
        ck_assert_msg(f, "data file: %s", error ? error->message : "?");
        g_ptr_array_add(fx->files, f);
}

static void fx_start(Fx *fx) {
        static const McPciSourceOps ops = {
                .put = rec_put, .remove = rec_remove, .changed = rec_changed, .lookup = rec_lookup,
        };
        g_autoptr(GError) error = NULL;

        fx->src = mc_pci_source_new(&ops, fx, &error);
        ck_assert_msg(fx->src, "%s", error ? error->message : "?");
        ck_assert_msg(mc_pci_source_attach(fx->src, fx->event, &error), "%s",
                      error ? error->message : "?");
        mc_pci_source_rescan_all(fx->src);
}

static void fx_free(Fx *fx) {
        mc_pci_source_free(fx->src);
        sd_event_unref(fx->event);
        g_hash_table_unref(fx->published);
        g_ptr_array_unref(fx->log);
        g_ptr_array_unref(fx->files);
        if (fx->df)
                mc_data_files_free(fx->df);
        mc_testbed_free(fx->tb);
        g_free(fx);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Fx, fx_free)

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
        ck_assert_msg(strcmp(got_s, want_s) == 0, "calls: expected [%s], got [%s]", want_s, got_s);
        g_ptr_array_set_size(fx->log, 0);
}

static const McImpl *fx_get(Fx *fx, const char *id) {
        const McImpl *impl = g_hash_table_lookup(fx->published, id);
        ck_assert_msg(impl, "%s not published", id);
        return impl;
}

static char *kernel_release(void) {
        struct utsname u;
        ck_assert_int_eq(uname(&u), 0);
        return g_strdup(u.release);
}

static void add_real_host(McTestbed *tb) {
        mc_testbed_add_connectx(tb, "28.39.1002", "MT_0000000838");
        mc_testbed_add_hisi_sec(tb);
        mc_testbed_add_qat(tb);
        mc_testbed_add_virtio_net(tb);
        mc_testbed_add_gpu_vfio(tb);
}

/* ---- discovery ------------------------------------------------------------- */

START_TEST(test_enumerate_identity) {
        g_autoptr(Fx) fx = fx_new();
        const McImpl *vf, *gpu;

        add_real_host(fx->tb);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        /* The VFIO functions only: PFs on mlx5_core, hisi_sec2, 4xxx and
         * virtio-pci are not published. */
        fx_expect(fx, "put " CX_ID "|put " CX_ID2 "|put vfio-pci:" MC_TEST_HISI_VF
                      "|put vfio-pci:" MC_TEST_QAT_VF "|put vfio-pci:" MC_TEST_VIRTIO_VF
                      "|put " GPU_ID);
        ck_assert_uint_eq(fx->changed, 1);
        ck_assert_uint_eq(mc_pci_source_n_devices(fx->src), 6);

        vf = fx_get(fx, CX_ID);
        ck_assert_int_eq(vf->kind, MC_KIND_VFIO_PCI);
        ck_assert_str_eq(vf->driver, "mlx5_vfio_pci");
        ck_assert_int_eq(vf->available, MC_AVAILABLE_UNKNOWN);
        ck_assert_str_eq(mc_pairs_get(vf->identity, "address"), MC_TEST_CX_VF);
        ck_assert_str_eq(mc_pairs_get(vf->identity, "vendor"), "0x15b3");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "device"), "0x101e");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "subsystem-device"), "0x0040");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "class"), "0x020000");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "iommu-group"), "41");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "pf"), MC_TEST_CX_PF);
        ck_assert_str_eq(mc_pairs_get(vf->identity, "pf-driver"), "mlx5_core");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "driver-module"), "mlx5_vfio_pci");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "driver-srcversion"), "A1B2C3D4E5F60718293A4B5");
        ck_assert_ptr_null(mc_pairs_get(vf->identity, "driver-version"));
        ck_assert_str_eq(mc_pairs_get(vf->identity, "pf-firmware"), "28.39.1002");
        ck_assert_str_eq(mc_pairs_get(vf->identity, "pf-board-id"), "MT_0000000838");

        /* Derived version: what this host runs. */
        ck_assert_msg(mc_impl_migratable(vf), "%s", vf->not_migratable_reason);
        ck_assert_int_eq(vf->facts_from, MC_FACTS_DATA_FILE);
        ck_assert_str_eq(vf->facts_file, "/test/10-mlx5.json");
        {
                const McModel *m = vf->info->models->pdata[0];
                ck_assert_str_eq(m->model, "nvidia.com/mlx5/connectx-vf");
                ck_assert_uint_eq(m->versions->len, 1);
                ck_assert_str_eq(m->versions->pdata[0], "A1B2C3D4E5F60718293A4B5+fw28.39.1002+psidMT_0000000838");
                ck_assert_str_eq(mc_pairs_get(m->derived_from, "pf-firmware"), "28.39.1002");
                ck_assert_uint_eq(m->caps, MC_CAP_STOP_COPY | MC_CAP_P2P);
        }

        /* Plain vfio-pci: never migratable, and says why. */
        gpu = fx_get(fx, GPU_ID);
        ck_assert(!mc_impl_migratable(gpu));
        ck_assert_str_eq(gpu->driver, "vfio-pci");
        ck_assert_ptr_nonnull(strstr(gpu->not_migratable_reason, "plain vfio-pci"));
        /* A variant driver no data file names: not migratable, named. */
        ck_assert(!mc_impl_migratable(fx_get(fx, "vfio-pci:" MC_TEST_QAT_VF)));
        ck_assert_ptr_nonnull(strstr(fx_get(fx, "vfio-pci:" MC_TEST_QAT_VF)->not_migratable_reason,
                                     "no vfio-pci model data file matches driver qat_vfio_pci"));
}
END_TEST

START_TEST(test_derived_pf_attr_and_listed_versions) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *rel = kernel_release();
        g_autofree char *want = g_strdup_printf("%s+pfrev0x30", rel);
        const McImpl *vf;
        const McModel *m;

        add_real_host(fx->tb);
        fx_add_file(fx, hisi_file, "/test/20-hisi.json");
        fx_start(fx);
        vf = fx_get(fx, "vfio-pci:" MC_TEST_HISI_VF);
        ck_assert_msg(mc_impl_migratable(vf), "%s", vf->not_migratable_reason);
        m = vf->info->models->pdata[0];
        /* The derived version first, then the vendor's listed ones. */
        ck_assert_uint_eq(m->versions->len, 2);
        ck_assert_str_eq(m->versions->pdata[0], want);
        ck_assert_str_eq(m->versions->pdata[1], "vendor-listed-1");
        ck_assert_str_eq(mc_pairs_get(m->derived_from, "kernel-release"), rel);
        ck_assert_str_eq(mc_pairs_get(m->derived_from, "pf-attr:revision"), "0x30");
}
END_TEST

START_TEST(test_unresolvable_placeholder) {
        g_autoptr(Fx) fx = fx_new();
        const McImpl *vf;

        /* mlx5_ib not loaded: the PF has no RDMA device, so no firmware. */
        mc_testbed_add_connectx(fx->tb, NULL, NULL);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        vf = fx_get(fx, CX_ID);
        ck_assert(!mc_impl_migratable(vf));
        /* The reason names the value, the file and where it was looked for. */
        ck_assert_msg(strstr(vf->not_migratable_reason, "{pf-firmware}") &&
                              strstr(vf->not_migratable_reason, "/test/10-mlx5.json") &&
                              strstr(vf->not_migratable_reason,
                                     "/sys/devices/pci0000:3b/0000:3b:00.0/infiniband/*/fw_ver"),
                      "reason: %s", vf->not_migratable_reason);

        /* mlx5_ib loads: the RDMA device's uevent makes the VF migratable. */
        mc_testbed_add_rdma(fx->tb, "/sys/devices/pci0000:3b/" MC_TEST_CX_PF, "mlx5_0", "28.39.1002",
                            "MT_0000000838");
        mc_testbed_uevent(fx->tb, "/sys/devices/pci0000:3b/" MC_TEST_CX_PF "/infiniband/mlx5_0", "add");
        fx_dispatch(fx);
        ck_assert(mc_impl_migratable(fx_get(fx, CX_ID)));
}
END_TEST

/* ---- uevents ---------------------------------------------------------------- */

START_TEST(test_bind_unbind_one_uevent) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *vf = mc_testbed_pci_syspath(MC_TEST_CX_VF, MC_TEST_CX_PF);
        guint changed;

        add_real_host(fx->tb);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        fx_expect(fx, "put " CX_ID "|put " CX_ID2 "|put vfio-pci:" MC_TEST_HISI_VF
                      "|put vfio-pci:" MC_TEST_QAT_VF "|put vfio-pci:" MC_TEST_VIRTIO_VF
                      "|put " GPU_ID);

        /* Unbind from mlx5_vfio_pci: one uevent, the VF is gone. */
        changed = fx->changed;
        mc_testbed_pci_bind(fx->tb, vf, NULL, true);
        fx_dispatch(fx);
        fx_expect(fx, "remove " CX_ID);
        ck_assert_uint_eq(fx->changed, changed + 1);

        /* Bound to mlx5_core (a host NIC again): not ours, nothing. */
        mc_testbed_pci_bind(fx->tb, vf, "mlx5_core", true);
        fx_dispatch(fx);
        fx_expect(fx, "");

        /* Unbind, then bind to plain vfio-pci: published not migratable. */
        mc_testbed_pci_bind(fx->tb, vf, NULL, true);
        mc_testbed_pci_bind(fx->tb, vf, "vfio-pci", true);
        fx_dispatch(fx);
        fx_expect(fx, "put " CX_ID);
        ck_assert(!mc_impl_migratable(fx_get(fx, CX_ID)));

        /* Back to the variant driver, one uevent at a time. */
        mc_testbed_pci_bind(fx->tb, vf, NULL, true);
        fx_dispatch(fx);
        fx_expect(fx, "remove " CX_ID);
        mc_testbed_pci_bind(fx->tb, vf, "mlx5_vfio_pci", true);
        fx_dispatch(fx);
        fx_expect(fx, "put " CX_ID);
        ck_assert(mc_impl_migratable(fx_get(fx, CX_ID)));

        /* A change uevent with nothing changed publishes nothing. */
        changed = fx->changed;
        mc_testbed_uevent(fx->tb, vf, "change");
        fx_dispatch(fx);
        fx_expect(fx, "");
        ck_assert_uint_eq(fx->changed, changed);

        /* The VF is removed (sriov_numvfs lowered). */
        mc_testbed_uevent(fx->tb, vf, "remove");
        mc_testbed_remove(fx->tb, vf);
        fx_dispatch(fx);
        fx_expect(fx, "remove " CX_ID);
}
END_TEST

START_TEST(test_pf_rebind_refreshes_vfs) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *pf = mc_testbed_pci_syspath(MC_TEST_CX_PF, NULL);
        g_autofree char *fw = g_strconcat(pf, "/infiniband/mlx5_0/fw_ver", NULL);
        const McModel *m;

        add_real_host(fx->tb);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        g_ptr_array_set_size(fx->log, 0);

        /* A firmware update resets the PF: its driver rebinds with the new
         * firmware, and both VFs' derived versions follow. */
        mc_testbed_write(fx->tb, fw, "28.40.1000\n", -1);
        mc_testbed_uevent(fx->tb, pf, "bind");
        fx_dispatch(fx);
        fx_expect(fx, "put " CX_ID "|put " CX_ID2);
        m = fx_get(fx, CX_ID)->info->models->pdata[0];
        ck_assert_str_eq(m->versions->pdata[0], "A1B2C3D4E5F60718293A4B5+fw28.40.1000+psidMT_0000000838");
}
END_TEST

/* ---- odd and hostile sysfs ------------------------------------------------------ */

START_TEST(test_hostile_sysfs) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *pf = mc_testbed_pci_syspath(MC_TEST_CX_PF, NULL);
        g_autofree char *vf = mc_testbed_pci_syspath(MC_TEST_CX_VF, MC_TEST_CX_PF);
        g_autofree char *vf2 = mc_testbed_pci_syspath(MC_TEST_CX_VF2, MC_TEST_CX_PF);
        g_autofree char *fw = g_strconcat(pf, "/infiniband/mlx5_0/fw_ver", NULL);
        g_autofree char *vendor = g_strconcat(vf2, "/vendor", NULL);
        g_autofree char *physfn = g_strconcat(vf, "/physfn", NULL);
        const McImpl *impl;

        add_real_host(fx->tb);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        /* A firmware version of 100 KiB, a FIFO where the VF's vendor ID
         * belongs, and a physfn link out of the device tree. */
        mc_testbed_break_oversized(fx->tb, fw, 100 * 1024);
        mc_testbed_break_fifo(fx->tb, vendor);
        fx_start(fx);

        /* Nothing hangs or crashes; each is published, not migratable,
         * with a reason naming what could not be used. */
        impl = fx_get(fx, CX_ID);
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_msg(strstr(impl->not_migratable_reason, "{pf-firmware}") &&
                              strstr(impl->not_migratable_reason, "fw_ver"),
                      "%s", impl->not_migratable_reason);
        impl = fx_get(fx, CX_ID2);
        ck_assert_ptr_null(mc_pairs_get(impl->identity, "vendor"));
        ck_assert(!mc_impl_migratable(impl)); /* the file matches on vendor */

        mc_testbed_symlink(fx->tb, "../../../../../etc", physfn);
        mc_testbed_uevent(fx->tb, vf, "change");
        fx_dispatch(fx);
        impl = fx_get(fx, CX_ID);
        ck_assert_ptr_null(mc_pairs_get(impl->identity, "pf"));
        ck_assert(!mc_impl_migratable(impl));

}
END_TEST

/* ---- describe and the two-host check ------------------------------------------- */

static McSrcDevice *describe_on(const char *fw, const char *srcversion, GError **error) {
        g_autoptr(Fx) fx = fx_new();
        add_real_host(fx->tb);
        mc_testbed_write(fx->tb, "/sys/devices/pci0000:3b/" MC_TEST_CX_PF "/infiniband/mlx5_0/fw_ver",
                         fw, -1);
        mc_testbed_add_module(fx->tb, "pci", "mlx5_vfio_pci", "mlx5_vfio_pci", NULL, srcversion);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        return mc_pci_source_describe(fx->src, MC_TEST_CX_VF, error);
}

START_TEST(test_describe) {
        g_autoptr(Fx) fx = fx_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(McSrcDevice) d = NULL;

        add_real_host(fx->tb);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        d = mc_pci_source_describe(fx->src, MC_TEST_CX_VF, &error);
        ck_assert_msg(d, "%s", error ? error->message : "?");
        ck_assert_str_eq(d->id, MC_TEST_CX_VF);
        ck_assert_str_eq(d->model, "nvidia.com/mlx5/connectx-vf");
        ck_assert_str_eq(d->version, "A1B2C3D4E5F60718293A4B5+fw28.39.1002+psidMT_0000000838");
        ck_assert_str_eq(mc_pairs_get(d->derived_from, "pf-firmware"), "28.39.1002");
        ck_assert_str_eq(mc_pairs_get(d->derived_from, "driver-srcversion"), "A1B2C3D4E5F60718293A4B5");

        ck_assert_ptr_null(mc_pci_source_describe(fx->src, "0000:99:00.1", &error) ? (void *) 1 : NULL);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_NOT_FOUND));
        g_clear_error(&error);
        ck_assert_ptr_null(mc_pci_source_describe(fx->src, MC_TEST_GPU, &error) ? (void *) 1 : NULL);
        ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE));
        ck_assert_ptr_nonnull(strstr(error->message, "plain vfio-pci"));
}
END_TEST

/* Host B's catalog: its ConnectX VF as the pci source publishes it. */
static McCatalog *host_catalog(const char *fw, const char *srcversion) {
        g_autoptr(Fx) fx = fx_new();
        McCatalog *cat = mc_catalog_new();
        GHashTableIter it;
        McImpl *impl;

        add_real_host(fx->tb);
        mc_testbed_write(fx->tb, "/sys/devices/pci0000:3b/" MC_TEST_CX_PF "/infiniband/mlx5_0/fw_ver",
                         fw, -1);
        mc_testbed_add_module(fx->tb, "pci", "mlx5_vfio_pci", "mlx5_vfio_pci", NULL, srcversion);
        fx_add_file(fx, cx_file, "/test/10-mlx5.json");
        fx_start(fx);
        g_hash_table_iter_init(&it, fx->published);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &impl)) {
                McImpl *old = mc_catalog_put(cat, mc_impl_ref(impl));
                if (old)
                        mc_impl_unref(old);
        }
        return cat;
}

static McCheckResult *check_on(McCatalog *cat, McSrcDevice *d) {
        g_autoptr(McSource) src = mc_source_new();
        g_autoptr(GError) error = NULL;
        g_autofree char *json = NULL;

        /* Through the wire format, as a description travels. */
        g_ptr_array_add(src->devices, d);
        json = mc_source_to_json(src, false);
        g_ptr_array_steal_index(src->devices, 0);
        g_clear_pointer(&src, mc_source_free);
        src = mc_source_parse(json, strlen(json), "test", &error);
        ck_assert_msg(src, "%s", error ? error->message : "?");
        ck_assert_ptr_nonnull(((McSrcDevice *) src->devices->pdata[0])->derived_from);
        return mc_check(cat, src, &(McCheckOptions) { .max_candidates = MC_CHECK_ALL_CANDIDATES });
}

START_TEST(test_two_hosts) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McSrcDevice) a = describe_on("28.38.1900\n", "A1B2C3D4E5F60718293A4B5", &error);
        g_autoptr(McCatalog) same = host_catalog("28.38.1900\n", "A1B2C3D4E5F60718293A4B5");
        g_autoptr(McCatalog) newer_fw = host_catalog("28.39.1002\n", "A1B2C3D4E5F60718293A4B5");
        g_autoptr(McCatalog) other_drv = host_catalog("28.38.1900\n", "FFFF00001111222233334444");
        g_autoptr(McCheckResult) r1 = NULL, r2 = NULL, r3 = NULL;
        const McDeviceResult *dr;
        const McCandidate *c;

        ck_assert_msg(a, "%s", error ? error->message : "?");

        /* Same build: compatible, on one of the two VFs; that the VF is
         * free is not claimed, only noted. */
        r1 = check_on(same, a);
        dr = r1->devices->pdata[0];
        ck_assert_str_eq(mc_verdict_to_string(r1->verdict), "compatible");
        c = dr->candidates->pdata[dr->chosen];
        ck_assert_int_eq(c->impl->kind, MC_KIND_VFIO_PCI);
        ck_assert_ptr_nonnull(c->notes);
        ck_assert_int_eq(((McReason *) c->notes->pdata[0])->code, MC_REASON_AVAILABILITY_UNKNOWN);
        ck_assert_str_eq(c->recipe->address, MC_TEST_CX_VF);
        ck_assert_str_eq(c->recipe->driver, "mlx5_vfio_pci");

        /* Different PF firmware: incompatible, and the reason says what differs. */
        r2 = check_on(newer_fw, a);
        ck_assert_str_eq(mc_verdict_to_string(r2->verdict), "incompatible");
        dr = r2->devices->pdata[0];
        c = dr->candidates->pdata[0];
        ck_assert_int_eq(((McReason *) c->reasons->pdata[0])->code, MC_REASON_VERSION_UNSUPPORTED);
        ck_assert_msg(strstr(((McReason *) c->reasons->pdata[0])->message,
                             "PF firmware 28.39.1002 here, the source runs 28.38.1900"),
                      "%s", ((McReason *) c->reasons->pdata[0])->message);

        /* Different driver build. */
        r3 = check_on(other_drv, a);
        ck_assert_str_eq(mc_verdict_to_string(r3->verdict), "incompatible");
        c = ((McDeviceResult *) r3->devices->pdata[0])->candidates->pdata[0];
        ck_assert_msg(strstr(((McReason *) c->reasons->pdata[0])->message,
                             "driver srcversion FFFF00001111222233334444 here, the source runs A1B2C3D4E5F60718293A4B5"),
                      "%s", ((McReason *) c->reasons->pdata[0])->message);
}
END_TEST

START_TEST(test_two_vfs_one_vm) {
        /* A VM with two ConnectX VFs lands on two distinct VFs; with three,
         * the third finds none (each VF is one device). */
        g_autoptr(GError) error = NULL;
        g_autoptr(McSrcDevice) a = describe_on("28.38.1900\n", "A1B2C3D4E5F60718293A4B5", &error);
        g_autoptr(McCatalog) cat = host_catalog("28.38.1900\n", "A1B2C3D4E5F60718293A4B5");
        g_autoptr(McSource) src = mc_source_new();
        g_autoptr(McCheckResult) r = NULL;
        const McCandidate *c0, *c1;

        for (int i = 0; i < 3; i++) {
                McSrcDevice *d = mc_src_device_new(i == 0 ? "a" : i == 1 ? "b" : "c", a->model, a->version);
                g_ptr_array_add(src->devices, d);
        }
        r = mc_check(cat, src, NULL);
        ck_assert_str_eq(mc_verdict_to_string(r->verdict), "incompatible");
        c0 = ((McDeviceResult *) r->devices->pdata[0])->candidates->pdata[0];
        c1 = ((McDeviceResult *) r->devices->pdata[1])->candidates->pdata[0];
        ck_assert_int_eq(((McDeviceResult *) r->devices->pdata[0])->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_int_eq(((McDeviceResult *) r->devices->pdata[1])->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_str_ne(c0->impl->id, c1->impl->id);
        ck_assert_int_eq(((McDeviceResult *) r->devices->pdata[2])->verdict, MC_VERDICT_INCOMPATIBLE);
}
END_TEST

START_TEST(test_profile_roundtrip) {
        /* What a host publishes survives export and import exactly: the
         * identity, the derived version, its template and values, and the
         * unknown availability. */
        g_autoptr(McCatalog) cat = host_catalog("28.38.1900\n", "A1B2C3D4E5F60718293A4B5");
        g_autofree char *json = mc_profile_to_json(cat, "h", "m", "v", false);
        g_autoptr(GError) error = NULL;
        g_autoptr(McProfile) p = mc_profile_parse(json, strlen(json), "profile", &error);
        g_autoptr(GPtrArray) list = mc_catalog_list(cat);
        g_autofree char *bad = NULL;

        ck_assert_msg(p, "%s", error ? error->message : "?");
        ck_assert_uint_eq(p->impls->len, list->len);
        for (guint i = 0; i < list->len; i++) {
                const McImpl *a = list->pdata[i];
                const McImpl *b = p->impls->pdata[i];
                ck_assert_msg(mc_impl_equal(a, b), "%s differs after export and import", a->id);
        }
        /* A vfio-pci function never claims a count it cannot know. */
        bad = g_strdup(json);
        {
                char *at = strstr(bad, "\"available-instances\":-2");
                ck_assert_ptr_nonnull(at);
                at[strlen("\"available-instances\":-")] = '1';
        }
        g_clear_error(&error);
        ck_assert_ptr_null(mc_profile_parse(bad, strlen(bad), "profile", &error));
        ck_assert_msg(strstr(error->message, "-2 for unknown (vfio-pci only)"), "%s", error->message);
}
END_TEST

/* ---- mdev types without migration attributes ----------------------------------- */

static void nvidia_put(void *ud, McImpl *impl) {
        g_hash_table_replace(ud, g_strdup(impl->id), impl);
}
static void nvidia_remove(void *ud, const char *id) {
        g_hash_table_remove(ud, id);
}
static const McDataFile *nvidia_lookup(void *ud, const char *driver, const char *type_id,
                                       const char **untrusted G_GNUC_UNUSED) {
        static McDataFile *f;
        static const char json[] =
                "{\"match\": {\"driver\": \"nvidia\", \"type\": \"nvidia-63\"},"
                " \"models\": {\"nvidia.com/vgpu/grid-p4-1q\": {\"derived-version\": \"{driver-version}\"}}}";
        if (!f) {
                g_autoptr(GError) error = NULL;
                f = mc_data_file_parse(json, strlen(json), "/test/nvidia.json", &error);
                ck_assert_msg(f, "%s", error ? error->message : "?");
        }
        return driver && type_id && mc_data_file_matches(f, driver, type_id) ? f : NULL;
}

START_TEST(test_mdev_derived_version) {
        static const McMdevSourceOps ops = { .put = nvidia_put, .remove = nvidia_remove,
                                             .lookup = nvidia_lookup };
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(GHashTable) pub = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) mc_impl_unref);
        g_autoptr(GError) error = NULL;
        g_autoptr(McMdevSource) src = NULL;
        G_GNUC_UNUSED g_autofree char *parent = mc_testbed_add_nvidia(tb, "0000:3b:00.0");
        g_autofree char *id = NULL;
        const McImpl *impl;
        const McModel *m;

        mc_testbed_set_nvidia_version(tb, "535.104.06");
        src = mc_mdev_source_new(&ops, pub, &error);
        ck_assert_ptr_nonnull(src);
        mc_mdev_source_rescan_all(src);
        id = mc_mdev_impl_id("0000:3b:00.0", "nvidia-63");
        impl = g_hash_table_lookup(pub, id);
        ck_assert_ptr_nonnull(impl);
        ck_assert_msg(mc_impl_migratable(impl), "%s", impl->not_migratable_reason);
        m = impl->info->models->pdata[0];
        ck_assert_str_eq(m->versions->pdata[0], "535.104.06");
        ck_assert_str_eq(mc_pairs_get(m->derived_from, "driver-version"), "535.104.06");

        /* Without /sys/module/nvidia/version: not migratable, named. */
        mc_testbed_remove(tb, "/sys/module/nvidia/version");
        mc_mdev_source_rescan_all(src);
        impl = g_hash_table_lookup(pub, id);
        ck_assert(!mc_impl_migratable(impl));
        ck_assert_msg(strstr(impl->not_migratable_reason, "/sys/module/nvidia/version") &&
                              strstr(impl->not_migratable_reason, "{driver-version}"),
                      "%s", impl->not_migratable_reason);
}
END_TEST

/* ---- the data file format ------------------------------------------------------ */

static void expect_bad(const char *models, const char *needle) {
        g_autoptr(GError) error = NULL;
        g_autofree char *json = g_strdup_printf(
                "{\"match\": {\"driver\": \"mlx5_vfio_pci\"}, \"models\": {\"a.example/x\": %s}}", models);
        g_autoptr(McDataFile) f = mc_pci_data_file_parse(json, strlen(json), "/test/bad.json", &error);

        ck_assert_msg(!f, "accepted: %s", json);
        ck_assert_msg(strstr(error->message, needle), "error \"%s\" lacks \"%s\"", error->message, needle);
        ck_assert_msg(strstr(error->message, "/test/bad.json"), "%s", error->message);
}

START_TEST(test_template_errors) {
        expect_bad("{\"derived-version\": \"{driver-build}\"}", "unknown placeholder {driver-build}");
        expect_bad("{\"derived-version\": \"{pf-firmware\"}", "is not closed");
        expect_bad("{\"derived-version\": \"fw}\"}", "unbalanced");
        expect_bad("{\"derived-version\": \"\"}", "not empty");
        expect_bad("{\"derived-version\": \"{attr:../../x}\"}", "\"..\"");
        expect_bad("{\"derived-version\": \"{attr:*/fw_ver}\"}", "glob");
        expect_bad("{\"derived-version\": \"v1\", \"bogus\": 1}", "bogus");
        expect_bad("{\"derived-from\": {\"pf-firmware\": \"1\"}}", "derived-from");
        {
                g_autoptr(GError) error = NULL;
                const char *json = "{\"match\": {\"vendor\": \"0x15b3\"}, \"models\": {\"a.example/x\": {\"versions\": [\"v1\"]}}}";
                ck_assert_ptr_null(mc_pci_data_file_parse(json, strlen(json), "t", &error));
                ck_assert_ptr_nonnull(strstr(error->message, "driver"));
        }
        /* Literal braces and a fixed template are fine. */
        {
                g_autoptr(GError) error = NULL;
                const GPtrArray *none = NULL;
                g_autofree char *v = NULL;
                ck_assert(mc_template_check("a{{b}}c", &error));
                v = mc_template_expand("a{{b}}c", none, &error);
                ck_assert_str_eq(v, "a{b}c");
        }
        /* An error is named (code template). */
        {
                g_autoptr(GError) error = NULL;
                ck_assert(!mc_template_check("{nope}", &error));
                ck_assert(g_error_matches(error, MC_ERROR, MC_ERROR_TEMPLATE));
                ck_assert_str_eq(mc_error_code_name(error->code), "template");
        }
}
END_TEST

START_TEST(test_bad_file_skipped_rest_load) {
        g_autofree char *dir = g_dir_make_tmp("mc-pci-data-XXXXXX", NULL);
        g_autofree char *good = g_build_filename(dir, "10-good.json", NULL);
        g_autofree char *bad = g_build_filename(dir, "20-bad.json", NULL);
        const char *dirs[] = { dir, NULL };
        g_autoptr(McDataFiles) df = NULL;
        g_autoptr(GPtrArray) ident = mc_pairs_new();

        ck_assert(g_file_set_contents(good, cx_file, -1, NULL));
        ck_assert(g_file_set_contents(bad,
                                      "{\"match\": {\"driver\": \"x_vfio_pci\"}, \"models\": {\"a.example/x\": "
                                      "{\"derived-version\": \"{pf-firmwre}\"}}}", -1, NULL));
        df = mc_data_files_new_pci(dirs);
        mc_data_files_load(df);
        ck_assert_uint_eq(mc_data_files_n_loaded(df), 1);
        ck_assert_uint_eq(mc_data_files_n_failed(df), 1);
        mc_pairs_set(ident, "driver", "mlx5_vfio_pci");
        mc_pairs_set(ident, "vendor", "0x15b3");
        mc_pairs_set(ident, "device", "0x101e");
        ck_assert_ptr_null(mc_data_files_lookup_pci(df, ident, NULL)); /* pf-driver missing */
        mc_pairs_set(ident, "pf-driver", "mlx5_core");
        ck_assert_ptr_nonnull(mc_data_files_lookup_pci(df, ident, NULL));
        ck_assert(mc_data_files_names_driver(df, "mlx5_vfio_pci"));
        ck_assert(!mc_data_files_names_driver(df, "x_vfio_pci"));
        unlink(good);
        unlink(bad);
        rmdir(dir);
}
END_TEST


/* ---- model data files only root can have written (trust.h) ----------------- */

#define NOBODY 65534

typedef struct {
        GHashTable *pub;  /* mdev: id -> McImpl* */
        McDataFiles *df;  /* mdev-models.d */
} TrustMdev;

static void trust_put(void *ud, McImpl *impl) {
        g_hash_table_replace(((TrustMdev *) ud)->pub, g_strdup(impl->id), impl);
}
static void trust_remove(void *ud, const char *id) {
        g_hash_table_remove(((TrustMdev *) ud)->pub, id);
}
static const McDataFile *trust_lookup(void *ud, const char *driver, const char *type_id,
                                      const char **untrusted) {
        return mc_data_files_lookup(((TrustMdev *) ud)->df, driver, type_id, untrusted);
}

/* As the daemon: a change notification reloads the names and refreshes. */
typedef struct {
        McDataFiles *df;
        McMdevSource *mdev;
        McPciSource *pci;
        guint calls;
} TrustWatch;

static void trust_changed(McDirWatch *w, const GPtrArray *names, void *ud) {
        TrustWatch *tw = ud;
        tw->calls++;
        if (!mc_data_files_reload_names(tw->df, names))
                return;
        if (tw->mdev)
                mc_mdev_source_refresh_facts(tw->mdev);
        if (tw->pci)
                mc_pci_source_refresh_facts(tw->pci);
}

static void write_file(const char *path, const char *content) {
        ck_assert(g_file_set_contents(path, content, -1, NULL));
        ck_assert_int_eq(chmod(path, 0644), 0);
}

/* Not migratable, no facts, and the reason names the file, what is wrong
 * and the fix. */
static void assert_untrusted(const McImpl *impl, const char *file, const char *what, const char *fix) {
        g_autofree char *head = g_strdup_printf("model data file %s ", file);
        g_autofree char *fixes = g_strdup_printf("; fix: %s", fix);

        ck_assert_msg(!mc_impl_migratable(impl), "%s: migratable (facts from %s) though %s is not trusted",
                      impl->id, impl->facts_file, file);
        ck_assert_ptr_null(impl->info);
        ck_assert_ptr_null(impl->facts_file);
        ck_assert_int_eq(impl->facts_from, MC_FACTS_NONE);
        ck_assert_msg(g_str_has_prefix(impl->not_migratable_reason, head) &&
                              strstr(impl->not_migratable_reason, what) &&
                              g_str_has_suffix(impl->not_migratable_reason, fixes),
                      "%s: reason \"%s\" lacks \"%s\" / \"%s\" / \"%s\"", impl->id,
                      impl->not_migratable_reason, head, what, fixes);
}

static const McImpl *pub_get(GHashTable *pub, const char *id) {
        const McImpl *impl = g_hash_table_lookup(pub, id);
        ck_assert_msg(impl, "%s not published", id);
        return impl;
}

static void assert_uses(const McImpl *impl, const char *file) {
        ck_assert_msg(mc_impl_migratable(impl), "%s: %s", impl->id, impl->not_migratable_reason);
        ck_assert_str_eq(impl->facts_file, file);
}

START_TEST(test_untrusted_data_files) {
        g_autoptr(Fx) fx = fx_new();
        g_autofree char *root = g_dir_make_tmp("mc-trust-XXXXXX", NULL);
        g_autofree char *usr = g_build_filename(root, "usr", NULL);
        g_autofree char *etc = g_build_filename(root, "etc", NULL);
        g_autofree char *musr = g_build_filename(usr, "mdev-models.d", NULL);
        g_autofree char *metc = g_build_filename(etc, "mdev-models.d", NULL);
        g_autofree char *pusr = g_build_filename(usr, "vfio-pci-models.d", NULL);
        g_autofree char *petc = g_build_filename(etc, "vfio-pci-models.d", NULL);
        g_autofree char *mfile = g_build_filename(musr, "10-nvidia.json", NULL);
        g_autofree char *mlater = g_build_filename(musr, "20-nvidia-too.json", NULL);
        g_autofree char *metc_file = g_build_filename(metc, "10-nvidia.json", NULL);
        g_autofree char *pfile = g_build_filename(pusr, "10-mlx5.json", NULL);
        g_autofree char *petc_file = g_build_filename(petc, "10-mlx5.json", NULL);
        g_autofree char *mdev_id = NULL, *fix = NULL, *fix2 = NULL;
        const char *mdirs[] = { musr, metc, NULL };
        const char *pdirs[] = { pusr, petc, NULL };
        static const McMdevSourceOps mops = { .put = trust_put, .remove = trust_remove,
                                              .lookup = trust_lookup };
        static const char nvidia_file[] =
                "{\"match\": {\"driver\": \"nvidia\", \"type\": \"nvidia-63\"},"
                " \"models\": {\"nvidia.com/vgpu/grid-p4-1q\": {\"derived-version\": \"{driver-version}\"}}}";
        TrustMdev tm = { 0 };
        TrustWatch mw = { 0 }, pw = { 0 };
        g_autoptr(McMdevSource) msrc = NULL;
        g_autoptr(McDirWatch) mwatch = NULL, pwatch = NULL;
        g_autoptr(GError) error = NULL;
        const McImpl *cx, *vgpu;
        struct {
                const char *what; /* how the file, or its directory, is spoiled */
                uid_t uid;
                mode_t file_mode, dir_mode;
        } cases[] = {
                { "owned by uid 65534", NOBODY, 0644, 0755 },
                { "writable by group and others (mode 0666)", 0, 0666, 0755 },
                { "writable by group (mode 0775)", 0, 0644, 0775 },
        };

        if (geteuid() != 0)
                return; /* needs chown */
        for (const char *const *d = (const char *const[]) { usr, etc, musr, metc, pusr, petc, NULL }; *d; d++)
                ck_assert_int_eq(mkdir(*d, 0755), 0);
        write_file(mfile, nvidia_file);
        /* Later in file-name order, matching the same type: never a
         * fallback for an untrusted earlier file. */
        write_file(mlater, nvidia_file);
        write_file(pfile, cx_file);

        tm.pub = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) mc_impl_unref);
        tm.df = mc_data_files_new(mdirs);
        fx->df = mc_data_files_new_pci(pdirs);
        mc_data_files_load(tm.df);
        mc_data_files_load(fx->df);

        G_GNUC_UNUSED g_autofree char *parent = mc_testbed_add_nvidia(fx->tb, "0000:3b:00.0");
        mc_testbed_set_nvidia_version(fx->tb, "535.104.06");
        mc_testbed_add_connectx(fx->tb, "28.39.1002", "MT_0000000838");
        msrc = mc_mdev_source_new(&mops, &tm, &error);
        ck_assert_msg(msrc, "%s", error ? error->message : "?");
        mc_mdev_source_rescan_all(msrc);
        fx_start(fx);
        fx_dispatch(fx);

        /* Change notifications as the daemon follows them. */
        mw = (TrustWatch) { .df = tm.df, .mdev = msrc };
        pw = (TrustWatch) { .df = fx->df, .pci = fx->src };
        mwatch = mc_dir_watch_new(fx->event, mdirs, trust_changed, &mw, &error);
        ck_assert_msg(mwatch, "%s", error ? error->message : "?");
        pwatch = mc_dir_watch_new(fx->event, pdirs, trust_changed, &pw, &error);
        ck_assert_msg(pwatch, "%s", error ? error->message : "?");

        mdev_id = mc_mdev_impl_id("0000:3b:00.0", "nvidia-63");
#define VGPU() (vgpu = pub_get(tm.pub, mdev_id))
#define CX() (cx = fx_get(fx, CX_ID))
        assert_uses(VGPU(), mfile);
        assert_uses(CX(), pfile);

        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
                bool dir = cases[i].dir_mode != 0755;
                guint mcalls = mw.calls, pcalls = pw.calls;

                /* Only what is spoiled is touched: a chmod of the
                 * directory alone must be noticed too. */
                if (dir) {
                        ck_assert_int_eq(chmod(musr, cases[i].dir_mode), 0);
                        ck_assert_int_eq(chmod(pusr, cases[i].dir_mode), 0);
                } else {
                        ck_assert_int_eq(chown(mfile, cases[i].uid, cases[i].uid), 0);
                        ck_assert_int_eq(chmod(mfile, cases[i].file_mode), 0);
                        ck_assert_int_eq(chown(pfile, cases[i].uid, cases[i].uid), 0);
                        ck_assert_int_eq(chmod(pfile, cases[i].file_mode), 0);
                }
                fx_dispatch(fx);
                ck_assert_uint_gt(mw.calls, mcalls);
                ck_assert_uint_gt(pw.calls, pcalls);

                g_clear_pointer(&fix, g_free);
                g_clear_pointer(&fix2, g_free);
                fix = g_strdup_printf("%s %s", cases[i].uid ? "chown root:root" : "chmod go-w",
                                      dir ? musr : mfile);
                fix2 = g_strdup_printf("%s %s", cases[i].uid ? "chown root:root" : "chmod go-w",
                                       dir ? pusr : pfile);
                assert_untrusted(VGPU(), mfile, cases[i].what, fix);
                assert_untrusted(CX(), pfile, cases[i].what, fix2);
                if (dir) {
                        /* The directory at fault is named. */
                        g_autofree char *d1 = g_strdup_printf("cannot be trusted: %s is not trusted: ", musr);
                        g_autofree char *d2 = g_strdup_printf("cannot be trusted: %s is not trusted: ", pusr);
                        ck_assert_ptr_nonnull(strstr(vgpu->not_migratable_reason, d1));
                        ck_assert_ptr_nonnull(strstr(cx->not_migratable_reason, d2));
                } else {
                        ck_assert_ptr_nonnull(strstr(vgpu->not_migratable_reason, "10-nvidia.json is not trusted: "));
                        ck_assert_ptr_nonnull(strstr(cx->not_migratable_reason, "10-mlx5.json is not trusted: "));
                }
                ck_assert_uint_eq(mc_data_files_n_loaded(fx->df), 0);

                /* Fixed: used again on the change notification. */
                mcalls = mw.calls;
                pcalls = pw.calls;
                if (dir) {
                        ck_assert_int_eq(chmod(musr, 0755), 0);
                        ck_assert_int_eq(chmod(pusr, 0755), 0);
                } else {
                        ck_assert_int_eq(chown(mfile, 0, 0), 0);
                        ck_assert_int_eq(chmod(mfile, 0644), 0);
                        ck_assert_int_eq(chown(pfile, 0, 0), 0);
                        ck_assert_int_eq(chmod(pfile, 0644), 0);
                }
                fx_dispatch(fx);
                ck_assert_uint_gt(mw.calls, mcalls);
                ck_assert_uint_gt(pw.calls, pcalls);
                assert_uses(VGPU(), mfile);
                assert_uses(CX(), pfile);
        }

        /* An untrusted /etc file replaces the /usr/share one of its name,
         * as not migratable: it never falls back to the file it overrides. */
        write_file(metc_file, nvidia_file);
        write_file(petc_file, cx_file);
        ck_assert_int_eq(chown(metc_file, NOBODY, NOBODY), 0);
        ck_assert_int_eq(chown(petc_file, NOBODY, NOBODY), 0);
        fx_dispatch(fx);
        g_clear_pointer(&fix, g_free);
        g_clear_pointer(&fix2, g_free);
        fix = g_strdup_printf("chown root:root %s", metc_file);
        fix2 = g_strdup_printf("chown root:root %s", petc_file);
        assert_untrusted(VGPU(), metc_file, "owned by uid 65534", fix);
        assert_untrusted(CX(), petc_file, "owned by uid 65534", fix2);
        ck_assert_int_eq(chown(metc_file, 0, 0), 0);
        ck_assert_int_eq(chown(petc_file, 0, 0), 0);
        fx_dispatch(fx);
        assert_uses(VGPU(), metc_file);
        assert_uses(CX(), petc_file);

        /* A rescan of everything decides the same. */
        ck_assert_int_eq(chmod(metc_file, 0666), 0);
        ck_assert(mc_data_files_load(tm.df));
        mc_mdev_source_refresh_facts(msrc);
        g_clear_pointer(&fix, g_free);
        fix = g_strdup_printf("chmod go-w %s", metc_file);
        assert_untrusted(VGPU(), metc_file, "(mode 0666)", fix);
#undef VGPU
#undef CX

        g_clear_pointer(&mwatch, mc_dir_watch_free);
        g_clear_pointer(&pwatch, mc_dir_watch_free);
        g_clear_pointer(&msrc, mc_mdev_source_free);
        mc_data_files_free(tm.df);
        g_hash_table_unref(tm.pub);
        for (const char *const *f = (const char *const[]) { mfile, mlater, metc_file, pfile, petc_file, NULL }; *f; f++)
                ck_assert_int_eq(unlink(*f), 0);
        for (const char *const *d = (const char *const[]) { musr, metc, pusr, petc, usr, etc, root, NULL }; *d; d++)
                ck_assert_int_eq(rmdir(*d), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("pci");
        TCase *tc = tcase_create("source");

        tcase_add_test(tc, test_enumerate_identity);
        tcase_add_test(tc, test_derived_pf_attr_and_listed_versions);
        tcase_add_test(tc, test_unresolvable_placeholder);
        tcase_add_test(tc, test_bind_unbind_one_uevent);
        tcase_add_test(tc, test_pf_rebind_refreshes_vfs);
        tcase_add_test(tc, test_hostile_sysfs);
        tcase_add_test(tc, test_describe);
        tcase_add_test(tc, test_two_hosts);
        tcase_add_test(tc, test_two_vfs_one_vm);
        tcase_add_test(tc, test_profile_roundtrip);
        tcase_add_test(tc, test_mdev_derived_version);
        tcase_add_test(tc, test_template_errors);
        tcase_add_test(tc, test_bad_file_skipped_rest_load);
        tcase_add_test(tc, test_untrusted_data_files);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
