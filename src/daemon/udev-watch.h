/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Receiving a udev monitor's uevents in the event loop: the one way the
 * sources (mdev, vfio-pci) listen, so a burst is sized and a failure is
 * reported the same way for both. */

#include <glib.h>
#include <libudev.h>
#include <stdbool.h>
#include <systemd/sd-event.h>

/* Size the monitor's socket buffer to rcvbuf bytes (bursts must not
 * overflow it; unprivileged, the kernel caps it at net.core.rmem_max),
 * start receiving and add its fd to event with handler. On failure the
 * monitor is left to the caller, *ret untouched. */
bool mc_udev_monitor_watch(struct udev_monitor *monitor, sd_event *event, int rcvbuf,
                           sd_event_io_handler_t handler, void *userdata, const char *description,
                           sd_event_source **ret, GError **error) __attribute__((nonnull(1, 2, 4, 6, 7)));
