/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The "export" verb: its options checked once, then one export
 * (ctl-export.c) or, with --watch, one on every change
 * (ctl-export-watch.c). */

#include <errno.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-export.h"
#include "mc-parse.h"

/* How long NFD keeps the labels of a file nobody rewrites (--expiry). */
#define DEFAULT_EXPIRY (15 * 60)

/* "900", "900s", "15m", "2h", "1d"; 0 turns expiry off. */
static bool parse_duration(const char *s, gint64 *ret) {
        guint64 n, unit = 1;
        char *end = NULL;

        if (!g_ascii_isdigit(*s))
                return false;
        errno = 0;
        n = g_ascii_strtoull(s, &end, 10);
        if (errno)
                return false;
        if (strcmp(end, "m") == 0)
                unit = 60;
        else if (strcmp(end, "h") == 0)
                unit = 3600;
        else if (strcmp(end, "d") == 0)
                unit = 86400;
        else if (*end && strcmp(end, "s") != 0)
                return false;
        /* Ten years is already no expiry at all. */
        if (n > 10ull * 366 * 86400 / unit)
                return false;
        *ret = (gint64) (n * unit);
        return true;
}

int ctl_verb_export(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        g_autoptr(sd_bus) bus = NULL;
        const char *f = opts->format ? opts->format : "json";
        CtlExport e = { .output = opts->output, .expiry = DEFAULT_EXPIRY };
        int r;

        if (opts->json && strcmp(f, "json") != 0)
                return ctl_error(CTL_EXIT_USAGE, "--json and --format %s exclude each other", f);
        if (strcmp(f, "json") == 0)
                e.format = CTL_FORMAT_JSON;
        else if (strcmp(f, "nfd") == 0)
                e.format = CTL_FORMAT_NFD;
        else if (strcmp(f, "placement") == 0)
                e.format = CTL_FORMAT_PLACEMENT;
        else if (strcmp(f, "nova-provider-config") == 0)
                e.format = CTL_FORMAT_NOVA;
        else
                return ctl_error(CTL_EXIT_USAGE,
                                 "--format %s: expected json, nfd, placement or nova-provider-config", f);

        if (opts->expiry && e.format != CTL_FORMAT_NFD)
                return ctl_error(CTL_EXIT_USAGE, "--expiry applies to --format nfd only");
        if (opts->expiry && !parse_duration(opts->expiry, &e.expiry))
                return ctl_error(CTL_EXIT_USAGE, "--expiry=%s: expected seconds, or a number with s, m, h or d",
                                 opts->expiry);
        if (opts->merge && e.format != CTL_FORMAT_PLACEMENT)
                return ctl_error(CTL_EXIT_USAGE, "--merge applies to --format placement only");
        if (opts->watch && !opts->output)
                return ctl_error(CTL_EXIT_USAGE, "--watch needs --output: it keeps a file current");
        if (opts->watch && (opts->profile || opts->merge))
                return ctl_error(CTL_EXIT_USAGE, "--watch follows the daemon: no --profile or --merge");
        if (opts->merge && strcmp(opts->merge, "-") == 0 && opts->profile && strcmp(opts->profile, "-") == 0)
                return ctl_error(CTL_EXIT_USAGE, "--merge and --profile cannot both read standard input");
        if (opts->merge) {
                if (!mc_read_document(opts->merge, MC_MAX_DOCUMENT_SIZE, &e.merge, &e.merge_len, &error)) {
                        ctl_export_clear(&e);
                        return ctl_error(CTL_EXIT_USAGE, "cannot read the provider's traits: %s", error->message);
                }
        }

        if (opts->watch) {
                r = ctl_export_watch(opts, &e);
                ctl_export_clear(&e);
                return r;
        }
        if (!opts->profile)
                r = ctl_bus_open(&bus, &error);
        else
                r = 0;
        if (r == 0)
                r = ctl_export_once(opts, &e, bus, NULL, &error);
        ctl_export_clear(&e);
        return r ? ctl_fail(error) : CTL_EXIT_OK;
}
