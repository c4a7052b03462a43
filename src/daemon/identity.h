/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The identity of a device as sysfs shows it, and the values of
 * derived-version placeholders (migcompat-formats(5)) read from it: a PCI
 * function on a VFIO driver, or an mdev parent whose driver publishes no
 * migration attributes. All I/O is here; the engine only expands.
 *
 * Where each value comes from (syspath: the device; PF: the device its
 * physfn link points to, for an SR-IOV VF):
 *   vendor, device, subsystem-vendor, subsystem-device, class, revision
 *                          syspath/<attribute> ("0x15b3")
 *   driver                 basename of syspath/driver
 *   driver-module          basename of syspath/driver/module
 *   driver-version, driver-srcversion
 *                          /sys/module/<driver-module>/version, srcversion
 *                          (version only for modules that declare one;
 *                          srcversion also for in-tree modules when the
 *                          kernel has CONFIG_MODULE_SRCVERSION_ALL)
 *   iommu-group            basename of syspath/iommu_group
 *   pf                     basename of syspath/physfn (a VF's PF address)
 *   pf-driver, pf-driver-version, pf-driver-srcversion
 *                          as above, of the PF
 *   pf-firmware, pf-board-id
 *                          PF/infiniband/<dev>/fw_ver and board_id: the PF's
 *                          RDMA device (mlx5_core with mlx5_ib). No other
 *                          PF driver of today's variant drivers shows its
 *                          firmware version in sysfs (hisi_qm, qat, pds_core
 *                          and virtio-net PFs report it through devlink,
 *                          debugfs or ethtool only).
 *   kernel-release         uname -r
 *   type                   the mdev type id (given by the mdev source)
 *   attr:REL, pf-attr:REL  syspath/REL, PF/REL, read when asked for. */

#include <glib.h>

#include "mc-types.h"

typedef struct {
        char *syspath;    /* the device */
        char *pf_syspath; /* its PF, NULL when it has none */
        /* What was found (McPair*, sorted): the names above, those that
         * exist. address is the device's sysfs name. */
        GPtrArray *values;
        /* For the names not found: where they were looked for (McPair*). */
        GPtrArray *missing;
} McIdentity;

/* Read a device's identity. Only fails (MC_ERROR_NOT_FOUND) when the
 * device directory itself is gone; every missing attribute is noted. */
McIdentity *mc_identity_read(const char *syspath, GError **error);
void mc_identity_free(McIdentity *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McIdentity, mc_identity_free)

/* The value of one placeholder; MC_ERROR_NOT_FOUND saying where it was
 * looked for, when the host does not show it. */
char *mc_identity_resolve(const McIdentity *id, const char *name, GError **error);

/* A model data file's information for this device: each derived-version
 * template expanded with this device's values. NULL with *reason set when
 * a value is not shown here or the result is no version string; the
 * reason names the value, the file and where it was looked for. A file
 * without derived versions gives its information as is. */
McInfo *mc_identity_derive(const McIdentity *id, const McInfo *file_info, const char *file_origin,
                           const GPtrArray *extra, char **reason);
/* extra: further values (McPair*) the caller knows, e.g. "type" (the mdev
 * type id) for an mdev type; may be NULL. */
