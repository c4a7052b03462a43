/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* PCI functions on the umockdev testbed, laid out as the kernel does
 * (drivers/pci/pci-sysfs.c, drivers/pci/iov.c, drivers/base/module.c,
 * drivers/infiniband/core/sysfs.c; see docs/real-devices.md):
 *   /sys/devices/pci0000:BB/<addr>/{vendor,device,subsystem_vendor,
 *       subsystem_device,class,revision,uevent}
 *       driver -> ../../../bus/pci/drivers/<driver>
 *       iommu_group -> ../../../kernel/iommu_groups/<n>
 *       physfn -> ../<pf>           (a VF)   virtfn<N> -> ../<vf> (its PF)
 *       infiniband/mlx5_0/{fw_ver,board_id}   (an mlx5_core PF with mlx5_ib)
 *   /sys/bus/pci/drivers/<driver>/module -> ../../../../module/<module>
 *   /sys/module/<module>/{version,srcversion}
 * Values are written with the trailing newline sysfs prints. */

#include "testbed.h"

typedef struct {
        const char *address;   /* "0000:3b:00.2" */
        const char *vendor;    /* "0x15b3" */
        const char *device;
        const char *subsystem_vendor;
        const char *subsystem_device;
        const char *class_;    /* "0x020000" */
        const char *revision;  /* "0x00" */
        const char *driver;    /* NULL: unbound */
        const char *iommu_group; /* "42", NULL: none */
        const char *pf;        /* the PF's address (a VF), NULL: none */
} McTestPciFunction;

/* Add a function below /sys/devices/pci<domain>:<bus of the PF or the
 * function>/; returns its syspath (free it). */
char *mc_testbed_add_pci_function(McTestbed *tb, const McTestPciFunction *f);
/* The syspath a function gets. */
char *mc_testbed_pci_syspath(const char *address, const char *pf);
/* Bind (driver non-NULL) or unbind the function, as the driver core does:
 * the driver links and uevent DRIVER= change, then the "bind"/"unbind"
 * uevent when asked. */
void mc_testbed_pci_bind(McTestbed *tb, const char *syspath, const char *driver, bool uevent);
/* A driver's module link and the module's version/srcversion (NULL: the
 * attribute is absent). */
void mc_testbed_add_module(McTestbed *tb, const char *bus, const char *driver, const char *module,
                           const char *version, const char *srcversion);
/* An RDMA device below a PF: infiniband/<name>/{fw_ver,board_id}. */
void mc_testbed_add_rdma(McTestbed *tb, const char *pf_syspath, const char *name,
                         const char *fw_ver, const char *board_id);

/* ---- hosts modeled on real ones (docs/real-devices.md §5) ---- */

/* ConnectX-7: PF 0000:3b:00.0 on mlx5_core (fw_ver, board_id given) with
 * VFs 0000:3b:00.2 and 0000:3b:00.3 on mlx5_vfio_pci. */
#define MC_TEST_CX_PF "0000:3b:00.0"
#define MC_TEST_CX_VF "0000:3b:00.2"
#define MC_TEST_CX_VF2 "0000:3b:00.3"
void mc_testbed_add_connectx(McTestbed *tb, const char *fw_ver, const char *board_id);
/* HiSilicon SEC: PF 0000:7d:00.0 (0x19e5:0xa255 rev 0x30, hisi_sec2), VF
 * 0000:7d:00.1 (0xa256) on hisi_acc_vfio_pci. */
#define MC_TEST_HISI_VF "0000:7d:00.1"
void mc_testbed_add_hisi_sec(McTestbed *tb);
/* QAT 4xxx: PF 0000:6b:00.0 (0x8086:0x4940, 4xxx / qat_4xxx,
 * qat/cfg_services "sym;asym"), VF 0000:6b:00.1 (0x4941) on qat_vfio_pci. */
#define MC_TEST_QAT_VF "0000:6b:00.1"
void mc_testbed_add_qat(McTestbed *tb);
/* virtio-net: PF 0000:af:00.0 (0x1af4:0x1041, virtio-pci / virtio_pci),
 * VF 0000:af:00.1 on virtio_vfio_pci. */
#define MC_TEST_VIRTIO_VF "0000:af:00.1"
void mc_testbed_add_virtio_net(McTestbed *tb);
/* NVIDIA GPU 0000:41:00.0 (0x10de:0x2236) on plain vfio-pci. */
#define MC_TEST_GPU "0000:41:00.0"
void mc_testbed_add_gpu_vfio(McTestbed *tb);
/* /sys/module/nvidia/version for the mdev NVIDIA host. */
void mc_testbed_set_nvidia_version(McTestbed *tb, const char *version);
