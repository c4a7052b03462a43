/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Kubernetes Node Feature Discovery feature file of a host profile,
 * within the limits nfd-worker's local source sets (v0.14 and later):
 *   - a file larger than 65,536 bytes is ignored whole ("file size limit
 *     exceeded"), so the file is cut to fit, by a fixed priority:
 *       1. each device model's preferred version (its first), or the
 *          model alone when it has no versions: the minimum;
 *       2. the other versions, the second of every model before any
 *          third, and so on;
 *       3. the capability labels, in the same order of their pairs;
 *     ties by label name. The file holds the longest prefix of that order
 *     that fits; when even (1) does not, there is no file.
 *   - lines starting with "#" are comments; "# +expiry-time=RFC3339"
 *     makes the labels after it vanish at that time.
 * Labels are those of ctl-labels.h, for the migratable implementations
 * with a free instance: where a device can land now. */

#include "ctl.h"
#include "mc-parse.h"

#define CTL_NFD_FILE_MAX 65536

typedef struct {
        guint total;    /* labels the host offers */
        guint written;  /* labels in the file */
        guint minimum;  /* labels of priority 1 */
        gsize size;     /* bytes of the file, or needed for the minimum */
} CtlNfdStats;

/* expiry NULL: no expiry line. Returns the file, or NULL with error
 * (CTL_ERROR, CTL_EXIT_USAGE) when the minimum needs more than limit
 * bytes. */
char *ctl_nfd_file(const McProfile *p, GDateTime *expiry, gsize limit, CtlNfdStats *stats, GError **error);
