/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* uevents: which parent or instance to read again (mdev-source.h says
 * why the monitor is not filtered by subsystem). */

#include "mdev-internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "mc-error.h"
#include "mc-log.h"
#include "udev-watch.h"

static bool has_supported_types(const char *syspath) {
        g_autofree char *path = g_strconcat(syspath, "/mdev_supported_types", NULL);
        struct stat st;
        return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void device_event(McMdevSource *src, const char *action, const char *syspath,
                         const char *subsystem, const char *sysname) {
        Parent *p;

        if (g_strcmp0(subsystem, "mdev") == 0 ||
            g_hash_table_contains(src->instances_by_path, syspath)) {
                mdev_instance_event(src, action, syspath);
                return;
        }

        p = g_hash_table_lookup(src->parents_by_path, syspath);
        if (p) {
                if (strcmp(action, "remove") == 0) {
                        mdev_parent_remove(src, p);
                } else {
                        /* change (MDEV_STATE=registered/unregistered),
                         * bind, unbind, move, ...: read it again. */
                        g_autofree char *name = g_strdup(p->name);
                        mdev_parent_rescan(src, name, syspath);
                }
                return;
        }
        if (strcmp(action, "remove") == 0)
                return;
        /* A device becomes a parent when a driver registers it with mdev
         * (bind, or change with MDEV_STATE=registered): it then has
         * mdev_supported_types. One stat per uevent of any other device. */
        if (sysname && has_supported_types(syspath))
                mdev_parent_rescan(src, sysname, syspath);
}

static void handle_device(McMdevSource *src, struct udev_device *dev) {
        const char *action = udev_device_get_action(dev);
        const char *syspath = udev_device_get_syspath(dev);

        if (!action || !syspath)
                return;
        mc_log_debug("uevent %s %s", action, syspath);
        device_event(src, action, syspath, udev_device_get_subsystem(dev),
                     udev_device_get_sysname(dev));
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        McMdevSource *src = userdata;

        /* Bounded so a storm of uevents cannot starve the bus; the
         * source is level-triggered and comes back for the rest. */
        for (guint i = 0; i < MAX_UEVENTS_PER_WAKEUP; i++) {
                struct udev_device *dev;

                errno = 0;
                dev = udev_monitor_receive_device(src->monitor);
                if (!dev) {
                        if (errno == ENOBUFS) {
                                /* The socket overflowed: uevents were lost,
                                 * so nothing we hold can be trusted. */
                                mc_log_warning("uevents were lost (receive buffer overflow); "
                                               "rescanning all mdev parents");
                                mc_mdev_source_rescan_all(src);
                        }
                        break;
                }
                handle_device(src, dev);
                udev_device_unref(dev);
        }
        mdev_end_batch(src);
        return 0;
}

bool mc_mdev_source_attach(McMdevSource *src, sd_event *event, GError **error) {
        g_return_val_if_fail(src, false);
        g_return_val_if_fail(event, false);
        g_return_val_if_fail(!src->monitor, false);

        /* "udev": events after udevd processed them, as every udev client
         * listens. Not filtered by subsystem: see mdev-source.h. */
        src->monitor = udev_monitor_new_from_netlink(src->udev, "udev");
        if (!src->monitor) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot create a udev monitor: %s",
                            g_strerror(errno));
                return false;
        }
        /* Bursts (a driver registering thousands of types, a script creating
         * hundreds of instances) must not overflow the socket; the kernel
         * caps this at net.core.rmem_max unless privileged, which is fine. */
        if (!mc_udev_monitor_watch(src->monitor, event, 16 * 1024 * 1024, on_monitor, src, "mdev-uevents",
                                   &src->io, error)) {
                g_clear_pointer(&src->monitor, udev_monitor_unref);
                return false;
        }
        return true;
}
