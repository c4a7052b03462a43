/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pci-source.h"

#include <errno.h>
#include <libudev.h>
#include <string.h>

#include "mc-compat.h"
#include "identity.h"
#include "mc-error.h"
#include "mc-log.h"
#include "udev-watch.h"

/* What is published when sysfs is odd:
 * - a function whose directory vanishes while it is read is treated as
 *   removed (a race with the kernel, not a fault);
 * - a missing or unusable identity attribute is left out of the identity;
 *   when a derived version needs it, the function is not migratable, and
 *   the reason names the value, the data file and the path looked at;
 * - a function on plain vfio-pci is never migratable, whatever a data
 *   file says: vfio-pci sets no migration_flags (only variant drivers
 *   register migration ops; drivers/vfio/pci/vfio_pci.c). */

#define MAX_UEVENTS_PER_WAKEUP 256
#define MAX_NAME_LEN 64

typedef struct {
        char *address;
        char *syspath;
        McIdentity *ident;
        McImpl *impl; /* published */
} PciDev;

struct McPciSource {
        McPciSourceOps ops;
        void *userdata;
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *io;
        GHashTable *devices; /* syspath -> PciDev* */
        /* PF syspath -> set of VF syspaths (borrowed from devices): a PF's
         * uevent re-reads its VFs without looking at every function. */
        GHashTable *by_pf;
        bool dirty;
};

static void pci_dev_free(PciDev *d) {
        if (!d)
                return;
        g_free(d->address);
        g_free(d->syspath);
        mc_identity_free(d->ident);
        if (d->impl)
                mc_impl_unref(d->impl);
        g_free(d);
}

bool mc_pci_driver_is_vfio(const char *driver) {
        return driver && (strcmp(driver, "vfio-pci") == 0 || g_str_has_suffix(driver, "_vfio_pci"));
}

static bool valid_address(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > MAX_NAME_LEN)
                return false;
        for (; *s; s++)
                if (!g_ascii_isxdigit(*s) && *s != ':' && *s != '.')
                        return false;
        return true;
}

/* ---- facts ------------------------------------------------------------- */

static McImpl *build_impl(McPciSource *src, const PciDev *d) {
        g_autofree char *id = mc_vfio_pci_impl_id(d->address);
        McImpl *impl = mc_impl_new(MC_KIND_VFIO_PCI, id);
        const char *driver = mc_pairs_get(d->ident->values, "driver");
        const McDataFile *file = NULL;
        const char *untrusted = NULL;
        g_autofree char *reason = NULL;

        impl->driver = g_strdup(driver);
        for (guint i = 0; mc_pci_identity_names[i]; i++) {
                const char *v = mc_pairs_get(d->ident->values, mc_pci_identity_names[i]);
                if (v)
                        mc_pairs_set(impl->identity, mc_pci_identity_names[i], v);
        }
        impl->facts_from = MC_FACTS_NONE;

        if (g_strcmp0(driver, "vfio-pci") == 0) {
                impl->not_migratable_reason = g_strdup(
                        "bound to plain vfio-pci, which has no migration support (only vfio-pci "
                        "variant drivers such as mlx5_vfio_pci register migration operations)");
                return impl;
        }
        if (src->ops.lookup)
                file = src->ops.lookup(src->userdata, d->ident->values, &untrusted);
        if (untrusted) {
                impl->not_migratable_reason = g_strdup(untrusted);
                return impl;
        }
        if (!file || !file->info) {
                impl->not_migratable_reason = g_strdup_printf(
                        "no vfio-pci model data file matches driver %s (vendor %s, device %s); "
                        "whether and how it migrates is not known",
                        driver ? driver : "(none)",
                        mc_pairs_get(d->ident->values, "vendor") ?: "?",
                        mc_pairs_get(d->ident->values, "device") ?: "?");
                return impl;
        }
        impl->facts_file = g_strdup(file->origin);
        impl->info = mc_identity_derive(d->ident, file->info, file->origin, NULL, &reason);
        if (!impl->info) {
                impl->not_migratable_reason = g_steal_pointer(&reason);
                return impl;
        }
        impl->facts_from = MC_FACTS_DATA_FILE;
        return impl;
}

static void publish(McPciSource *src, PciDev *d) {
        McImpl *impl = build_impl(src, d);

        if (d->impl && mc_impl_equal(d->impl, impl)) {
                mc_impl_unref(impl);
                return;
        }
        if (d->impl)
                mc_impl_unref(d->impl);
        d->impl = impl;
        src->ops.put(src->userdata, mc_impl_ref(impl));
        src->dirty = true;
}

static void pf_index_remove(McPciSource *src, const PciDev *d) {
        GHashTable *vfs;

        if (!d->ident || !d->ident->pf_syspath)
                return;
        vfs = g_hash_table_lookup(src->by_pf, d->ident->pf_syspath);
        if (!vfs)
                return;
        g_hash_table_remove(vfs, d->syspath);
        if (g_hash_table_size(vfs) == 0)
                g_hash_table_remove(src->by_pf, d->ident->pf_syspath);
}

static void pf_index_add(McPciSource *src, const PciDev *d) {
        GHashTable *vfs;

        if (!d->ident->pf_syspath)
                return;
        vfs = g_hash_table_lookup(src->by_pf, d->ident->pf_syspath);
        if (!vfs) {
                vfs = g_hash_table_new(g_str_hash, g_str_equal);
                g_hash_table_insert(src->by_pf, g_strdup(d->ident->pf_syspath), vfs);
        }
        g_hash_table_add(vfs, d->syspath);
}

static void forget(McPciSource *src, const char *syspath) {
        PciDev *d = g_hash_table_lookup(src->devices, syspath);

        if (!d)
                return;
        pf_index_remove(src, d);
        if (d->impl) {
                src->ops.remove(src->userdata, d->impl->id);
                src->dirty = true;
        }
        mc_log_debug("vfio-pci function %s gone", d->address);
        g_hash_table_remove(src->devices, syspath);
}

static void end_batch(McPciSource *src) {
        if (!src->dirty)
                return;
        src->dirty = false;
        if (src->ops.changed)
                src->ops.changed(src->userdata);
}

/* ---- reading --------------------------------------------------------------- */

static bool is_vfio_driver(McPciSource *src, const char *driver) {
        if (!driver)
                return false;
        if (mc_pci_driver_is_vfio(driver))
                return true;
        return src->ops.driver_known && src->ops.driver_known(src->userdata, driver);
}

/* Read the function at syspath again (driver: its bound driver as udev
 * says, NULL when unbound) and publish or forget it. */
static void device_update(McPciSource *src, const char *syspath, const char *driver) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McIdentity) ident = NULL;
        const char *name = strrchr(syspath, '/');
        PciDev *d;

        name = name ? name + 1 : syspath;
        if (!is_vfio_driver(src, driver) || !valid_address(name)) {
                forget(src, syspath);
                return;
        }
        ident = mc_identity_read(syspath, &error);
        if (!ident || !is_vfio_driver(src, mc_pairs_get(ident->values, "driver"))) {
                /* Gone, or unbound since udev looked. */
                forget(src, syspath);
                return;
        }
        d = g_hash_table_lookup(src->devices, syspath);
        if (!d) {
                d = g_new0(PciDev, 1);
                d->address = g_strdup(name);
                d->syspath = g_strdup(syspath);
                g_hash_table_insert(src->devices, d->syspath, d);
                mc_log_debug("vfio-pci function %s on %s", d->address, driver);
        }
        pf_index_remove(src, d);
        mc_identity_free(d->ident);
        d->ident = g_steal_pointer(&ident);
        pf_index_add(src, d);
        publish(src, d);
}

/* The driver link as it is now (a uevent's DRIVER can be stale by the
 * time it is handled). */
static char *current_driver(const char *syspath) {
        g_autofree char *link = g_strconcat(syspath, "/driver", NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        return target ? g_path_get_basename(target) : NULL;
}

/* Functions whose PF is at pf_syspath (its driver or RDMA device changed). */
static void refresh_vfs_of(McPciSource *src, const char *pf_syspath) {
        g_autoptr(GPtrArray) vfs = g_ptr_array_new_with_free_func(g_free);
        GHashTable *set = g_hash_table_lookup(src->by_pf, pf_syspath);
        GHashTableIter it;
        const char *vf;

        if (!set)
                return;
        /* Copied: device_update() changes the index. */
        g_hash_table_iter_init(&it, set);
        while (g_hash_table_iter_next(&it, (gpointer *) &vf, NULL))
                g_ptr_array_add(vfs, g_strdup(vf));
        for (guint i = 0; i < vfs->len; i++) {
                g_autofree char *driver = current_driver(vfs->pdata[i]);
                device_update(src, vfs->pdata[i], driver);
        }
}

static void pci_event(McPciSource *src, const char *action, const char *syspath) {
        if (strcmp(action, "remove") == 0) {
                forget(src, syspath);
        } else {
                g_autofree char *driver = current_driver(syspath);
                device_update(src, syspath, driver);
        }
        refresh_vfs_of(src, syspath);
}

/* An RDMA device below a PF ("<pf>/infiniband/mlx5_0") came or went. */
static void infiniband_event(McPciSource *src, const char *syspath) {
        g_autofree char *ib_dir = g_path_get_dirname(syspath);
        g_autofree char *pf = g_path_get_dirname(ib_dir);

        if (g_str_has_suffix(ib_dir, "/infiniband"))
                refresh_vfs_of(src, pf);
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        McPciSource *src = userdata;

        for (guint i = 0; i < MAX_UEVENTS_PER_WAKEUP; i++) {
                struct udev_device *dev;
                const char *action, *syspath, *subsystem;

                errno = 0;
                dev = udev_monitor_receive_device(src->monitor);
                if (!dev) {
                        if (errno == ENOBUFS) {
                                mc_log_warning("uevents were lost (receive buffer overflow); "
                                               "rescanning all PCI functions");
                                mc_pci_source_rescan_all(src);
                        }
                        break;
                }
                action = udev_device_get_action(dev);
                syspath = udev_device_get_syspath(dev);
                subsystem = udev_device_get_subsystem(dev);
                if (action && syspath) {
                        mc_log_debug("uevent %s %s (%s)", action, syspath, subsystem ?: "?");
                        if (g_strcmp0(subsystem, "pci") == 0)
                                pci_event(src, action, syspath);
                        else if (g_strcmp0(subsystem, "infiniband") == 0)
                                infiniband_event(src, syspath);
                }
                udev_device_unref(dev);
        }
        end_batch(src);
        return 0;
}

/* ---- public API ------------------------------------------------------------ */

McPciSource *mc_pci_source_new(const McPciSourceOps *ops, void *userdata, GError **error) {
        McPciSource *src;

        g_return_val_if_fail(ops && ops->put && ops->remove, NULL);
        src = g_new0(McPciSource, 1);
        src->ops = *ops;
        src->userdata = userdata;
        src->udev = udev_new();
        if (!src->udev) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot create a udev context: %s",
                            g_strerror(errno));
                g_free(src);
                return NULL;
        }
        src->devices = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) pci_dev_free);
        src->by_pf = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_hash_table_unref);
        return src;
}

void mc_pci_source_free(McPciSource *src) {
        if (!src)
                return;
        sd_event_source_disable_unref(src->io);
        if (src->monitor)
                udev_monitor_unref(src->monitor);
        g_hash_table_unref(src->by_pf);
        g_hash_table_unref(src->devices);
        udev_unref(src->udev);
        g_free(src);
}

bool mc_pci_source_attach(McPciSource *src, sd_event *event, GError **error) {
        g_return_val_if_fail(!src->monitor, false);
        src->monitor = udev_monitor_new_from_netlink(src->udev, "udev");
        if (!src->monitor) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot create a udev monitor: %s",
                            g_strerror(errno));
                return false;
        }
        /* PCI functions are real bus devices, so the kernel-side filter
         * works here (unlike mdev parents, see mdev-source.h). */
        if (udev_monitor_filter_add_match_subsystem_devtype(src->monitor, "pci", NULL) < 0 ||
            udev_monitor_filter_add_match_subsystem_devtype(src->monitor, "infiniband", NULL) < 0)
                mc_log_debug("Cannot filter PCI uevents; every uevent is looked at");
        if (!mc_udev_monitor_watch(src->monitor, event, 4 * 1024 * 1024, on_monitor, src, "pci-uevents", &src->io, error)) {
                g_clear_pointer(&src->monitor, udev_monitor_unref);
                return false;
        }
        return true;
}

void mc_pci_source_rescan_all(McPciSource *src) {
        struct udev_enumerate *e = udev_enumerate_new(src->udev);
        struct udev_list_entry *l;
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
        GHashTableIter it;
        PciDev *d;

        if (e && udev_enumerate_add_match_subsystem(e, "pci") >= 0 &&
            udev_enumerate_scan_devices(e) >= 0) {
                udev_list_entry_foreach(l, udev_enumerate_get_list_entry(e)) {
                        const char *syspath = udev_list_entry_get_name(l);
                        g_autofree char *driver = current_driver(syspath);

                        if (!is_vfio_driver(src, driver))
                                continue;
                        device_update(src, syspath, driver);
                        if (g_hash_table_contains(src->devices, syspath))
                                g_hash_table_add(seen, g_strdup(syspath));
                }
        }
        if (e)
                udev_enumerate_unref(e);

        g_hash_table_iter_init(&it, src->devices);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &d))
                if (!g_hash_table_contains(seen, d->syspath))
                        g_ptr_array_add(gone, g_strdup(d->syspath));
        for (guint i = 0; i < gone->len; i++)
                forget(src, gone->pdata[i]);
        end_batch(src);
}

void mc_pci_source_refresh_facts(McPciSource *src) {
        /* A file may now name a driver that was not followed, or no
         * longer name one that was: read the functions again (one
         * enumeration; data files change rarely). */
        mc_pci_source_rescan_all(src);
}

McSrcDevice *mc_pci_source_describe(McPciSource *src, const char *address, GError **error) {
        GHashTableIter it;
        PciDev *d, *found = NULL;

        g_hash_table_iter_init(&it, src->devices);
        while (g_hash_table_iter_next(&it, NULL, (gpointer *) &d))
                if (strcmp(d->address, address) == 0) {
                        found = d;
                        break;
                }
        if (!found || !found->impl) {
                g_set_error(error, MC_ERROR, MC_ERROR_NOT_FOUND,
                            "no PCI function %s on a VFIO driver", address);
                return NULL;
        }
        /* A VF carries no migration attributes: it runs its model at the
         * version this host derives, with no parameters. */
        return mc_describe_instance(address, found->impl, NULL, NULL, NULL, error);
}

guint mc_pci_source_n_devices(const McPciSource *src) {
        return g_hash_table_size(src->devices);
}
