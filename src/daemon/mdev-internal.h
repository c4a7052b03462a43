/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the files of the mdev source share and nothing outside them sees:
 * the model (parents, their types, running instances) and the calls
 * between its seams:
 *
 *   mdev-source.c    the public API (mdev-source.h)
 *   mdev-model.c     parents and their types, read from sysfs
 *   mdev-instance.c  running instances
 *   mdev-publish.c   the publishing policy: what a type becomes (McImpl)
 *   mdev-scan.c      the full rescan; new parents read on several threads
 *   mdev-monitor.c   uevents: which part of the model to read again
 *
 * Everything here runs on the main thread, except
 * mdev_parent_read_types() during the initial scan (mdev-scan.c). */

#include <libudev.h>

#include "facts-cache.h"
#include "identity.h"
#include "mdev-source.h"
#include "sysfs.h"

#define SYSFS_ROOT "/sys"
#define MDEV_BUS_CLASS SYSFS_ROOT "/class/mdev_bus"
#define MAX_PARENTS 65536
#define MAX_TYPES_PER_PARENT 4096
#define MAX_NAME_LEN 255
#define MAX_UEVENTS_PER_WAKEUP 256

typedef struct Parent Parent;

typedef struct {
        Parent *parent; /* borrowed: the parent owns its types */
        char *type_id;
        int64_t available;
        /* As read (identity: name, description, device_api; no facts),
         * until it is published; then NULL, and the identity lives in impl
         * only: a big host keeps these strings once, not twice. */
        McImpl *draft;
        /* Type directory could not be opened: the reason, and nothing else
         * below is meaningful. */
        char *read_error;
        /* The driver publishes migration attributes: then driver_info, or
         * driver_error when they cannot be used. */
        bool has_driver_facts;
        McInfo *driver_info;
        char *driver_error;
        McImpl *impl; /* what is published, NULL before the first put */
} MdevType;

struct Parent {
        char *name;    /* the mdev_bus entry, = sysname, e.g. "0000:00:02.0" */
        char *syspath; /* "/sys/devices/pci0000:00/0000:00:02.0" */
        char *driver;  /* basename of the driver link, NULL when unbound */
        GHashTable *types;  /* type_id -> MdevType* */
        GHashTable *warned; /* path -> last logged message */
        /* Read when a data file derives a version from it (identity.h);
         * dropped when the parent is read again. */
        McIdentity *ident;
};

typedef struct {
        char *uuid;
        char *syspath;
        char *parent;  /* parent's name */
        char *type_id; /* NULL when the mdev_type link cannot be read */
        char *model;   /* migration/device_model, NULL when absent */
        char *version; /* migration/version, NULL when absent */
        GHashTable *params; /* migration/<param> name -> value; NULL: none */
        char *error;   /* why it cannot be described */
} Instance;

struct McMdevSource {
        McMdevSourceOps ops;
        void *userdata;
        struct udev *udev;
        struct udev_monitor *monitor;
        sd_event_source *io;
        GHashTable *parents;           /* name -> Parent* */
        GHashTable *parents_by_path;   /* syspath -> Parent* (borrowed) */
        GHashTable *instances;         /* uuid -> Instance* */
        GHashTable *instances_by_path; /* syspath -> Instance* (borrowed) */
        GHashTable *warned;            /* problems not tied to a known parent */
        McFactsCache *facts;           /* driver facts shared by identical types */
        guint n_types;
        bool dirty;                    /* the current batch changed something */
};

/* ---- problems, each logged once (mdev-model.c) ---------------------------- */

/* Log message for key unless it is what was last logged for key; the table
 * is made on the first problem: a thousand healthy parents need none. */
void mdev_note_problem(GHashTable **warned, const char *key, const char *message);
void mdev_clear_problem(GHashTable *warned, const char *key);

/* ---- parents and types (mdev-model.c) ------------------------------------- */

void mdev_type_free(MdevType *t);
void mdev_parent_free(Parent *p);
Parent *mdev_parent_new(const char *name, const char *syspath);
void mdev_parent_insert(McMdevSource *src, Parent *p);
/* Unpublish p's types and forget p (freed). */
void mdev_parent_remove(McMdevSource *src, Parent *p);
void mdev_forget_parent(McMdevSource *src, const char *name);
/* Whether name can be part of implementation ids; logs it when not. */
bool mdev_name_usable(McMdevSource *src, const char *name, const char *syspath);
/* Read the driver link and every type of p; touches p and the
 * (thread-safe) facts cache only. */
GHashTable *mdev_parent_read_types(McMdevSource *src, Parent *p, const McSysfsDir *dir,
                                   const McSysfsDir *types_dir, const GPtrArray *names);
/* Publish the differences between p's types and types (taken). */
void mdev_parent_apply_types(McMdevSource *src, Parent *p, GHashTable *types);
/* The types directory could not be listed: say why, forget the parent. */
void mdev_parent_unreadable(McMdevSource *src, const char *name, const char *syspath,
                            const GError *error);
/* Read a parent again and publish the differences (or remove it). */
void mdev_parent_rescan(McMdevSource *src, const char *name, const char *syspath);
/* Read available_instances of every type of p again. */
void mdev_parent_refresh_available(McMdevSource *src, Parent *p);

/* ---- instances (mdev-instance.c) ------------------------------------------- */

void mdev_instance_free(Instance *inst);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Instance, mdev_instance_free)
/* NULL when it is gone. */
Instance *mdev_instance_read(McMdevSource *src, const char *syspath);
void mdev_instance_store(McMdevSource *src, Instance *inst);
void mdev_instance_forget(McMdevSource *src, Instance *inst);
/* A uevent about an instance. */
void mdev_instance_event(McMdevSource *src, const char *action, const char *syspath);

/* ---- publishing (mdev-publish.c) ------------------------------------------- */

/* Publish t's current state if it differs from what was published. */
void mdev_type_publish(McMdevSource *src, MdevType *t);
void mdev_type_unpublish(McMdevSource *src, MdevType *t);
/* End of a batch: ops.changed when something was put or removed. */
void mdev_end_batch(McMdevSource *src);

/* ---- rescans (mdev-scan.c) ------------------------------------------------- */

void mdev_rescan_parents(McMdevSource *src);
void mdev_rescan_instances(McMdevSource *src);
