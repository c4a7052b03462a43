/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "export": the host profile in a scheduler's format (ctl-export.c), once
 * or, with --watch, again on every change (ctl-export-watch.c); the verb
 * and its options in ctl-export-verb.c. */

#include <systemd/sd-bus.h>

#include "ctl.h"

typedef enum {
        CTL_FORMAT_JSON,
        CTL_FORMAT_NFD,
        CTL_FORMAT_PLACEMENT,
        CTL_FORMAT_NOVA,
} CtlFormat;

/* What "export" was asked, checked once. */
typedef struct {
        CtlFormat format;
        const char *output;  /* NULL: stdout */
        gint64 expiry;       /* nfd: seconds the labels stay valid, 0: for ever */
        char *merge;         /* placement: the provider's current traits (JSON), owned */
        gsize merge_len;
} CtlExport;

void ctl_export_clear(CtlExport *e);

/* Ask the daemon on bus (or read opts->profile when bus is NULL), render
 * and write. Returns 0 or an exit code with error set; the output file is
 * untouched on any error. *ret_summary (may be NULL) says what was
 * written, for the watch log. */
int ctl_export_once(const CtlOptions *opts, const CtlExport *e, sd_bus *bus, char **ret_summary, GError **error);

int ctl_export_watch(const CtlOptions *opts, const CtlExport *e);
