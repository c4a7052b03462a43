/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatctl: ask migcompatd (or, offline, a host profile) what can
 * migrate here. See migcompatctl(1). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "mc-config.h"
#include "mc-types.h"

typedef struct {
        const char *name;
        int min_args, max_args; /* including the verb itself */
        unsigned options;       /* CtlOptionBit: what the verb takes */
        CtlVerbFunc func;
} CtlVerb;

static const CtlVerb verbs[] = {
        { "list", 1, 1, CTL_OPT_JSON | CTL_OPT_QUIET | CTL_OPT_NO_LEGEND | CTL_OPT_FULL, ctl_verb_list },
        { "show", 2, 2, CTL_OPT_JSON | CTL_OPT_QUIET, ctl_verb_show },
        { "describe", 2, 1 + MC_MAX_DEVICES,
          CTL_OPT_JSON | CTL_OPT_REQUIRE | CTL_OPT_ID | CTL_OPT_DOMAIN_METADATA, ctl_verb_describe },
        { "check", 1, 2,
          CTL_OPT_JSON | CTL_OPT_QUIET | CTL_OPT_PROFILE | CTL_OPT_IMPLEMENTATION | CTL_OPT_ALL_CANDIDATES |
                  CTL_OPT_MAX_AGE,
          ctl_verb_check },
        { "check-domain", 1, 2,
          CTL_OPT_JSON | CTL_OPT_QUIET | CTL_OPT_PROFILE | CTL_OPT_HOOK | CTL_OPT_ALLOW_UNKNOWN |
                  CTL_OPT_PRINT_SOURCE | CTL_OPT_ALL_CANDIDATES | CTL_OPT_MAX_AGE,
          ctl_verb_check_domain },
        { "what-if", 2, G_MAXINT, CTL_OPT_JSON | CTL_OPT_QUIET | CTL_OPT_PROFILE | CTL_OPT_REPLACE | CTL_OPT_MAX_AGE,
          ctl_verb_what_if },
        { "export", 1, 1,
          CTL_OPT_JSON | CTL_OPT_FORMAT | CTL_OPT_PROFILE | CTL_OPT_OUTPUT | CTL_OPT_EXPIRY | CTL_OPT_WATCH |
                  CTL_OPT_MERGE,
          ctl_verb_export },
        { "monitor", 1, 1, CTL_OPT_JSON, ctl_verb_monitor },
};

static void help(void) {
        printf("Usage: migcompatctl [OPTIONS...] COMMAND ...\n"
               "\n"
               "Ask migcompatd which devices can migrate to this host, describe running devices\n"
               "for the destination, and export what the host offers to schedulers.\n"
               "\n"
               "Commands:\n"
               "  list                     List the implementations (mdev types, VFIO PCI\n"
               "                           functions, vfio-user programs): one row per\n"
               "                           device model\n"
               "  show ID                  Show everything about one implementation\n"
               "  describe DEVICE...       Print the source description of running mdev\n"
               "                           devices (UUID) or VFIO PCI functions (address,\n"
               "                           0000:3b:00.2) as JSON, or with --domain-metadata\n"
               "                           the libvirt domain <metadata> element carrying it\n"
               "  check [FILE|-]           Check a source description (JSON) against this\n"
               "                           host, or offline against a host profile\n"
               "  check-domain [XML|-]     Check a libvirt domain XML: the devices in its\n"
               "                           migcompat metadata and its mdev host devices\n"
               "                           that exist on this host, as one VM\n"
               "  export                   Print the host profile (JSON), a Kubernetes Node\n"
               "                           Feature Discovery feature file, OpenStack\n"
               "                           Placement traits or a Nova provider config\n"
               "  monitor                  Print a line per change until interrupted\n"
               "  what-if --profile=DIR --replace=DIR VMS...\n"
               "                           Which running VMs would an upgrade strand: no\n"
               "                           host left to move to, or no way back to their\n"
               "                           own (VMS: files or directories HOST/VM.json)\n"
               "\n"
               "Options:\n"
               "  -h --help                Show this help\n"
               "     --version             Show the version\n"
               "     --json                Print JSON instead of text (list, show, check,\n"
               "                           check-domain; monitor: one JSON object a line;\n"
               "                           describe prints JSON anyway; export: the same as\n"
               "                           --format=json)\n"
               "  -q --quiet               Print nothing; the exit status tells (list, show,\n"
               "                           check, check-domain)\n"
               "     --no-legend           list: no header line and no summary\n"
               "  -l --full                list: never shorten cells to the terminal's width\n"
               "     --profile=FILE|DIR    check, check-domain, export: answer offline from a\n"
               "                           host profile (\"export --format json\" writes one;\n"
               "                           \"-\" reads standard input); check, check-domain,\n"
               "                           what-if: may be repeated, and a directory means\n"
               "                           every *.json in it: one answer per host\n"
               "     --replace=FILE|DIR    what-if: the profile a host will have after the\n"
               "                           change (matched by host name); may be repeated\n"
               "     --max-age=TIME        check, check-domain, what-if: skip profiles\n"
               "                           exported longer ago than TIME (seconds, or with\n"
               "                           s, min, h, d)\n"
               "     --implementation=ID   check: against this one implementation only\n"
               "     --all-candidates      check, check-domain: list every usable candidate,\n"
               "                           not only the one to use\n"
               "     --require=CAP         describe: the destination must have capability\n"
               "                           CAP (stop-copy, pre-copy, p2p, dirty-tracking);\n"
               "                           may be repeated\n"
               "     --id=[DEVICE=]NAME    describe: device id NAME for DEVICE\n"
               "                           (default: the UUID or address); use the\n"
               "                           libvirt hostdev alias; may be repeated\n"
               "     --domain-metadata[=FORM]\n"
               "                           describe: print the libvirt domain metadata\n"
               "                           element instead of JSON: \"element\" (default)\n"
               "                           as the domain XML holds it, \"virsh\" without a\n"
               "                           namespace, as \"virsh metadata --set\" takes it\n"
               "     --hook[=GUEST]        check-domain: libvirt hook mode: nothing on\n"
               "                           stdout, at most one line on stderr, naming\n"
               "                           the domain GUEST\n"
               "     --allow-unknown       check-domain: exit 0 when compatibility is\n"
               "                           unknown (never when incompatible)\n"
               "     --print-source        check-domain: print the source description built\n"
               "                           from the domain instead of checking it\n"
               "     --format=FORMAT       export: json (default), nfd, placement or\n"
               "                           nova-provider-config\n"
               "     --output=FILE         export: replace FILE atomically, only once the\n"
               "                           whole answer is there\n"
               "     --expiry=TIME         export --format nfd: the labels expire after TIME\n"
               "                           (seconds, or with s, m, h, d; default 15m; 0: never)\n"
               "     --watch               export --output: keep FILE current on every change\n"
               "                           until interrupted\n"
               "     --merge=FILE          export --format placement: print the body of PUT\n"
               "                           /resource_providers/{uuid}/traits from what GET\n"
               "                           answered (in FILE, \"-\": stdin)\n"
               "\n"
               "Carry a device's description in its libvirt domain, so that the migcompat\n"
               "qemu hook on the destination checks it before any memory is copied:\n"
               "  virsh metadata DOMAIN --uri " CTL_METADATA_NS " \\\n"
               "      --key " CTL_METADATA_KEY " --live --config \\\n"
               "      --set \"$(migcompatctl describe --domain-metadata=virsh \\\n"
               "                 --id UUID=hostdev0 UUID)\"\n"
               "\n"
               "Exit status: 0 compatible or success, 1 not compatible (incompatible, or\n"
               "unknown), 2 usage or input error, 3 migcompatd cannot be reached or refused.\n"
               "See migcompatctl(1).\n");
}

enum {
        ARG_VERSION = 0x100,
        ARG_JSON,
        ARG_NO_LEGEND,
        ARG_PROFILE,
        ARG_IMPLEMENTATION,
        ARG_FORMAT,
        ARG_REQUIRE,
        ARG_ID,
        ARG_DOMAIN_METADATA,
        ARG_HOOK,
        ARG_ALLOW_UNKNOWN,
        ARG_PRINT_SOURCE,
        ARG_ALL_CANDIDATES,
        ARG_OUTPUT,
        ARG_EXPIRY,
        ARG_WATCH,
        ARG_MERGE,
        ARG_REPLACE,
        ARG_MAX_AGE,
};

static const struct {
        unsigned bit;
        const char *name;
} option_names[] = {
        { CTL_OPT_JSON, "--json" },
        { CTL_OPT_QUIET, "--quiet" },
        { CTL_OPT_NO_LEGEND, "--no-legend" },
        { CTL_OPT_FULL, "--full" },
        { CTL_OPT_PROFILE, "--profile" },
        { CTL_OPT_IMPLEMENTATION, "--implementation" },
        { CTL_OPT_FORMAT, "--format" },
        { CTL_OPT_REQUIRE, "--require" },
        { CTL_OPT_ID, "--id" },
        { CTL_OPT_DOMAIN_METADATA, "--domain-metadata" },
        { CTL_OPT_HOOK, "--hook" },
        { CTL_OPT_ALLOW_UNKNOWN, "--allow-unknown" },
        { CTL_OPT_PRINT_SOURCE, "--print-source" },
        { CTL_OPT_ALL_CANDIDATES, "--all-candidates" },
        { CTL_OPT_OUTPUT, "--output" },
        { CTL_OPT_EXPIRY, "--expiry" },
        { CTL_OPT_WATCH, "--watch" },
        { CTL_OPT_MERGE, "--merge" },
        { CTL_OPT_REPLACE, "--replace" },
        { CTL_OPT_MAX_AGE, "--max-age" },
};

/* "90", "90s", "15min", "2h", "1d": seconds; -1 when not a time span. */
static gint64 parse_seconds(const char *s) {
        static const struct {
                const char *unit;
                gint64 factor;
        } units[] = { { "", 1 }, { "s", 1 }, { "sec", 1 }, { "m", 60 }, { "min", 60 },
                      { "h", 3600 }, { "d", 86400 } };
        char *end = NULL;
        guint64 n;

        if (!g_ascii_isdigit(*s))
                return -1;
        errno = 0;
        n = g_ascii_strtoull(s, &end, 10);
        if (errno || n > G_MAXINT32)
                return -1;
        for (size_t i = 0; i < G_N_ELEMENTS(units); i++)
                if (strcmp(end, units[i].unit) == 0)
                        return (gint64) n * units[i].factor;
        return -1;
}

static int run_verb(const CtlOptions *opts, int n, char **args) {
        for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
                const CtlVerb *v = &verbs[i];
                unsigned extra;

                if (strcmp(v->name, args[0]) != 0)
                        continue;
                extra = opts->given & ~v->options;
                for (size_t k = 0; extra && k < G_N_ELEMENTS(option_names); k++)
                        if (extra & option_names[k].bit)
                                return ctl_error(CTL_EXIT_USAGE, "%s does not apply to \"%s\"; see --help",
                                                 option_names[k].name, v->name);
                if (n < v->min_args || n > v->max_args)
                        return ctl_error(CTL_EXIT_USAGE, "wrong number of arguments for \"%s\"; see --help",
                                         v->name);
                return v->func(opts, n, args);
        }
        return ctl_error(CTL_EXIT_USAGE, "unknown command \"%s\"; see --help", args[0]);
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", no_argument, NULL, ARG_JSON },
                { "quiet", no_argument, NULL, 'q' },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "full", no_argument, NULL, 'l' },
                { "profile", required_argument, NULL, ARG_PROFILE },
                { "implementation", required_argument, NULL, ARG_IMPLEMENTATION },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "require", required_argument, NULL, ARG_REQUIRE },
                { "id", required_argument, NULL, ARG_ID },
                { "domain-metadata", optional_argument, NULL, ARG_DOMAIN_METADATA },
                { "hook", optional_argument, NULL, ARG_HOOK },
                { "allow-unknown", no_argument, NULL, ARG_ALLOW_UNKNOWN },
                { "print-source", no_argument, NULL, ARG_PRINT_SOURCE },
                { "all-candidates", no_argument, NULL, ARG_ALL_CANDIDATES },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "expiry", required_argument, NULL, ARG_EXPIRY },
                { "watch", no_argument, NULL, ARG_WATCH },
                { "merge", required_argument, NULL, ARG_MERGE },
                { "replace", required_argument, NULL, ARG_REPLACE },
                { "max-age", required_argument, NULL, ARG_MAX_AGE },
                {}
        };
        g_autoptr(GPtrArray) requires = g_ptr_array_new();
        g_autoptr(GPtrArray) ids = g_ptr_array_new();
        g_autoptr(GPtrArray) profiles = g_ptr_array_new();
        g_autoptr(GPtrArray) replaces = g_ptr_array_new();
        CtlOptions opts = { .legend = true, .requires = requires, .ids = ids, .profiles = profiles,
                            .replaces = replaces, .max_age = -1 };
        int opt;

        /* getopt's own messages would echo the argument's bytes raw. */
        opterr = 0;
        while ((opt = getopt_long(argc, argv, ":hql", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                case ARG_VERSION:
                        printf("migcompatctl %s\n", MC_VERSION);
                        return CTL_EXIT_OK;
                case ARG_JSON:
                        opts.json = true;
                        opts.given |= CTL_OPT_JSON;
                        break;
                case 'q':
                        opts.quiet = true;
                        opts.given |= CTL_OPT_QUIET;
                        break;
                case ARG_NO_LEGEND:
                        opts.legend = false;
                        opts.given |= CTL_OPT_NO_LEGEND;
                        break;
                case 'l':
                        opts.full = true;
                        opts.given |= CTL_OPT_FULL;
                        break;
                case ARG_ALL_CANDIDATES:
                        opts.all_candidates = true;
                        opts.given |= CTL_OPT_ALL_CANDIDATES;
                        break;
                case ARG_PROFILE:
                        opts.profile = optarg;
                        g_ptr_array_add(profiles, optarg);
                        opts.given |= CTL_OPT_PROFILE;
                        break;
                case ARG_REPLACE:
                        g_ptr_array_add(replaces, optarg);
                        opts.given |= CTL_OPT_REPLACE;
                        break;
                case ARG_MAX_AGE:
                        opts.max_age = parse_seconds(optarg);
                        if (opts.max_age < 0)
                                return ctl_error(CTL_EXIT_USAGE, "--max-age=%s: expected seconds, or a number "
                                                 "with s, min, h or d", optarg);
                        opts.given |= CTL_OPT_MAX_AGE;
                        break;
                case ARG_IMPLEMENTATION:
                        opts.implementation = optarg;
                        opts.given |= CTL_OPT_IMPLEMENTATION;
                        break;
                case ARG_FORMAT:
                        opts.format = optarg;
                        opts.given |= CTL_OPT_FORMAT;
                        break;
                case ARG_REQUIRE:
                        g_ptr_array_add(requires, optarg);
                        opts.given |= CTL_OPT_REQUIRE;
                        break;
                case ARG_ID:
                        g_ptr_array_add(ids, optarg);
                        opts.given |= CTL_OPT_ID;
                        break;
                case ARG_DOMAIN_METADATA:
                        if (!optarg || strcmp(optarg, "element") == 0)
                                opts.domain_metadata = CTL_METADATA_ELEMENT;
                        else if (strcmp(optarg, "virsh") == 0)
                                opts.domain_metadata = CTL_METADATA_VIRSH;
                        else
                                return ctl_error(CTL_EXIT_USAGE,
                                                 "--domain-metadata=%s: the form is \"element\" or \"virsh\"", optarg);
                        opts.given |= CTL_OPT_DOMAIN_METADATA;
                        break;
                case ARG_HOOK:
                        opts.hook = true;
                        opts.hook_guest = optarg && *optarg ? optarg : NULL;
                        opts.given |= CTL_OPT_HOOK;
                        break;
                case ARG_ALLOW_UNKNOWN:
                        opts.allow_unknown = true;
                        opts.given |= CTL_OPT_ALLOW_UNKNOWN;
                        break;
                case ARG_PRINT_SOURCE:
                        opts.print_source = true;
                        opts.given |= CTL_OPT_PRINT_SOURCE;
                        break;
                case ARG_OUTPUT:
                        opts.output = optarg;
                        opts.given |= CTL_OPT_OUTPUT;
                        break;
                case ARG_EXPIRY:
                        opts.expiry = optarg;
                        opts.given |= CTL_OPT_EXPIRY;
                        break;
                case ARG_WATCH:
                        opts.watch = true;
                        opts.given |= CTL_OPT_WATCH;
                        break;
                case ARG_MERGE:
                        opts.merge = optarg;
                        opts.given |= CTL_OPT_MERGE;
                        break;
                case ':':
                        return ctl_error(CTL_EXIT_USAGE, "option '%s' requires an argument; see --help",
                                         argv[optind - 1]);
                default:
                        if (optopt == 0)
                                return ctl_error(CTL_EXIT_USAGE, "unrecognized option '%s'; see --help",
                                                 argv[optind - 1]);
                        if (optopt < 0x80 && g_ascii_isprint(optopt) && !g_str_has_prefix(argv[optind - 1], "--"))
                                return ctl_error(CTL_EXIT_USAGE, "invalid option -- '%c'; see --help", optopt);
                        return ctl_error(CTL_EXIT_USAGE, "option '%s' takes no argument; see --help",
                                         argv[optind - 1]);
                }
        }

        if (argc - optind < 1)
                return ctl_error(CTL_EXIT_USAGE, "a command is needed; see --help");
        if (opts.json && opts.domain_metadata)
                return ctl_error(CTL_EXIT_USAGE, "--json and --domain-metadata exclude each other");
        if (opts.hook && (opts.json || opts.print_source))
                return ctl_error(CTL_EXIT_USAGE, "--hook prints nothing on stdout: no --json or --print-source");
        if (profiles->len > 1 && strcmp(argv[optind], "export") == 0)
                return ctl_error(CTL_EXIT_USAGE, "export reads one --profile");
        return run_verb(&opts, argc - optind, argv + optind);
}
