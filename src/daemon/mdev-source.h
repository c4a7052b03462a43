/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The mdev side of discovery (docs/ARCHITECTURE.md; the attributes
 * read: migcompat-formats(5)): every type of every mdev parent becomes an McImpl; running
 * instances are kept so the source side can describe them; udev uevents
 * rescan only the parent or instance that changed.
 *
 * Parents are found through /sys/class/mdev_bus. That directory is a
 * "compat class" (class_compat_create_link): each entry is only a symlink
 * to the parent device, whose subsystem stays pci, css, matrix, mtty, ...
 * libudev (systemd >= 247) re-checks the subsystem of what it finds, so
 * udev_enumerate_add_match_subsystem("mdev_bus") returns nothing on a real
 * kernel; the directory is read instead, as mdevctl does. For the same
 * reason no uevent ever carries SUBSYSTEM=mdev_bus, so the monitor is not
 * filtered by subsystem: a uevent is about a parent when its device is a
 * known parent or has an mdev_supported_types directory.
 *
 * Nothing here blocks for long or trusts sysfs: see sysfs.h, and the
 * policy comments in mdev-source.c for what is published when an attribute
 * is missing or malformed. */

#include <systemd/sd-event.h>

#include "mc-parse.h"
#include "mc-types.h"

typedef struct McMdevSource McMdevSource;

typedef struct {
        /* Publish an implementation (added or changed); the reference is
         * passed to the callee. Only called when something published
         * changed (mc_impl_equal). */
        void (*put)(void *userdata, McImpl *impl);
        /* An implementation is gone. */
        void (*remove)(void *userdata, const char *id);
        /* End of one batch of put/remove calls (one uevent, one rescan);
         * not called for a batch that changed nothing. */
        void (*changed)(void *userdata);
        /* The model data file for a type whose driver publishes no
         * migration attributes; NULL when none matches. driver may be NULL
         * (a parent bound to no driver, like the mtty sample). The result
         * is only used during the call (its info is referenced). When the
         * file that matches is not trusted, NULL with *untrusted set to the
         * not-migratable reason naming it and the fix (else NULL). May be
         * NULL: no data files. */
        const McDataFile *(*lookup)(void *userdata, const char *driver, const char *type_id,
                                    const char **untrusted);
} McMdevSourceOps;

McMdevSource *mc_mdev_source_new(const McMdevSourceOps *ops, void *userdata, GError **error);
void mc_mdev_source_free(McMdevSource *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McMdevSource, mc_mdev_source_free)

/* Follow uevents from the udev netlink socket on this event loop. Call
 * before the first mc_mdev_source_rescan_all() so nothing that happens in
 * between is missed. */
bool mc_mdev_source_attach(McMdevSource *src, sd_event *event, GError **error);

/* Read every parent, type and instance again (startup, the D-Bus Rescan(),
 * lost uevents); publishes the differences as one batch. */
void mc_mdev_source_rescan_all(McMdevSource *src);

/* The model data files changed: re-derive the facts of every type whose
 * driver publishes no migration attributes, from memory (no sysfs I/O). */
void mc_mdev_source_refresh_facts(McMdevSource *src);

/* Source side: the description of a running instance, from memory (no
 * sysfs I/O on the query path; instances are refreshed by uevents). Its
 * device id is the UUID. MC_ERROR_NOT_FOUND for an unknown UUID;
 * MC_ERROR_VALUE when its type is not migratable or its migration/
 * attributes could not be read. */
McSrcDevice *mc_mdev_source_describe(McMdevSource *src, const char *uuid, GError **error);

/* Counts, for status lines and tests. */
guint mc_mdev_source_n_parents(const McMdevSource *src);
guint mc_mdev_source_n_types(const McMdevSource *src);
guint mc_mdev_source_n_instances(const McMdevSource *src);
