/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mc-log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

static int max_level = LOG_INFO;
static McLogTarget target = MC_LOG_STDERR;

void mc_log_set_max_level(int level) {
        max_level = level;
}

int mc_log_get_max_level(void) {
        return max_level;
}

void mc_log_set_target(McLogTarget t) {
        target = t;
}

int mc_log_level_from_string(const char *s) {
        static const char *const names[] = { "emerg", "alert", "crit", "err",
                                             "warning", "notice", "info", "debug" };
        if (!s)
                return -1;
        for (int i = 0; i < 8; i++)
                if (strcmp(s, names[i]) == 0)
                        return i;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
                return s[0] - '0';
        return -1;
}

void mc_log(int level, const char *fmt, ...) {
        va_list ap;
        int saved_errno = errno;

        if (level > max_level)
                return;

        va_start(ap, fmt);
        if (target == MC_LOG_JOURNAL) {
                sd_journal_printv(level, fmt, ap);
        } else {
                char buf[2048];
                vsnprintf(buf, sizeof buf, fmt, ap);
                /* One write per line so concurrent writers do not interleave. */
                fprintf(stderr, "<%d>%s\n", level, buf);
        }
        va_end(ap);
        errno = saved_errno;
}

int mc_log_errno(int level, int r, const char *fmt, ...) {
        va_list ap;
        char buf[2048];
        int err = r < 0 ? -r : r;

        if (level > max_level)
                return -err;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        mc_log(level, "%s: %s", buf, strerror(err));
        return -err;
}
