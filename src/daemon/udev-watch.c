/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "udev-watch.h"

#include <sys/epoll.h>

#include "mc-error.h"

bool mc_udev_monitor_watch(struct udev_monitor *monitor, sd_event *event, int rcvbuf,
                           sd_event_io_handler_t handler, void *userdata, const char *description,
                           sd_event_source **ret, GError **error) {
        sd_event_source *io = NULL;
        int r;

        (void) udev_monitor_set_receive_buffer_size(monitor, rcvbuf);
        r = udev_monitor_enable_receiving(monitor);
        if (r < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot listen to uevents: %s", g_strerror(-r));
                return false;
        }
        r = sd_event_add_io(event, &io, udev_monitor_get_fd(monitor), EPOLLIN, handler, userdata);
        if (r < 0) {
                g_set_error(error, MC_ERROR, MC_ERROR_IO, "cannot watch the udev monitor: %s", g_strerror(-r));
                return false;
        }
        (void) sd_event_source_set_description(io, description);
        *ret = io;
        return true;
}
