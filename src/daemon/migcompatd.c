/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatd: publishes this host's mdev types, VFIO PCI functions and
 * vfio-user programs with
 * their migration facts on the system bus, and answers whether a source
 * device can land here. See migcompatd(8). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "daemon.h"
#include "mc-config.h"
#include "mc-log.h"

static void help(void) {
        printf("Usage: migcompatd [OPTIONS...]\n\n"
               "Publish this host's mediated-device types, PCI functions on VFIO drivers\n"
               "and vfio-user device programs\n"
               "with their migration facts on the system bus (%s), and answer\n"
               "whether a source device can be migrated here.\n\n"
               "  -h --help                 Show this help\n"
               "     --version              Show the version\n"
               "  -v --verbose              Log debug messages\n"
               "     --log-target=TARGET    stderr (default, with <N> priority prefixes) or journal\n"
               "     --data-dir=DIR         Model data file directory (repeatable; replaces the\n"
               "                            defaults; later ones override earlier by file name)\n"
               "     --pci-data-dir=DIR     vfio-pci model data file directory (repeatable, as above)\n"
               "     --descriptor-dir=DIR   vfio-user descriptor directory (repeatable, as above)\n"
               "     --cache-dir=DIR        Probe cache directory (default %s)\n"
               "     --no-cache             Do not cache probe results\n"
               "     --probe-timeout=SEC    Time limit of one program probe (default 5)\n"
               "     --probe-parallel=N     Programs probed at once (default 16)\n"
               "     --answer-cache=N       Check answers remembered until the host changes\n"
               "                            (default %u; 0: none)\n"
               "     --no-mdev              Do not read mdev devices from sysfs\n"
               "     --no-pci               Do not read PCI functions from sysfs\n\n"
               "Defaults: data files in %s/mdev-models.d then %s/mdev-models.d,\n"
               "vfio-pci data files in %s/vfio-pci-models.d then %s/vfio-pci-models.d,\n"
               "descriptors in %s/vfio-user.d then %s/vfio-user.d.\n"
               "See migcompatd(8).\n",
               MC_BUS_NAME, MC_CACHEDIR, MC_ANSWER_CACHE_ENTRIES, MC_PKGDATADIR, MC_SYSCONFDIR,
               MC_PKGDATADIR, MC_SYSCONFDIR, MC_PKGDATADIR, MC_SYSCONFDIR);
}

enum {
        ARG_VERSION = 0x100,
        ARG_LOG_TARGET,
        ARG_DATA_DIR,
        ARG_DESCRIPTOR_DIR,
        ARG_CACHE_DIR,
        ARG_NO_CACHE,
        ARG_PROBE_TIMEOUT,
        ARG_PROBE_PARALLEL,
        ARG_ANSWER_CACHE,
        ARG_NO_MDEV,
        ARG_PCI_DATA_DIR,
        ARG_NO_PCI,
};

/* A whole number in decimal digits only (no sign, space or base prefix),
 * from min to max; the message states the range that is accepted. */
static int parse_uint(const char *s, const char *what, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end = NULL;
        guint64 v = 0;

        errno = 0;
        if (g_ascii_isdigit(s[0]))
                v = g_ascii_strtoull(s, &end, 10);
        if (!g_ascii_isdigit(s[0]) || errno || *end || v < min || v > max) {
                g_autofree char *shown = g_strescape(s, NULL);
                fprintf(stderr, "migcompatd: %s \"%s\" is not a whole number from %" G_GUINT64_FORMAT
                        " to %" G_GUINT64_FORMAT "\n", what, shown, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int parse_args(int argc, char *argv[], McDaemonConfig *c) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "verbose", no_argument, NULL, 'v' },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                { "data-dir", required_argument, NULL, ARG_DATA_DIR },
                { "descriptor-dir", required_argument, NULL, ARG_DESCRIPTOR_DIR },
                { "cache-dir", required_argument, NULL, ARG_CACHE_DIR },
                { "no-cache", no_argument, NULL, ARG_NO_CACHE },
                { "probe-timeout", required_argument, NULL, ARG_PROBE_TIMEOUT },
                { "probe-parallel", required_argument, NULL, ARG_PROBE_PARALLEL },
                { "answer-cache", required_argument, NULL, ARG_ANSWER_CACHE },
                { "no-mdev", no_argument, NULL, ARG_NO_MDEV },
                { "pci-data-dir", required_argument, NULL, ARG_PCI_DATA_DIR },
                { "no-pci", no_argument, NULL, ARG_NO_PCI },
                {}
        };
        g_autoptr(GPtrArray) data = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) desc = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) pci = g_ptr_array_new_with_free_func(g_free);
        bool no_cache = false;
        int opt;

        c->cache_dir = g_strdup(MC_CACHEDIR);
        c->answer_cache = MC_ANSWER_CACHE_ENTRIES;
        while ((opt = getopt_long(argc, argv, "hv", options, NULL)) >= 0) {
                uint64_t v;
                switch (opt) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("migcompatd %s\n", MC_VERSION);
                        return 0;
                case 'v':
                        mc_log_set_max_level(LOG_DEBUG);
                        break;
                case ARG_LOG_TARGET:
                        if (strcmp(optarg, "journal") == 0)
                                mc_log_set_target(MC_LOG_JOURNAL);
                        else if (strcmp(optarg, "stderr") == 0)
                                mc_log_set_target(MC_LOG_STDERR);
                        else {
                                fprintf(stderr, "migcompatd: unknown log target \"%s\" (stderr or journal)\n",
                                        optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_DATA_DIR:
                        g_ptr_array_add(data, g_strdup(optarg));
                        break;
                case ARG_DESCRIPTOR_DIR:
                        g_ptr_array_add(desc, g_strdup(optarg));
                        break;
                case ARG_CACHE_DIR:
                        g_free(c->cache_dir);
                        c->cache_dir = g_strdup(optarg);
                        break;
                case ARG_NO_CACHE:
                        no_cache = true;
                        break;
                case ARG_PROBE_TIMEOUT:
                        if (parse_uint(optarg, "probe timeout", 1, 3600, &v) < 0)
                                return -EINVAL;
                        c->probe_timeout_usec = v * G_USEC_PER_SEC;
                        break;
                case ARG_PROBE_PARALLEL:
                        if (parse_uint(optarg, "probe parallelism", 1, 64, &v) < 0)
                                return -EINVAL;
                        c->probe_parallel = (unsigned) v;
                        break;
                case ARG_ANSWER_CACHE:
                        if (parse_uint(optarg, "answer cache size", 0, 65536, &v) < 0)
                                return -EINVAL;
                        c->answer_cache = (unsigned) v;
                        break;
                case ARG_NO_MDEV:
                        c->no_mdev = true;
                        break;
                case ARG_PCI_DATA_DIR:
                        g_ptr_array_add(pci, g_strdup(optarg));
                        break;
                case ARG_NO_PCI:
                        c->no_pci = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        g_assert_not_reached();
                }
        }
        if (optind < argc) {
                fprintf(stderr, "migcompatd: unexpected argument \"%s\"; see --help\n", argv[optind]);
                return -EINVAL;
        }
        if (no_cache)
                g_clear_pointer(&c->cache_dir, g_free);
        if (data->len == 0) {
                g_ptr_array_add(data, g_strdup(MC_PKGDATADIR "/mdev-models.d"));
                g_ptr_array_add(data, g_strdup(MC_SYSCONFDIR "/mdev-models.d"));
        }
        if (pci->len == 0) {
                g_ptr_array_add(pci, g_strdup(MC_PKGDATADIR "/vfio-pci-models.d"));
                g_ptr_array_add(pci, g_strdup(MC_SYSCONFDIR "/vfio-pci-models.d"));
        }
        if (desc->len == 0) {
                g_ptr_array_add(desc, g_strdup(MC_PKGDATADIR "/vfio-user.d"));
                g_ptr_array_add(desc, g_strdup(MC_SYSCONFDIR "/vfio-user.d"));
        }
        g_ptr_array_add(data, NULL);
        g_ptr_array_add(desc, NULL);
        g_ptr_array_add(pci, NULL);
        c->pci_data_dirs = (char **) g_ptr_array_free(g_steal_pointer(&pci), false);
        c->data_dirs = (char **) g_ptr_array_free(g_steal_pointer(&data), false);
        c->descriptor_dirs = (char **) g_ptr_array_free(g_steal_pointer(&desc), false);
        return 1;
}

int main(int argc, char *argv[]) {
        McDaemonConfig config = { 0 };
        g_autoptr(McDaemon) d = NULL;
        int r;

        r = parse_args(argc, argv, &config);
        if (r <= 0) {
                mc_daemon_config_clear(&config);
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
        d = mc_daemon_new(&config);
        mc_bus_attach(d);
        r = mc_daemon_start(d);
        if (r < 0)
                return EXIT_FAILURE;
        r = mc_daemon_run(d);
        return r < 0 ? EXIT_FAILURE : r;
}
