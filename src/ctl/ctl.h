/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* migcompatctl's shared state and helpers. Exit codes (migcompatctl(1)):
 * 0 compatible / success, 1 not established (incompatible or unknown),
 * 2 usage or input error, 3 the daemon could not be reached or refused. */

#include <glib.h>
#include <stdbool.h>

#include "compat.h"

enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_NOT_COMPATIBLE = 1,
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_DAEMON = 3,
};

typedef struct {
        bool json;
        bool quiet;
        bool legend;
        const char *profile; /* check offline against this host profile */
        const char *format;  /* export */
        char **requires;     /* describe --require */
        bool domain_metadata; /* describe --domain-metadata */
        const char *implementation; /* check --implementation */
} CtlOptions;

typedef int (*CtlVerbFunc)(const CtlOptions *opts, int argc, char **argv);

/* Print a check result for people; returns the exit code for its verdict. */
int ctl_print_check_result(const McCheckResult *r, const CtlOptions *opts);
/* The same from the JSON a daemon answered. */
int ctl_print_check_result_json(const char *json, const CtlOptions *opts);
int ctl_exit_for_verdict(McVerdict v);

/* Word-wrap text at width, indenting continuation lines by indent. */
void ctl_print_wrapped(const char *first_prefix, int indent, const char *text);

/* Error output: "migcompatctl: ..." on stderr. Returns code. */
int ctl_error(int code, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

int ctl_verb_check(const CtlOptions *opts, int argc, char **argv);
