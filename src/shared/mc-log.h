/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <syslog.h>

/* Logging to stderr with "<N>" priority prefixes (journald and
 * systemd-cat parse them) or straight to the journal. The threshold and
 * target are the one process-wide setting, like systemd's log_max_level. */
typedef enum {
        MC_LOG_STDERR,
        MC_LOG_JOURNAL,
} McLogTarget;

void mc_log_set_max_level(int level);
int mc_log_get_max_level(void);
void mc_log_set_target(McLogTarget target);
/* "err", "warning", "info", "debug" or 0-7; -1 when unknown. */
int mc_log_level_from_string(const char *s);

void mc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Log "<message>: <what errno r means>" and return r as a negative errno,
 * for "return mc_log_error_errno(r, "Cannot ...");" where a failure is
 * both logged and passed up. */
int mc_log_errno(int level, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define mc_log_debug(...) mc_log(LOG_DEBUG, __VA_ARGS__)
#define mc_log_info(...) mc_log(LOG_INFO, __VA_ARGS__)
#define mc_log_notice(...) mc_log(LOG_NOTICE, __VA_ARGS__)
#define mc_log_warning(...) mc_log(LOG_WARNING, __VA_ARGS__)
#define mc_log_error(...) mc_log(LOG_ERR, __VA_ARGS__)
#define mc_log_error_errno(r, ...) mc_log_errno(LOG_ERR, (r), __VA_ARGS__)
#define mc_log_warning_errno(r, ...) mc_log_errno(LOG_WARNING, (r), __VA_ARGS__)
