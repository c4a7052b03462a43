/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "testbed-pci.h"

#include <string.h>

static void write_attr(McTestbed *tb, const char *dir, const char *attr, const char *value) {
        g_autofree char *path = NULL;
        g_autofree char *line = NULL;

        if (!value)
                return;
        path = g_strconcat(dir, "/", attr, NULL);
        line = g_strconcat(value, "\n", NULL);
        mc_testbed_write(tb, path, line, -1);
}

char *mc_testbed_pci_syspath(const char *address, const char *pf) {
        /* The root port of a bus: pci<domain>:<bus> with the function
         * behind it, the way an add-in card sits (domain:bus of the PF). */
        const char *a = pf ? pf : address;
        g_autofree char *root = g_strndup(a, 7); /* "0000:3b" */
        return g_strdup_printf("/sys/devices/pci%s/%s", root, address);
}

char *mc_testbed_add_pci_function(McTestbed *tb, const McTestPciFunction *f) {
        g_autofree char *props = NULL;
        char *syspath = mc_testbed_pci_syspath(f->address, f->pf);
        g_autofree char *vid = g_ascii_strup(f->vendor + 2, -1);
        g_autofree char *did = g_ascii_strup(f->device + 2, -1);

        props = g_strdup_printf("PCI_CLASS=%s\nPCI_ID=%s:%s\nPCI_SLOT_NAME=%s\n",
                                f->class_ ? f->class_ + 2 : "0", vid, did, f->address);
        mc_testbed_add_device(tb, syspath, "bus/pci", f->driver, props);
        write_attr(tb, syspath, "vendor", f->vendor);
        write_attr(tb, syspath, "device", f->device);
        write_attr(tb, syspath, "subsystem_vendor", f->subsystem_vendor);
        write_attr(tb, syspath, "subsystem_device", f->subsystem_device);
        write_attr(tb, syspath, "class", f->class_);
        write_attr(tb, syspath, "revision", f->revision ? f->revision : "0x00");
        if (f->iommu_group) {
                g_autofree char *link = g_strconcat(syspath, "/iommu_group", NULL);
                g_autofree char *target = g_strconcat("../../../kernel/iommu_groups/", f->iommu_group, NULL);
                g_autofree char *group = g_strconcat("/sys/kernel/iommu_groups/", f->iommu_group, "/type", NULL);
                mc_testbed_write(tb, group, "DMA\n", -1);
                mc_testbed_symlink(tb, target, link);
        }
        if (f->pf) {
                g_autofree char *pf_path = mc_testbed_pci_syspath(f->pf, NULL);
                g_autofree char *physfn = g_strconcat(syspath, "/physfn", NULL);
                g_autofree char *target = g_strconcat("../", f->pf, NULL);
                g_autofree char *vtarget = g_strconcat("../", f->address, NULL);
                /* virtfnN: N from the function number, enough for tests. */
                g_autofree char *virtfn = g_strdup_printf("%s/virtfn%d", pf_path,
                                                          f->address[strlen(f->address) - 1] - '1');
                mc_testbed_symlink(tb, target, physfn);
                mc_testbed_symlink(tb, vtarget, virtfn);
        }
        return syspath;
}

void mc_testbed_pci_bind(McTestbed *tb, const char *syspath, const char *driver, bool uevent) {
        g_autofree char *name = g_path_get_basename(syspath);
        g_autofree char *link = g_strconcat(syspath, "/driver", NULL);
        g_autofree char *old = NULL;
        g_autofree char *real = mc_testbed_real_path(tb, link);
        g_autofree char *ue_path = g_strconcat(syspath, "/uevent", NULL);
        g_autofree char *ue_real = mc_testbed_real_path(tb, ue_path);
        g_autofree char *ue = NULL;
        g_autoptr(GString) nue = g_string_new(NULL);
        g_auto(GStrv) lines = NULL;

        old = g_file_read_link(real, NULL);
        if (old) {
                g_autofree char *old_drv = g_path_get_basename(old);
                g_autofree char *back = g_strconcat("/sys/bus/pci/drivers/", old_drv, "/", name, NULL);
                mc_testbed_remove(tb, back);
                mc_testbed_remove(tb, link);
        }
        if (driver) {
                g_autofree char *target = g_strconcat("../../../bus/pci/drivers/", driver, NULL);
                g_autofree char *back = g_strconcat("/sys/bus/pci/drivers/", driver, "/", name, NULL);
                g_autofree char *dev_target = g_strconcat("../../../../devices/", syspath + strlen("/sys/devices/"), NULL);
                mc_testbed_symlink(tb, target, link);
                mc_testbed_symlink(tb, dev_target, back);
        }
        /* uevent: DRIVER= as the driver core writes it. */
        g_file_get_contents(ue_real, &ue, NULL, NULL);
        lines = g_strsplit(ue ? ue : "", "\n", -1);
        if (driver)
                g_string_append_printf(nue, "DRIVER=%s\n", driver);
        for (guint i = 0; lines[i]; i++)
                if (*lines[i] && !g_str_has_prefix(lines[i], "DRIVER="))
                        g_string_append_printf(nue, "%s\n", lines[i]);
        mc_testbed_write(tb, ue_path, nue->str, -1);
        if (uevent)
                mc_testbed_uevent(tb, syspath, driver ? "bind" : "unbind");
}

void mc_testbed_add_module(McTestbed *tb, const char *bus, const char *driver, const char *module,
                           const char *version, const char *srcversion) {
        g_autofree char *link = g_strdup_printf("/sys/bus/%s/drivers/%s/module", bus, driver);
        g_autofree char *target = g_strconcat("../../../../module/", module, NULL);
        g_autofree char *dir = g_strconcat("/sys/module/", module, NULL);
        g_autofree char *ver = g_strconcat(dir, "/version", NULL);
        g_autofree char *src = g_strconcat(dir, "/srcversion", NULL);
        g_autofree char *refcnt = g_strconcat(dir, "/refcnt", NULL);

        mc_testbed_symlink(tb, target, link);
        mc_testbed_write(tb, refcnt, "1\n", -1);
        mc_testbed_remove(tb, ver);
        mc_testbed_remove(tb, src);
        write_attr(tb, dir, "version", version);
        write_attr(tb, dir, "srcversion", srcversion);
}

void mc_testbed_add_rdma(McTestbed *tb, const char *pf_syspath, const char *name,
                         const char *fw_ver, const char *board_id) {
        g_autofree char *dir = g_strconcat(pf_syspath, "/infiniband/", name, NULL);

        /* A class device (drivers/infiniband/core/sysfs.c), also reachable
         * as /sys/class/infiniband/<name>. */
        mc_testbed_add_device(tb, dir, "class/infiniband", NULL, NULL);
        write_attr(tb, dir, "fw_ver", fw_ver);
        write_attr(tb, dir, "board_id", board_id);
        write_attr(tb, dir, "node_type", "1: CA");
}

/* ---- hosts ------------------------------------------------------------------ */

void mc_testbed_add_connectx(McTestbed *tb, const char *fw_ver, const char *board_id) {
        const McTestPciFunction pf = {
                .address = MC_TEST_CX_PF, .vendor = "0x15b3", .device = "0x1021",
                .subsystem_vendor = "0x15b3", .subsystem_device = "0x0040", .class_ = "0x020000",
                .driver = "mlx5_core", .iommu_group = "40",
        };
        McTestPciFunction vf = {
                .address = MC_TEST_CX_VF, .vendor = "0x15b3", .device = "0x101e",
                .subsystem_vendor = "0x15b3", .subsystem_device = "0x0040", .class_ = "0x020000",
                .driver = "mlx5_vfio_pci", .iommu_group = "41", .pf = MC_TEST_CX_PF,
        };
        g_autofree char *pf_path = mc_testbed_add_pci_function(tb, &pf);
        g_autofree char *vf1 = NULL, *vf2 = NULL;

        write_attr(tb, pf_path, "sriov_totalvfs", "8");
        write_attr(tb, pf_path, "sriov_numvfs", "2");
        if (fw_ver)
                mc_testbed_add_rdma(tb, pf_path, "mlx5_0", fw_ver, board_id);
        vf1 = mc_testbed_add_pci_function(tb, &vf);
        vf.address = MC_TEST_CX_VF2;
        vf.iommu_group = "42";
        vf2 = mc_testbed_add_pci_function(tb, &vf);
        mc_testbed_add_module(tb, "pci", "mlx5_core", "mlx5_core", NULL, "7C3B0C6A1F2E9D4B8A5E6F1");
        mc_testbed_add_module(tb, "pci", "mlx5_vfio_pci", "mlx5_vfio_pci", NULL, "A1B2C3D4E5F60718293A4B5");
}

void mc_testbed_add_hisi_sec(McTestbed *tb) {
        const McTestPciFunction pf = {
                .address = "0000:7d:00.0", .vendor = "0x19e5", .device = "0xa255",
                .subsystem_vendor = "0x19e5", .subsystem_device = "0x0000", .class_ = "0x108000",
                .revision = "0x30", .driver = "hisi_sec2", .iommu_group = "10",
        };
        const McTestPciFunction vf = {
                .address = MC_TEST_HISI_VF, .vendor = "0x19e5", .device = "0xa256",
                .subsystem_vendor = "0x19e5", .subsystem_device = "0x0000", .class_ = "0x108000",
                .revision = "0x30", .driver = "hisi_acc_vfio_pci", .iommu_group = "11",
                .pf = "0000:7d:00.0",
        };
        g_free(mc_testbed_add_pci_function(tb, &pf));
        g_free(mc_testbed_add_pci_function(tb, &vf));
        mc_testbed_add_module(tb, "pci", "hisi_sec2", "hisi_sec2", NULL, NULL);
        mc_testbed_add_module(tb, "pci", "hisi_acc_vfio_pci", "hisi_acc_vfio_pci", NULL, NULL);
}

void mc_testbed_add_qat(McTestbed *tb) {
        const McTestPciFunction pf = {
                .address = "0000:6b:00.0", .vendor = "0x8086", .device = "0x4940",
                .subsystem_vendor = "0x8086", .subsystem_device = "0x0000", .class_ = "0x0b4000",
                .driver = "4xxx", .iommu_group = "20",
        };
        const McTestPciFunction vf = {
                .address = MC_TEST_QAT_VF, .vendor = "0x8086", .device = "0x4941",
                .subsystem_vendor = "0x8086", .subsystem_device = "0x0000", .class_ = "0x0b4000",
                .driver = "qat_vfio_pci", .iommu_group = "21", .pf = "0000:6b:00.0",
        };
        g_autofree char *a = mc_testbed_add_pci_function(tb, &pf);
        g_free(mc_testbed_add_pci_function(tb, &vf));
        write_attr(tb, a, "qat/cfg_services", "sym;asym");
        write_attr(tb, a, "qat/state", "up");
        mc_testbed_add_module(tb, "pci", "4xxx", "qat_4xxx", NULL, NULL);
        mc_testbed_add_module(tb, "pci", "qat_vfio_pci", "qat_vfio_pci", NULL, NULL);
}

void mc_testbed_add_virtio_net(McTestbed *tb) {
        const McTestPciFunction pf = {
                .address = "0000:af:00.0", .vendor = "0x1af4", .device = "0x1041",
                .subsystem_vendor = "0x1af4", .subsystem_device = "0x0001", .class_ = "0x020000",
                .revision = "0x01", .driver = "virtio-pci", .iommu_group = "30",
        };
        const McTestPciFunction vf = {
                .address = MC_TEST_VIRTIO_VF, .vendor = "0x1af4", .device = "0x1041",
                .subsystem_vendor = "0x1af4", .subsystem_device = "0x0001", .class_ = "0x020000",
                .revision = "0x01", .driver = "virtio_vfio_pci", .iommu_group = "31",
                .pf = "0000:af:00.0",
        };
        g_free(mc_testbed_add_pci_function(tb, &pf));
        g_free(mc_testbed_add_pci_function(tb, &vf));
        mc_testbed_add_module(tb, "pci", "virtio-pci", "virtio_pci", "1", NULL);
        mc_testbed_add_module(tb, "pci", "virtio_vfio_pci", "virtio_vfio_pci", NULL, NULL);
}

void mc_testbed_add_gpu_vfio(McTestbed *tb) {
        const McTestPciFunction gpu = {
                .address = MC_TEST_GPU, .vendor = "0x10de", .device = "0x2236",
                .subsystem_vendor = "0x10de", .subsystem_device = "0x1482", .class_ = "0x030200",
                .revision = "0xa1", .driver = "vfio-pci", .iommu_group = "50",
        };
        g_free(mc_testbed_add_pci_function(tb, &gpu));
        mc_testbed_add_module(tb, "pci", "vfio-pci", "vfio_pci", NULL, NULL);
}

void mc_testbed_set_nvidia_version(McTestbed *tb, const char *version) {
        mc_testbed_add_module(tb, "pci", "nvidia", "nvidia", version, "5F1A6C2B3D9E8F7A6B5C4D3");
}
