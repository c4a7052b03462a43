/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Realistic fake hosts for the tests, on umockdev (run the test binary
 * under umockdev-wrapper: mc_add_test(... UMOCKDEV SOURCES testbed.c)).
 *
 * The tree is written straight into the testbed's root directory, the way
 * the kernel lays it out (see the report of the mdev discovery work):
 *   /sys/devices/<...>/<parent>/                    the parent device
 *       subsystem -> bus/pci | bus/css | bus/matrix | class/mtty ...
 *       driver -> bus/<bus>/drivers/<driver>        when bound
 *       mdev_supported_types/<type-id>/{name,description,device_api,
 *           available_instances,create,devices/,
 *           migration_device_models,migration_info.json}
 *       <uuid>/                                     an mdev instance
 *           subsystem -> bus/mdev, mdev_type -> ../mdev_supported_types/T,
 *           remove, migration/{device_model,version,<param>}
 *   /sys/class/mdev_bus/<parent> -> the parent      (a compat class link)
 *   /sys/bus/mdev/devices/<uuid> -> the instance
 * Files are written directly (openat below an open directory, and hard
 * links for the identical attributes of a big host): creating files is
 * what costs here (30-100 us each on the development VM, with or without
 * the preload), and umockdev_testbed_set_attribute() spends about that per
 * attribute. mc_testbed_add_big_host() builds 1,000 x 8 types in about
 * 2-4 s on that VM, about 3x faster than per-attribute calls.
 *
 * Paths taken and returned are sysfs paths ("/sys/devices/..."), which is
 * what the code under test sees through the preload. All functions abort
 * the test (g_error) on failure to build the tree. */

#include <glib.h>
#include <stdbool.h>
#include <umockdev.h>

typedef struct McTestbed McTestbed;

McTestbed *mc_testbed_new(void);
void mc_testbed_free(McTestbed *tb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McTestbed, mc_testbed_free)

UMockdevTestbed *mc_testbed_umockdev(McTestbed *tb);
/* The real path of a sysfs path inside the testbed (free it). */
char *mc_testbed_real_path(McTestbed *tb, const char *sys_path);

/* ---- building blocks ---- */

/* A device directory with uevent, subsystem link (bus or class, e.g.
 * "bus/pci", "class/mtty", NULL for none), the bus/class view link, and a
 * driver link (driver NULL: unbound). uevent_props: "KEY=VALUE" lines
 * (without DRIVER=, added from driver). Missing ancestors are created as
 * plain directories with an empty uevent file. */
void mc_testbed_add_device(McTestbed *tb, const char *syspath, const char *subsystem,
                           const char *driver, const char *uevent_props);

/* Make a device an mdev parent: mdev_supported_types/ and the
 * /sys/class/mdev_bus/<name> link. */
void mc_testbed_make_parent(McTestbed *tb, const char *parent_syspath);

typedef struct {
        const char *type_id;
        const char *name;        /* NULL: no name attribute */
        const char *description; /* NULL: no description attribute */
        const char *device_api;  /* NULL: no device_api attribute */
        int available;
        /* The proposal's attributes, NULL: absent. */
        const char *migration_device_models;
        const char *migration_info_json;
} McTestType;

/* Add (or rewrite) a type directory below a parent. Attributes are written
 * with a trailing newline, as the kernel prints them. */
void mc_testbed_add_type(McTestbed *tb, const char *parent_syspath, const McTestType *type);
void mc_testbed_remove_type(McTestbed *tb, const char *parent_syspath, const char *type_id);

/* Write a file (an attribute) at a sysfs path, creating directories;
 * value written as is (no newline added). len -1: strlen. */
void mc_testbed_write(McTestbed *tb, const char *sys_path, const char *value, gssize len);
/* Remove a file, symlink or whole directory tree. */
void mc_testbed_remove(McTestbed *tb, const char *sys_path);
void mc_testbed_symlink(McTestbed *tb, const char *target, const char *sys_path);

/* ---- families (each returns the parent's syspath; free it) ---- */

/* samples/vfio-mdev/mtty: /sys/devices/virtual/mtty/mtty, no driver;
 * mtty-1 "Single port serial" (24), mtty-2 "Dual port serial" (12). */
char *mc_testbed_add_mtty(McTestbed *tb);
/* samples/vfio-mdev/mdpy: mdpy-vga, mdpy-xga, mdpy-hd, 4 each. */
char *mc_testbed_add_mdpy(McTestbed *tb);
/* samples/vfio-mdev/mbochs: mbochs-small (64), -medium (16), -large (4). */
char *mc_testbed_add_mbochs(McTestbed *tb);
/* Intel GVT-g on an integrated GPU (bdf e.g. "0000:00:02.0"), driver i915:
 * i915-GVTg_V5_1 (1), _V5_2 (2), _V5_4 (5), _V5_8 (7). */
char *mc_testbed_add_gvt(McTestbed *tb, const char *bdf);
/* NVIDIA vGPU on a Tesla P4 behind a bridge, driver nvidia:
 * nvidia-63..66 "GRID P4-1Q/2Q/4Q/8Q". */
char *mc_testbed_add_nvidia(McTestbed *tb, const char *bdf);
/* s390 AP matrix /sys/devices/vfio_ap/matrix, driver vfio_ap:
 * vfio_ap-passthrough, device_api vfio-ap. */
char *mc_testbed_add_vfio_ap(McTestbed *tb);
/* s390 I/O subchannel /sys/devices/css0/<schid> (e.g. "0.0.0313"), driver
 * vfio_ccw: vfio_ccw-io, device_api vfio-ccw. */
char *mc_testbed_add_vfio_ccw(McTestbed *tb, const char *schid);
/* A fictional PCI vGPU, driver "acme_vgpu" (bdf e.g. "0000:5e:00.0"), that
 * publishes the proposal's migration attributes:
 *   acme_vgpu-1: migration_device_models only (acme.example/vgpu: v2, v1)
 *   acme_vgpu-2: migration_info.json only (versions v2 v1, params, caps)
 *   acme_vgpu-4: both, agreeing. 3, 2, 1 available. */
char *mc_testbed_add_acme(McTestbed *tb, const char *bdf);
/* What acme_vgpu writes (for tests that compare). */
#define MC_TESTBED_ACME_MODEL "acme.example/vgpu"
extern const char mc_testbed_acme_device_models[];
extern const char mc_testbed_acme_info_json[];

/* A PCI parent with a driver and no types yet (bdf, driver). */
char *mc_testbed_add_pci_parent(McTestbed *tb, const char *bdf, const char *driver);

/* ---- instances ---- */

/* Create an instance of type_id below parent, as writing a UUID to
 * "create" does: the device, its links, the type's devices/ link, and
 * available_instances of that type decremented. migration: NULL-terminated
 * name, value pairs written to migration/<name> (NULL: no migration/
 * directory). Emits "add" when uevent is true. Returns the syspath. */
char *mc_testbed_add_instance(McTestbed *tb, const char *parent_syspath, const char *type_id,
                              const char *uuid, const char *const *migration, bool uevent);
/* Remove it as writing 1 to "remove" does: "remove" uevent first (when
 * asked), then the tree; available_instances incremented. */
void mc_testbed_remove_instance(McTestbed *tb, const char *instance_syspath, bool uevent);

/* Set a type's available_instances. */
void mc_testbed_set_available(McTestbed *tb, const char *parent_syspath, const char *type_id,
                              int available);

/* ---- uevents ---- */

void mc_testbed_uevent(McTestbed *tb, const char *syspath, const char *action);

/* ---- breaking things ---- */

/* Replace an attribute (or any path) with: */
void mc_testbed_break_unreadable(McTestbed *tb, const char *sys_path); /* a directory */
void mc_testbed_break_fifo(McTestbed *tb, const char *sys_path);       /* a FIFO */
void mc_testbed_break_loop(McTestbed *tb, const char *sys_path);       /* a symlink to itself */
void mc_testbed_break_oversized(McTestbed *tb, const char *sys_path, gsize size);
/* Remove the parent's directory tree, leaving its mdev_bus link dangling. */
void mc_testbed_break_vanish(McTestbed *tb, const char *parent_syspath);

/* ---- big hosts ---- */

/* n_parents PCI parents "0000:BB:DD.F" (driver "bigvgpu") under
 * /sys/devices/pci0000:80/, each with n_types types "bigvgpu-<k>";
 * every type whose index (parent * n_types + k) falls in the first
 * migratable_percent of each 100 publishes migration_device_models
 * ("big.example/vgpu-<k>": v1). Returns the number of types written. */
guint mc_testbed_add_big_host(McTestbed *tb, guint n_parents, guint n_types,
                              guint migratable_percent);
/* The syspath of big-host parent i (free it). */
char *mc_testbed_big_parent(guint i);
