/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The vfio-pci side of discovery (docs/ARCHITECTURE.md): every PCI
 * function bound to a VFIO driver becomes one McImpl, kind vfio-pci, id
 * "vfio-pci:<address>". A VFIO driver is plain "vfio-pci", a variant
 * driver (a name ending in "_vfio_pci", the kernel's naming of
 * drivers/vfio/pci/<vendor>/), or any driver a vfio-pci model data file
 * names. No driver publishes migration facts, so they come from the data
 * files, with versions derived from what the host runs (identity.h).
 *
 * Followed through uevents of subsystem pci (add, remove, bind, unbind,
 * change): each re-reads only that function, and the VFs whose PF it is,
 * so a VF's bind or unbind is published after its one uevent. Uevents of
 * subsystem infiniband re-read the VFs of the PF below which the RDMA
 * device appeared or went (its fw_ver is the PF firmware).
 *
 * Availability: sysfs does not show whether a VM (a process holding the
 * VFIO group or device file) uses a function. Each is published with
 * MC_AVAILABLE_UNKNOWN; checks never count it as a free instance (see
 * mc-compat.h, "availability-unknown"). */

#include <systemd/sd-event.h>

#include "mc-parse.h"
#include "mc-types.h"

typedef struct McPciSource McPciSource;

typedef struct {
        /* As McMdevSourceOps. */
        void (*put)(void *userdata, McImpl *impl);
        void (*remove)(void *userdata, const char *id);
        void (*changed)(void *userdata);
        /* The vfio-pci model data file for a function (identity: McPair*,
         * driver, vendor, ...); NULL when none matches. untrusted as in
         * McMdevSourceOps. May be NULL. */
        const McDataFile *(*lookup)(void *userdata, const GPtrArray *identity,
                                    const char **untrusted);
        /* Whether some data file names this driver (a VFIO driver not
         * named like one). May be NULL. */
        bool (*driver_known)(void *userdata, const char *driver);
} McPciSourceOps;

McPciSource *mc_pci_source_new(const McPciSourceOps *ops, void *userdata, GError **error);
void mc_pci_source_free(McPciSource *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McPciSource, mc_pci_source_free)

/* Follow uevents; call before the first rescan. */
bool mc_pci_source_attach(McPciSource *src, sd_event *event, GError **error);
/* Read every PCI function again; publishes the differences as one batch. */
void mc_pci_source_rescan_all(McPciSource *src);
/* The data files changed: facts again from the identities in memory
 * (only attr:/pf-attr: placeholders read sysfs). */
void mc_pci_source_refresh_facts(McPciSource *src);

/* Whether a driver name is a VFIO driver by its name. */
bool mc_pci_driver_is_vfio(const char *driver);

/* Source side: the description of the function at a PCI address
 * ("0000:3b:00.2"), from memory; its device id is the address and it
 * carries the values its version was derived from. MC_ERROR_NOT_FOUND
 * when no function on a VFIO driver has that address; MC_ERROR_VALUE when
 * it is not migratable. */
McSrcDevice *mc_pci_source_describe(McPciSource *src, const char *address, GError **error);

guint mc_pci_source_n_devices(const McPciSource *src);
