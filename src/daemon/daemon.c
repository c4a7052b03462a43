/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "mc-config.h"
#include "mc-log.h"

void mc_daemon_config_clear(McDaemonConfig *c) {
        g_clear_pointer(&c->data_dirs, g_strfreev);
        g_clear_pointer(&c->pci_data_dirs, g_strfreev);
        g_clear_pointer(&c->descriptor_dirs, g_strfreev);
        g_clear_pointer(&c->cache_dir, g_free);
}

/* ---- from the sources to the registry ------------------------------------ */

static void src_put(void *userdata, McImpl *impl) {
        McDaemon *d = userdata;
        mc_registry_put(d->registry, impl);
}

static void src_remove(void *userdata, const char *id) {
        McDaemon *d = userdata;
        mc_registry_remove(d->registry, id);
}

static void update_status(McDaemon *d) {
        const McCatalog *cat = mc_registry_catalog(d->registry);
        guint parents = d->mdev ? mc_mdev_source_n_parents(d->mdev) : 0;
        guint functions = d->pci ? mc_pci_source_n_devices(d->pci) : 0;

        sd_notifyf(false,
                   "STATUS=%u implementations, %u not migratable (%u mdev parents, %u VFIO PCI functions, %u device models); generation %" G_GUINT64_FORMAT,
                   mc_catalog_size(cat), mc_catalog_n_not_migratable(cat), parents, functions,
                   mc_catalog_n_models(cat), mc_catalog_generation(cat));
}

/* The registry's listener (the bus layer's) hears of the batch first. */
static void src_changed(void *userdata) {
        McDaemon *d = userdata;
        if (mc_registry_commit(d->registry) && d->settled)
                update_status(d);
}

static const McDataFile *src_lookup(void *userdata, const char *driver, const char *type_id,
                                    const char **untrusted) {
        McDaemon *d = userdata;
        return mc_data_files_lookup(d->data_files, driver, type_id, untrusted);
}

static const McDataFile *pci_lookup(void *userdata, const GPtrArray *identity, const char **untrusted) {
        McDaemon *d = userdata;
        return mc_data_files_lookup_pci(d->pci_data_files, identity, untrusted);
}

static bool pci_driver_known(void *userdata, const char *driver) {
        McDaemon *d = userdata;
        return mc_data_files_names_driver(d->pci_data_files, driver);
}

/* ---- start-up ------------------------------------------------------------- */

static void become_ready(McDaemon *d) {
        const McCatalog *cat = mc_registry_catalog(d->registry);
        int r;

        if (d->settled)
                return;
        d->settled = true;
        mc_registry_set_quiet(d->registry, false);
        /* The bus layer takes the name only now: a bus-activated client
         * waits for a complete answer instead of getting one without the
         * programs. */
        r = d->ready ? d->ready(d, d->ready_userdata) : 0;
        if (r < 0) {
                sd_event_exit(d->event, EXIT_FAILURE);
                return;
        }
        mc_log_info("Serving %u implementations (%u not migratable) as %s", mc_catalog_size(cat),
                    mc_catalog_n_not_migratable(cat), MC_BUS_NAME);
        sd_notify(false, "READY=1");
        update_status(d);
}

static void vfio_user_settled(void *userdata) {
        McDaemon *d = userdata;
        /* Called from the event loop or from inside start(); either way the
         * bus is connected by then. */
        if (d->bus)
                become_ready(d);
}

static void data_files_changed(McDirWatch *w, const GPtrArray *names, void *userdata) {
        McDaemon *d = userdata;

        if (!mc_data_files_reload_names(d->data_files, names))
                return;
        if (d->mdev)
                mc_mdev_source_refresh_facts(d->mdev);
}

static void pci_data_files_changed(McDirWatch *w, const GPtrArray *names, void *userdata) {
        McDaemon *d = userdata;

        if (!mc_data_files_reload_names(d->pci_data_files, names))
                return;
        if (d->pci)
                mc_pci_source_refresh_facts(d->pci);
}

/* sd-bus handles one message per turn of the event loop, and every turn
 * costs an epoll_wait() and the sources' preparation: under load, that is
 * a good part of what a call costs the daemon. After each turn that did
 * something, take what else is already queued, a bounded number so the
 * other sources (uevents, signals, inotify) keep their turn. */
#define BUS_DRAIN_MAX 32

static int on_bus_drain(sd_event_source *s, void *userdata) {
        McDaemon *d = userdata;

        for (unsigned i = 0; i < BUS_DRAIN_MAX; i++)
                /* An error is the bus' own to handle (sd-bus closes the
                 * connection; the daemon exits on disconnect). */
                if (sd_bus_process(d->bus, NULL) <= 0)
                        break;
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        mc_daemon_rescan(userdata);
        return 0;
}

McDaemon *mc_daemon_new(McDaemonConfig *config) {
        McDaemon *d = g_new0(McDaemon, 1);
        d->config = *config;
        *config = (McDaemonConfig) { 0 };
        d->registry = mc_registry_new();
        d->reply = g_string_sized_new(4096);
        d->answers = mc_answer_cache_new(d->config.answer_cache, MC_ANSWER_CACHE_BYTES);
        return d;
}

void mc_daemon_free(McDaemon *d) {
        if (!d)
                return;
        /* Sources first: they may still call back into the registry. */
        mc_vfiouser_source_free(d->vfio_user);
        mc_mdev_source_free(d->mdev);
        mc_pci_source_free(d->pci);
        mc_dir_watch_free(d->data_watch);
        mc_data_files_free(d->data_files);
        mc_dir_watch_free(d->pci_data_watch);
        mc_data_files_free(d->pci_data_files);
        sd_event_source_disable_unref(d->bus_drain);
        if (d->bus) {
                sd_bus_flush(d->bus);
                sd_bus_close_unref(d->bus);
        }
        mc_registry_free(d->registry);
        sd_event_unref(d->event);
        mc_daemon_config_clear(&d->config);
        g_free(d->hostname);
        g_free(d->machine_id);
        g_string_free(d->reply, true);
        mc_answer_cache_free(d->answers);
        g_free(d);
}

static void read_host_identity(McDaemon *d) {
        char host[256] = "";
        sd_id128_t id;
        char buf[SD_ID128_STRING_MAX];

        if (gethostname(host, sizeof host - 1) < 0)
                host[0] = '\0';
        d->hostname = g_strdup(host);
        if (sd_id128_get_machine(&id) >= 0)
                d->machine_id = g_strdup(sd_id128_to_string(id, buf));
        else
                d->machine_id = g_strdup("");
}

void mc_daemon_set_ready_callback(McDaemon *d, McDaemonReadyFunc ready, void *userdata) {
        g_return_if_fail(d);
        g_return_if_fail(!d->settled);

        d->ready = ready;
        d->ready_userdata = userdata;
}

int mc_daemon_start(McDaemon *d) {
        const McMdevSourceOps mdev_ops = {
                .put = src_put,
                .remove = src_remove,
                .changed = src_changed,
                .lookup = src_lookup,
        };
        const McPciSourceOps pci_ops = {
                .put = src_put,
                .remove = src_remove,
                .changed = src_changed,
                .lookup = pci_lookup,
                .driver_known = pci_driver_known,
        };
        const McVfioUserOps vu_ops = {
                .put = src_put,
                .remove = src_remove,
                .changed = src_changed,
                .settled = vfio_user_settled,
        };
        g_autoptr(GError) error = NULL;
        sigset_t mask;
        int r;

        read_host_identity(d);

        r = sd_event_default(&d->event);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot create the event loop");
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        /* No handler: the loop ends with exit code 0 on either signal. */
        sd_event_add_signal(d->event, NULL, SIGTERM, NULL, NULL);
        sd_event_add_signal(d->event, NULL, SIGINT, NULL, NULL);
        /* SIGHUP: read everything again, as a daemon's reload does. */
        sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d);
        sd_event_set_watchdog(d->event, true);

        /* Until the initial scans are done (become_ready()). */
        mc_registry_set_quiet(d->registry, true);

        r = sd_bus_open_system(&d->bus);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot connect to the system bus");
        /* Without the bus there is nobody to answer: exit and let systemd
         * restart us rather than linger deaf. */
        (void) sd_bus_set_exit_on_disconnect(d->bus, true);
        r = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot attach the bus");
        r = sd_event_add_post(d->event, &d->bus_drain, on_bus_drain, d);
        if (r < 0)
                return mc_log_error_errno(r, "Cannot attach the bus");

        d->data_files = mc_data_files_new((const char *const *) d->config.data_dirs);
        mc_data_files_load(d->data_files);
        d->data_watch = mc_dir_watch_new(d->event, (const char *const *) d->config.data_dirs,
                                         data_files_changed, d, &error);
        if (!d->data_watch) {
                mc_log_warning("Not following model data file changes: %s", error->message);
                g_clear_error(&error);
        }

        d->pci_data_files = mc_data_files_new_pci((const char *const *) d->config.pci_data_dirs);
        mc_data_files_load(d->pci_data_files);
        d->pci_data_watch = mc_dir_watch_new(d->event, (const char *const *) d->config.pci_data_dirs,
                                             pci_data_files_changed, d, &error);
        if (!d->pci_data_watch) {
                mc_log_warning("Not following vfio-pci model data file changes: %s", error->message);
                g_clear_error(&error);
        }

        if (!d->config.no_pci) {
                d->pci = mc_pci_source_new(&pci_ops, d, &error);
                if (!d->pci) {
                        mc_log_error("Cannot read PCI devices: %s", error->message);
                        return -EIO;
                }
                if (!mc_pci_source_attach(d->pci, d->event, &error)) {
                        mc_log_warning("Not following PCI hotplug: %s", error->message);
                        g_clear_error(&error);
                }
                mc_pci_source_rescan_all(d->pci);
        }

        if (!d->config.no_mdev) {
                d->mdev = mc_mdev_source_new(&mdev_ops, d, &error);
                if (!d->mdev) {
                        mc_log_error("Cannot read mdev devices: %s", error->message);
                        return -EIO;
                }
                if (!mc_mdev_source_attach(d->mdev, d->event, &error)) {
                        mc_log_warning("Not following mdev hotplug: %s", error->message);
                        g_clear_error(&error);
                }
                mc_mdev_source_rescan_all(d->mdev);
        }

        McVfioUserConfig vc = {
                .dirs = (const char *const *) d->config.descriptor_dirs,
                .cache_dir = d->config.cache_dir,
                .probe_timeout_usec = d->config.probe_timeout_usec,
                .max_parallel = d->config.probe_parallel,
        };
        d->vfio_user = mc_vfiouser_source_new(d->event, &vc, &vu_ops, d);
        /* Probes are the only processes we start: what one leaves behind
         * (setsid(), double fork) is re-parented to us and killed. */
        r = mc_probe_pool_adopt_orphans(mc_vfiouser_source_get_pool(d->vfio_user));
        if (r < 0)
                mc_log_warning("Cannot become a child subreaper, processes that probes leave "
                               "behind will survive them: %s", g_strerror(-r));
        mc_vfiouser_source_start(d->vfio_user);
        if (mc_vfiouser_source_is_settled(d->vfio_user))
                become_ready(d);
        return 0;
}

int mc_daemon_run(McDaemon *d) {
        int r = sd_event_loop(d->event);
        if (r < 0)
                return mc_log_error_errno(r, "Event loop failed");
        sd_notify(false, "STOPPING=1");
        {
                McAnswerCacheStats st = mc_answer_cache_stats(d->answers);
                mc_log_info("Answered %" PRIu64 " checks, %" PRIu64 " of them from memory",
                            d->n_checks, st.hits);
        }
        return r;
}

void mc_daemon_rescan(McDaemon *d) {
        mc_log_info("Rescanning on request");
        if (mc_data_files_load(d->data_files) && d->mdev)
                mc_mdev_source_refresh_facts(d->mdev);
        if (d->mdev)
                mc_mdev_source_rescan_all(d->mdev);
        mc_data_files_load(d->pci_data_files);
        if (d->pci)
                mc_pci_source_rescan_all(d->pci);
        mc_vfiouser_source_rescan(d->vfio_user);
}
