/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* migcompatctl's shared state and helpers. Exit codes (migcompatctl(1)):
 * 0 compatible / success, 1 not established (incompatible or unknown),
 * 2 usage or input error, 3 the daemon could not be reached or failed,
 * 4 access denied (by the bus policy or by migcompatd). */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#include "mc-compat.h"

enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_NOT_COMPATIBLE = 1,
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_DAEMON = 3,
        CTL_EXIT_ACCESS = 4,
};

/* Errors carried up to the verb that prints them: the code is the exit
 * code (CTL_EXIT_USAGE, CTL_EXIT_DAEMON or CTL_EXIT_ACCESS), so whoever prints the message
 * (a person's terminal, or the libvirt hook's one line) also knows how to
 * exit. */
#define CTL_ERROR (ctl_error_quark())
GQuark ctl_error_quark(void);

/* Options, as given on the command line; "given" records which, so a verb
 * can refuse an option that means nothing to it. */
typedef enum {
        CTL_OPT_JSON = 1u << 0,
        CTL_OPT_QUIET = 1u << 1,
        CTL_OPT_NO_LEGEND = 1u << 2,
        CTL_OPT_FULL = 1u << 3,
        CTL_OPT_PROFILE = 1u << 4,
        CTL_OPT_IMPLEMENTATION = 1u << 5,
        CTL_OPT_FORMAT = 1u << 6,
        CTL_OPT_REQUIRE = 1u << 7,
        CTL_OPT_ID = 1u << 8,
        CTL_OPT_DOMAIN_METADATA = 1u << 9,
        CTL_OPT_HOOK = 1u << 10,
        CTL_OPT_ALLOW_UNKNOWN = 1u << 11,
        CTL_OPT_PRINT_SOURCE = 1u << 12,
        CTL_OPT_ALL_CANDIDATES = 1u << 13,
        CTL_OPT_OUTPUT = 1u << 14,
        CTL_OPT_EXPIRY = 1u << 15,
        CTL_OPT_WATCH = 1u << 16,
        CTL_OPT_MERGE = 1u << 17,
        CTL_OPT_REPLACE = 1u << 18,
        CTL_OPT_MAX_AGE = 1u << 19,
} CtlOptionBit;

/* How describe prints the libvirt domain metadata element (ctl-metadata.h). */
typedef enum {
        CTL_METADATA_NONE = 0,  /* JSON, not the element */
        CTL_METADATA_ELEMENT,   /* in its namespace, as libvirt stores it */
        CTL_METADATA_VIRSH,     /* without a namespace, as "virsh metadata --set" takes it */
} CtlMetadataForm;

typedef struct {
        unsigned given;               /* CtlOptionBit */
        bool json;
        bool quiet;
        bool legend;                  /* false with --no-legend */
        bool full;                    /* --full: never elide table cells */
        const char *profile;          /* offline: an exported host profile (the last --profile) */
        GPtrArray *profiles;          /* every --profile, char*: files or directories (ctl-fleet.h) */
        GPtrArray *replaces;          /* what-if --replace, char*: files or directories */
        gint64 max_age;               /* --max-age in seconds; -1: profiles do not expire */
        const char *format;           /* export */
        GPtrArray *requires;          /* describe --require, char* */
        GPtrArray *ids;               /* describe --id, "[UUID=]NAME" */
        CtlMetadataForm domain_metadata; /* describe --domain-metadata[=FORM] */
        const char *implementation;   /* check --implementation */
        bool hook;                    /* check-domain --hook[=GUEST] */
        const char *hook_guest;       /* the domain name libvirt gave the hook */
        bool allow_unknown;           /* check-domain --allow-unknown */
        bool print_source;            /* check-domain --print-source */
        bool all_candidates;          /* check, check-domain --all-candidates */
        const char *output;           /* export --output: the file to replace */
        const char *expiry;           /* export --expiry, as given */
        bool watch;                   /* export --watch */
        const char *merge;            /* export --merge: a provider's traits */
} CtlOptions;

/* How many usable candidates a check lists per device (McCheckOptions). */
static inline guint ctl_max_candidates(const CtlOptions *opts) {
        return opts->all_candidates ? MC_CHECK_ALL_CANDIDATES : 0;
}

typedef int (*CtlVerbFunc)(const CtlOptions *opts, int argc, char **argv);

/* The namespace of the libvirt domain metadata element (ctl-metadata.h). */
#define CTL_METADATA_NS "https://migcompat.org/xmlns/libvirt-domain/1"
#define CTL_METADATA_KEY "migcompat"

/* Largest domain XML check-domain reads. */
#define CTL_MAX_DOMAIN_XML (4 * 1024 * 1024)

/* Print a check result for people (or as JSON with --json); returns the
 * exit code for its verdict. */
int ctl_print_check_result(const McCheckResult *r, const CtlOptions *opts);
/* The same from a check result in JSON (the daemon's answer). */
int ctl_print_check_result_json(const char *json, const CtlOptions *opts);
/* The same from a parsed result object. */
int ctl_print_check_result_node(JsonNode *root, const CtlOptions *opts);
int ctl_exit_for_verdict(McVerdict v);

/* Word-wrap text at 80 columns after first_prefix, indenting continuation
 * lines by indent. */
void ctl_print_wrapped(const char *first_prefix, int indent, const char *text);

/* Error output: "migcompatctl: ..." on stderr. Returns code. */
int ctl_error(int code, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Print a CTL_ERROR (or any other error, as a usage error) and return its
 * exit code. */
int ctl_fail(const GError *error);
/* A notice for people on stderr ("migcompatctl: note: ..."). */
void ctl_notice(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Pretty-print a JSON node on stdout. */
void ctl_print_json(JsonNode *node);

/* Small readers of JSON members; NULL (or the default) when absent or of
 * another type. */
const char *ctl_json_str(JsonObject *o, const char *member);
JsonArray *ctl_json_arr(JsonObject *o, const char *member);
JsonObject *ctl_json_obj(JsonObject *o, const char *member);
JsonObject *ctl_json_obj_at(JsonArray *a, guint i);
gint64 ctl_json_int(JsonObject *o, const char *member, gint64 dflt);
bool ctl_json_bool(JsonObject *o, const char *member, bool dflt);
/* Render a value for people: strings as they are, booleans yes/no,
 * integers in decimal, arrays joined with ", ", anything else as compact
 * JSON. */
char *ctl_json_display(JsonNode *node);

/* Verbs. */
int ctl_verb_list(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_show(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_describe(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_check(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_check_domain(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_export(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_monitor(const CtlOptions *opts, int argc, char **argv);
int ctl_verb_what_if(const CtlOptions *opts, int argc, char **argv);
