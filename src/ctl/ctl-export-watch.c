/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "export --watch --output FILE": keep FILE current for as long as it
 * runs (the migcompat-nfd.service unit). It writes FILE once, then again
 * after every ImplementationsChanged, whenever migcompatd comes back on
 * the bus, and, for an NFD file with an expiry, at half the expiry, so
 * that the labels never lapse while it runs and lapse soon after it
 * stops. An answer that cannot be had (the daemon gone, an error) leaves
 * FILE as it was; the next event tries again. SIGTERM or SIGINT: exit 0. */

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-export.h"
#include "mc-config.h"

typedef struct {
        const CtlOptions *opts;
        const CtlExport *e;
        sd_bus *bus;
        sd_event_source *refresh; /* the half-expiry timer, NULL without expiry */
        sd_event_source *pending; /* an export after the bus messages queued now */
        const char *pending_why;
        bool failing;             /* the last try failed: say when it works again */
} Watch;

static void export_now(Watch *w, const char *why) {
        g_autoptr(GError) error = NULL;
        g_autofree char *summary = NULL;

        if (ctl_export_once(w->opts, w->e, w->bus, &summary, &error) == 0) {
                fprintf(stderr, "migcompatctl: %s: wrote %s: %s\n", why, w->e->output, summary);
                w->failing = false;
        } else {
                fprintf(stderr, "migcompatctl: %s: %s; %s kept as it was\n", why, error->message, w->e->output);
                w->failing = true;
        }
        if (w->refresh) {
                /* Half the expiry from now, whatever woke us. */
                uint64_t now = 0;
                (void) sd_event_now(sd_event_source_get_event(w->refresh), CLOCK_MONOTONIC, &now);
                (void) sd_event_source_set_time(w->refresh, now + (uint64_t) w->e->expiry * 1000000 / 2);
                (void) sd_event_source_set_enabled(w->refresh, SD_EVENT_ONESHOT);
        }
        fflush(stderr);
}

static int on_pending(sd_event_source *s, void *userdata) {
        Watch *w = userdata;
        export_now(w, w->pending_why);
        return 0;
}

/* A burst of signals (a card with many types arriving) makes one export:
 * the idle-priority source runs once the bus has nothing queued. */
static void export_soon(Watch *w, const char *why) {
        w->pending_why = why;
        (void) sd_event_source_set_enabled(w->pending, SD_EVENT_ONESHOT);
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        export_soon(userdata, "implementations changed");
        return 0;
}

static int on_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *name = NULL, *old_owner = NULL, *new_owner = NULL;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (new_owner && *new_owner)
                export_soon(userdata, "migcompatd is back");
        else
                fprintf(stderr, "migcompatctl: migcompatd left the bus; %s kept until it returns%s\n",
                        ((Watch *) userdata)->e->output,
                        ((Watch *) userdata)->e->expiry ? " or its labels expire" : "");
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        export_now(userdata, "refresh");
        return 0;
}

int ctl_export_watch(const CtlOptions *opts, const CtlExport *e) {
        static const char owner_rule[] = "type='signal',sender='org.freedesktop.DBus',"
                                         "path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
                                         "member='NameOwnerChanged',arg0='" MC_BUS_NAME "'";
        g_autoptr(GError) error = NULL;
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(sd_event) event = NULL;
        /* After event: freed before it. */
        g_autoptr(sd_event_source) refresh = NULL;
        g_autoptr(sd_event_source) pending = NULL;
        Watch w = { .opts = opts, .e = e };
        int r;

        r = ctl_bus_open(&bus, &error);
        if (r)
                return ctl_fail(error);
        w.bus = bus;
        /* Subscribed before the first export: no change is lost between. */
        r = sd_bus_match_signal(bus, NULL, MC_BUS_NAME, MC_BUS_PATH, MC_BUS_MANAGER_IFACE, "ImplementationsChanged",
                                on_changed, &w);
        if (r >= 0)
                r = sd_bus_add_match(bus, NULL, owner_rule, on_owner, &w);
        if (r < 0)
                return ctl_error(CTL_EXIT_DAEMON, "cannot subscribe to the daemon's signals: %s", g_strerror(-r));

        r = ctl_bus_event_new(bus, &event);
        if (r >= 0)
                r = sd_event_add_defer(event, &pending, on_pending, &w);
        w.pending = pending;
        if (r >= 0)
                r = sd_event_source_set_priority(w.pending, SD_EVENT_PRIORITY_IDLE);
        if (r >= 0)
                r = sd_event_source_set_enabled(w.pending, SD_EVENT_OFF);
        if (r >= 0 && e->format == CTL_FORMAT_NFD && e->expiry > 0)
                r = sd_event_add_time(event, &refresh, CLOCK_MONOTONIC, UINT64_MAX, 0, on_timer, &w);
        w.refresh = refresh;
        /* The bus gone (dbus-daemon restarted): stop, with a failure the
         * service manager restarts us for. */
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return ctl_error(CTL_EXIT_DAEMON, "cannot set up the event loop: %s", g_strerror(-r));

        export_now(&w, "start");
        r = sd_event_loop(event);
        sd_bus_detach_event(bus);
        if (r < 0)
                return ctl_error(CTL_EXIT_DAEMON, "watching failed: %s", g_strerror(-r));
        if (r != CTL_EXIT_OK)
                return ctl_error(CTL_EXIT_DAEMON, "the connection to the system bus was lost");
        return CTL_EXIT_OK;
}
