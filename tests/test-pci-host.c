/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Simulated hosts modeled on real ones (tests/testbed-pci.h), with the
 * daemon on a private bus and the data files the project ships:
 *  - two hosts: describe a ConnectX VF on host A, check it on host B with
 *    the same build (compatible) and with other PF firmware (incompatible,
 *    naming the difference), through migcompatctl;
 *  - a VF's unbind and bind are published after their one uevent;
 *  - with only the installed default data (an install into a DESTDIR), the
 *    host profile lists every migratable VF and mdev type with model,
 *    derived version and capabilities, and plain vfio-pci as not
 *    migratable with the reason. */

#include <check.h>
#include <string.h>
#include <sys/utsname.h>

#include "harness.h"
#include "mc-config.h"
#include "mc-parse.h"
#include "mc-sd-util.h"
#include "mc-test-main.h"
#include "testbed-pci.h"

#define BOARD "MT_0000000838"

static char *kernel_release(void) {
        struct utsname u;
        ck_assert_int_eq(uname(&u), 0);
        return g_strdup(u.release);
}

/* A host: ConnectX (PF firmware fw), HiSilicon SEC, QAT and virtio-net
 * VFs, a GPU on plain vfio-pci, and an NVIDIA vGPU mdev parent whose driver
 * publishes no migration attributes (nvidia module 535.104.06). */
#define NV_UUID "5e2b8d71-0c4a-4f3e-9b1d-7a6c5e4d3b2a"

static McTestbed *real_host_nv(const char *fw, const char *nvidia_version, bool vgpu_running) {
        McTestbed *tb = mc_testbed_new();
        g_autofree char *nv = NULL;

        mc_testbed_add_connectx(tb, fw, BOARD);
        mc_testbed_add_hisi_sec(tb);
        mc_testbed_add_qat(tb);
        mc_testbed_add_virtio_net(tb);
        mc_testbed_add_gpu_vfio(tb);
        nv = mc_testbed_add_nvidia(tb, "0000:86:00.0");
        mc_testbed_set_nvidia_version(tb, nvidia_version);
        if (vgpu_running)
                g_free(mc_testbed_add_instance(tb, nv, "nvidia-63", NV_UUID, NULL, false));
        return tb;
}

static McTestbed *real_host(const char *fw) {
        return real_host_nv(fw, "535.104.06", false);
}

static int run_ctl(McHarness *h, const char *const *args, char **out, char **err_ret) {
        g_autofree char *ctl = mc_harness_build_path("src/migcompatctl");
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autofree char *err = NULL;
        int status;

        g_ptr_array_add(argv, ctl);
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        status = mc_harness_run(h, false, (const char *const *) argv->pdata, out, &err);
        ck_assert_msg(!strstr(err, "Sanitizer"), "%s", err);
        if (err_ret)
                *err_ret = g_steal_pointer(&err);
        return status;
}

/* The shipped data files, from the source tree. */
static void start_with_shipped_data(McHarness *h) {
        g_autofree char *mdev = mc_harness_source_path("data/mdev-models.d");
        g_autofree char *pci = mc_harness_source_path("data/vfio-pci-models.d");
        g_autofree char *a1 = g_strdup_printf("--data-dir=%s", mdev);
        g_autofree char *a2 = g_strdup_printf("--pci-data-dir=%s", pci);
        const char *args[] = { a1, a2, NULL };

        mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
        mc_harness_start_daemon(h, args);
}

/* Check the description in file on a host whose PF runs fw. */
static int check_on_host(const char *fw, const char *file, char **out) {
        G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host(fw);
        g_autoptr(McHarness) h = mc_harness_new();
        const char *args[] = { "check", file, NULL };
        int status;

        start_with_shipped_data(h);
        status = run_ctl(h, args, out, NULL);
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
        return status;
}

START_TEST(two_hosts) {
        g_autofree char *dir = g_dir_make_tmp("mc-two-hosts-XXXXXX", NULL);
        g_autofree char *file = g_build_filename(dir, "vf.json", NULL);
        g_autofree char *rel = kernel_release();
        g_autofree char *version = g_strdup_printf("%s+fw28.38.1900+psid" BOARD, rel);
        g_autofree char *desc = NULL, *same = NULL, *other = NULL;

        /* Host A describes its VF. */
        {
                G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host("28.38.1900");
                g_autoptr(McHarness) h = mc_harness_new();
                const char *args[] = { "describe", MC_TEST_CX_VF, NULL };
                g_autoptr(GError) error = NULL;
                g_autoptr(McSource) src = NULL;
                const McSrcDevice *d;

                start_with_shipped_data(h);
                ck_assert_int_eq(run_ctl(h, args, &desc, NULL), 0);
                ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
                src = mc_source_parse(desc, strlen(desc), "describe", &error);
                ck_assert_msg(src, "%s: %s", desc, error ? error->message : "?");
                d = src->devices->pdata[0];
                ck_assert_str_eq(d->id, MC_TEST_CX_VF);
                ck_assert_str_eq(d->model, "nvidia.com/mlx5/connectx-vf");
                ck_assert_str_eq(d->version, version);
                ck_assert_str_eq(mc_pairs_get(d->derived_from, "pf-firmware"), "28.38.1900");
                ck_assert(g_file_set_contents(file, desc, -1, NULL));
        }

        /* Host B with the same build: compatible, on a VF whose use is
         * noted as unknown, never claimed free. */
        ck_assert_int_eq(check_on_host("28.38.1900", file, &same), 0);
        ck_assert_msg(strstr(same, MC_TEST_CX_VF ": compatible (nvidia.com/mlx5/connectx-vf"), "%s", same);
        ck_assert_msg(strstr(same, "assign  PCI function 0000:3b:00."), "%s", same);
        ck_assert_msg(strstr(same, "availability-unknown:"), "%s", same);
        ck_assert_msg(strstr(same, "verdict: compatible"), "%s", same);

        /* Host B with newer PF firmware: incompatible, and says what differs. */
        ck_assert_int_eq(check_on_host("28.39.1002", file, &other), 1);
        ck_assert_msg(strstr(other, "version-unsupported: PF firmware 28.39.1002 here, the source runs"),
                      "%s", other);
        ck_assert_msg(strstr(other, "28.38.1900"), "%s", other);
        ck_assert_msg(strstr(other, "verdict: incompatible"), "%s", other);

        unlink(file);
        rmdir(dir);
}
END_TEST

/* The libvirt path: the description travels in the domain's <metadata>,
 * derived-from values included, and the destination's hook names the
 * difference in its one line. */
START_TEST(two_hosts_libvirt) {
        g_autofree char *dir = g_dir_make_tmp("mc-two-hosts-XXXXXX", NULL);
        g_autofree char *file = g_build_filename(dir, "domain.xml", NULL);
        g_autofree char *md = NULL, *out = NULL, *err = NULL;

        {
                G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host("28.38.1900");
                g_autoptr(McHarness) h = mc_harness_new();
                const char *args[] = { "describe", "--domain-metadata", "--id", "hostdev1", MC_TEST_CX_VF, NULL };
                start_with_shipped_data(h);
                ck_assert_int_eq(run_ctl(h, args, &md, NULL), 0);
                ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
                ck_assert_msg(strstr(md, "<migcompat:derived-from name=\"pf-firmware\" value=\"28.38.1900\"/>"), "%s", md);
        }
        {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>vm1</name><metadata>%s</metadata><devices>"
                        "<hostdev mode='subsystem' type='pci' managed='yes'><driver name='vfio'/>"
                        "<source><address domain='0x0000' bus='0x3b' slot='0x00' function='0x2'/></source>"
                        "<alias name='hostdev1'/></hostdev></devices></domain>", md);
                ck_assert(g_file_set_contents(file, xml, -1, NULL));
        }
        {
                G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host("28.39.1002");
                g_autoptr(McHarness) h = mc_harness_new();
                const char *args[] = { "check-domain", "--hook", file, NULL };
                start_with_shipped_data(h);
                int st = run_ctl(h, args, &out, &err);
                ck_assert_msg(st == 1, "exit %d: %s %s", st, out, err);
                ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
                ck_assert_str_eq(out, "");
                ck_assert_msg(strstr(err, "PF firmware 28.39.1002 here, the source runs 28.38.1900"), "%s", err);
        }
        unlink(file);
        rmdir(dir);
}
END_TEST

/* ---- bind and unbind over the bus ---------------------------------------------- */

static uint64_t generation(sd_bus *bus) {
        uint64_t g = 0;
        ck_assert_int_ge(sd_bus_get_property_trivial(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                     "Generation", NULL, 't', &g), 0);
        return g;
}

static bool has_impl(sd_bus *bus, const char *id) {
        g_autoptr(sd_bus_message) reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                   "GetImplementation", &error, &reply, "s", id);
        sd_bus_error_free(&error);
        return r >= 0;
}

static void expect_describe_error(sd_bus *bus, const char *arg, const char *name) {
        g_autoptr(sd_bus_message) reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "Describe",
                                   &error, &reply, "s", arg);
        ck_assert_msg(r < 0 && sd_bus_error_has_name(&error, name), "Describe %s: %s (%s)", arg,
                      error.name ? error.name : "no error", error.message ? error.message : "");
        sd_bus_error_free(&error);
}

typedef struct {
        sd_bus *bus;
        uint64_t want;
} GenWait;

static bool reached(void *u) {
        GenWait *w = u;
        return generation(w->bus) >= w->want;
}

/* An NVIDIA vGPU (mdev, no migration attributes): its version is the
 * nvidia module's release plus the type; another release is refused by
 * name. */
START_TEST(two_hosts_vgpu) {
        g_autofree char *dir = g_dir_make_tmp("mc-two-hosts-XXXXXX", NULL);
        g_autofree char *file = g_build_filename(dir, "vgpu.json", NULL);
        g_autofree char *desc = NULL, *same = NULL, *other = NULL;

        {
                G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host_nv("28.38.1900", "535.104.06", true);
                g_autoptr(McHarness) h = mc_harness_new();
                const char *args[] = { "describe", NV_UUID, NULL };
                start_with_shipped_data(h);
                ck_assert_int_eq(run_ctl(h, args, &desc, NULL), 0);
                ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
                ck_assert_msg(strstr(desc, "\"version\" : \"535.104.06+nvidia-63\""), "%s", desc);
                ck_assert_msg(strstr(desc, "\"driver-version\" : \"535.104.06\""), "%s", desc);
                ck_assert(g_file_set_contents(file, desc, -1, NULL));
        }
        {
                G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host_nv("28.38.1900", "535.104.06", false);
                g_autoptr(McHarness) h = mc_harness_new();
                const char *args[] = { "check", file, NULL };
                start_with_shipped_data(h);
                ck_assert_int_eq(run_ctl(h, args, &same, NULL), 0);
                ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
                ck_assert_msg(strstr(same, "use      mdev:0000:86:00.0:nvidia-63"), "%s", same);
        }
        {
                G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host_nv("28.38.1900", "550.54.14", false);
                g_autoptr(McHarness) h = mc_harness_new();
                const char *args[] = { "check", file, NULL };
                start_with_shipped_data(h);
                ck_assert_int_eq(run_ctl(h, args, &other, NULL), 1);
                ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
                ck_assert_msg(strstr(other, "version-unsupported: driver version 550.54.14 here, the source runs"),
                              "%s", other);
                ck_assert_msg(strstr(other, "535.104.06 (source state is version 535.104.06+nvidia-63"), "%s", other);
        }
        unlink(file);
        rmdir(dir);
}
END_TEST

START_TEST(bind_unbind_over_bus) {
        G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host("28.38.1900");
        g_autoptr(McHarness) h = mc_harness_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autofree char *vf = mc_testbed_pci_syspath(MC_TEST_CX_VF2, MC_TEST_CX_PF);
        GenWait w;
        uint64_t g0;

        start_with_shipped_data(h);
        bus = mc_harness_connect(h);
        ck_assert(has_impl(bus, "vfio-pci:" MC_TEST_CX_VF2));
        g0 = generation(bus);

        /* echo 0000:3b:00.3 > /sys/bus/pci/drivers/mlx5_vfio_pci/unbind */
        mc_testbed_pci_bind(tb, vf, NULL, true);
        w = (GenWait) { bus, g0 + 1 };
        ck_assert_msg(mc_harness_bus_wait(bus, reached, &w, 20000), "no change after unbind");
        ck_assert_uint_eq(generation(bus), g0 + 1);
        ck_assert(!has_impl(bus, "vfio-pci:" MC_TEST_CX_VF2));

        /* and bound again: back after its bind uevent, no rescan. */
        mc_testbed_pci_bind(tb, vf, "mlx5_vfio_pci", true);
        w = (GenWait) { bus, g0 + 2 };
        ck_assert_msg(mc_harness_bus_wait(bus, reached, &w, 20000), "no change after bind");
        ck_assert(has_impl(bus, "vfio-pci:" MC_TEST_CX_VF2));

        /* The typed question: compatible, and the note comes with it. */
        {
                g_autoptr(sd_bus_message) reply = NULL;
                g_autofree char *version = NULL;
                g_autofree char *rel = kernel_release();
                const char *verdict, *path, *impl, *code, *msg;
                bool noted = false;

                version = g_strdup_printf("%s+fw28.38.1900+psid" BOARD, rel);
                ck_assert_int_ge(sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "CheckDevice", NULL, &reply, "ssa{sv}as",
                                                    "nvidia.com/mlx5/connectx-vf", version, 0, 0), 0);
                ck_assert_int_ge(sd_bus_message_read(reply, "so", &verdict, &path), 0);
                ck_assert_str_eq(verdict, "compatible");
                ck_assert_int_ge(sd_bus_message_enter_container(reply, 'a', "(sss)"), 0);
                while (sd_bus_message_read(reply, "(sss)", &impl, &code, &msg) > 0)
                        noted |= strcmp(code, "availability-unknown") == 0;
                ck_assert(noted);
        }

        /* Describe by address: each error by its name. */
        expect_describe_error(bus, "0000:3b:00.9x", "org.freedesktop.DBus.Error.InvalidArgs");
        expect_describe_error(bus, "0000:99:00.1", "org.migcompat.MigCompat1.Error.NotFound");
        expect_describe_error(bus, MC_TEST_GPU, "org.migcompat.MigCompat1.Error.NotMigratable");

        /* Exports: the VF's model and derived version as an NFD label and
         * a Placement trait; the GPU on vfio-pci gives none. */
        {
                const char *nfd[] = { "export", "--format", "nfd", NULL };
                const char *placement[] = { "export", "--format", "placement", NULL };
                const char *list[] = { "list", NULL };
                g_autofree char *out = NULL, *out2 = NULL, *out3 = NULL;
                ck_assert_int_eq(run_ctl(h, nfd, &out, NULL), 0);
                ck_assert_msg(strstr(out, "migcompat.org/nvidia.com_mlx5_connectx-vf__"), "%s", out);
                ck_assert_msg(strstr(out, "stop-copy.cap.migcompat.org/nvidia.com_mlx5_connectx-vf__"), "%s", out);
                ck_assert_int_eq(run_ctl(h, placement, &out2, NULL), 0);
                ck_assert_msg(strstr(out2, "CUSTOM_MIGCOMPAT_NVIDIA_COM_MLX5_CONNECTX_VF_V_"), "%s", out2);
                ck_assert_int_eq(run_ctl(h, list, &out3, NULL), 0);
                ck_assert_msg(strstr(out3, "vfio-pci:" MC_TEST_GPU), "%s", out3);
                ck_assert_msg(strstr(out3, "unknown"), "%s", out3);
        }
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
}
END_TEST

/* ---- the installed default data --------------------------------------------------- */

static const McImpl *find(McProfile *p, const char *id) {
        for (guint i = 0; i < p->impls->len; i++)
                if (strcmp(((McImpl *) p->impls->pdata[i])->id, id) == 0)
                        return p->impls->pdata[i];
        ck_abort_msg("%s is not in the host profile", id);
        return NULL;
}

/* A migratable implementation with one model, this version first and
 * these capabilities. */
static void expect_migratable(McProfile *p, const char *id, const char *model, const char *version,
                              unsigned caps, bool caps_known) {
        const McImpl *impl = find(p, id);
        const McModel *m;

        ck_assert_msg(mc_impl_migratable(impl), "%s: %s", id, impl->not_migratable_reason);
        ck_assert_int_eq(impl->facts_from, MC_FACTS_DATA_FILE);
        m = impl->info->models->pdata[0];
        ck_assert_str_eq(m->model, model);
        ck_assert_str_eq(m->versions->pdata[0], version);
        ck_assert_ptr_nonnull(m->derived_from);
        ck_assert_int_eq(m->caps_known, caps_known);
        if (caps_known)
                ck_assert_uint_eq(m->caps, caps);
}

START_TEST(default_data_profile) {
        const char *cmake = g_getenv("MC_CMAKE");
        g_autofree char *build = mc_harness_build_path("");
        g_autofree char *destdir = g_dir_make_tmp("mc-destdir-XXXXXX", NULL);
        g_autofree char *rel = kernel_release();
        G_GNUC_UNUSED g_autoptr(McTestbed) tb = real_host("28.39.1002");
        g_autoptr(McHarness) h = mc_harness_new();
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(McProfile) p = NULL;
        g_autofree char *help = NULL, *v = NULL;
        const char *json;

        ck_assert_msg(cmake, "MC_CMAKE is not set (run through ctest)");
        /* Install this build as a package would, below DESTDIR. */
        {
                g_autofree char *cmd = g_strdup_printf("DESTDIR=%s %s --install %s >/dev/null", destdir, cmake, build);
                ck_assert_int_eq(system(cmd), 0);
        }
        /* The daemon's defaults are these directories (see --help); it is
         * pointed at the same paths below DESTDIR, nothing else. */
        {
                g_autofree char *d = mc_harness_build_path("src/migcompatd");
                const char *argv[] = { d, "--help", NULL };
                ck_assert_int_eq(mc_harness_run(h, false, argv, &help, NULL), 0);
                ck_assert_ptr_nonnull(strstr(help, MC_PKGDATADIR "/vfio-pci-models.d then " MC_SYSCONFDIR "/vfio-pci-models.d"));
                ck_assert_ptr_nonnull(strstr(help, MC_PKGDATADIR "/mdev-models.d then " MC_SYSCONFDIR "/mdev-models.d"));
        }
        {
                g_autofree char *d1 = g_strdup_printf("--data-dir=%s" MC_PKGDATADIR "/mdev-models.d", destdir);
                g_autofree char *d2 = g_strdup_printf("--data-dir=%s" MC_SYSCONFDIR "/mdev-models.d", destdir);
                g_autofree char *p1 = g_strdup_printf("--pci-data-dir=%s" MC_PKGDATADIR "/vfio-pci-models.d", destdir);
                g_autofree char *p2 = g_strdup_printf("--pci-data-dir=%s" MC_SYSCONFDIR "/vfio-pci-models.d", destdir);
                const char *args[] = { d1, d2, p1, p2, NULL };
                mc_harness_start_bus(h, MC_BUS_PERMISSIVE);
                mc_harness_start_daemon(h, args);
        }
        bus = mc_harness_connect(h);
        ck_assert_int_ge(sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                            "GetHostProfile", NULL, &reply, NULL), 0);
        ck_assert_int_ge(sd_bus_message_read(reply, "s", &json), 0);
        p = mc_profile_parse(json, strlen(json), "GetHostProfile", &error);
        ck_assert_msg(p, "%s", error ? error->message : "?");

        v = g_strdup_printf("%s+fw28.39.1002+psid" BOARD, rel);
        expect_migratable(p, "vfio-pci:" MC_TEST_CX_VF, "nvidia.com/mlx5/connectx-vf", v,
                          MC_CAP_STOP_COPY | MC_CAP_P2P, true);
        expect_migratable(p, "vfio-pci:" MC_TEST_CX_VF2, "nvidia.com/mlx5/connectx-vf", v,
                          MC_CAP_STOP_COPY | MC_CAP_P2P, true);
        g_free(v);
        v = g_strdup_printf("%s+pfrev0x30", rel);
        expect_migratable(p, "vfio-pci:" MC_TEST_HISI_VF, "hisilicon.com/acc/sec-vf", v, MC_CAP_STOP_COPY, true);
        g_free(v);
        v = g_strdup_printf("%s+svcsym;asym", rel);
        {
                const McImpl *q = find(p, "vfio-pci:" MC_TEST_QAT_VF);
                ck_assert_msg(mc_impl_migratable(q), "%s", q->not_migratable_reason);
                ck_assert_str_eq(((McModel *) q->info->models->pdata[0])->versions->pdata[0], v);
        }
        {
                const McImpl *vn = find(p, "vfio-pci:" MC_TEST_VIRTIO_VF);
                ck_assert_msg(mc_impl_migratable(vn), "%s", vn->not_migratable_reason);
                ck_assert(g_str_has_prefix(((McModel *) vn->info->models->pdata[0])->versions->pdata[0], rel));
        }
        {
                const McImpl *gpu = find(p, "vfio-pci:" MC_TEST_GPU);
                ck_assert(!mc_impl_migratable(gpu));
                ck_assert_ptr_nonnull(strstr(gpu->not_migratable_reason, "plain vfio-pci"));
                ck_assert_int_eq(gpu->available, MC_AVAILABLE_UNKNOWN);
        }
        /* The NVIDIA vGPU types: the driver release plus the type. */
        expect_migratable(p, "mdev:0000:86:00.0:nvidia-63", "nvidia.com/vgpu", "535.104.06+nvidia-63", 0, false);
        expect_migratable(p, "mdev:0000:86:00.0:nvidia-66", "nvidia.com/vgpu", "535.104.06+nvidia-66", 0, false);
        /* The admin masks the shipped ConnectX file: the VFs follow at once. */
        {
                g_autofree char *mask = g_strdup_printf("%s" MC_SYSCONFDIR "/vfio-pci-models.d/10-mlx5_vfio_pci.json",
                                                        destdir);
                GenWait w = { bus, p->generation + 1 };
                g_autoptr(sd_bus_message) r2 = NULL;
                g_autoptr(McProfile) p2 = NULL;
                const char *json2;
                const McImpl *vf;

                ck_assert_int_eq(symlink("/dev/null", mask), 0);
                ck_assert_msg(mc_harness_bus_wait(bus, reached, &w, 20000), "no change after masking");
                ck_assert_int_ge(sd_bus_call_method(bus, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE,
                                                    "GetHostProfile", NULL, &r2, NULL), 0);
                ck_assert_int_ge(sd_bus_message_read(r2, "s", &json2), 0);
                p2 = mc_profile_parse(json2, strlen(json2), "GetHostProfile", NULL);
                ck_assert_ptr_nonnull(p2);
                vf = find(p2, "vfio-pci:" MC_TEST_CX_VF);
                ck_assert(!mc_impl_migratable(vf));
                ck_assert_msg(strstr(vf->not_migratable_reason, "no vfio-pci model data file matches driver mlx5_vfio_pci"),
                              "%s", vf->not_migratable_reason);
        }
        /* PFs on their host drivers are not published at all. */
        for (guint i = 0; i < p->impls->len; i++) {
                const McImpl *impl = p->impls->pdata[i];
                ck_assert_msg(strcmp(impl->id, "vfio-pci:" MC_TEST_CX_PF) != 0, "a PF is published");
        }
        ck_assert_int_eq(mc_harness_stop_daemon(h), 0);
        {
                g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", destdir);
                ck_assert_int_eq(system(cmd), 0);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("pci-host");
        TCase *tc = tcase_create("hosts");

        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, two_hosts);
        tcase_add_test(tc, two_hosts_libvirt);
        tcase_add_test(tc, two_hosts_vgpu);
        tcase_add_test(tc, bind_unbind_over_bus);
        tcase_add_test(tc, default_data_profile);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
