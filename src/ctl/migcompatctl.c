/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* migcompatctl: ask migcompatd (or, offline, a host profile) what can
 * migrate here. See migcompatctl(1). */

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "mc-config.h"
#include "mc-log.h"

typedef struct {
        const char *name;
        int min_args, max_args; /* including the verb itself */
        CtlVerbFunc func;
} CtlVerb;

static const CtlVerb verbs[] = {
        { "check", 1, 2, ctl_verb_check },
};

static void help(void) {
        printf("Usage: migcompatctl [OPTIONS...] COMMAND ...\n\n"
               "Ask migcompatd whether devices can migrate to this host.\n\n"
               "Commands:\n"
               "  check [FILE|-]          Check a source description (JSON) against this host,\n"
               "                          or against a host profile with --profile\n"
               "\nOptions:\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "     --json               Print JSON instead of text\n"
               "  -q --quiet              Print nothing; the exit status tells\n"
               "     --profile=FILE       check: answer offline from an exported host profile\n"
               "     --implementation=ID  check: against this one implementation only\n"
               "\nExit status: 0 compatible, 1 not compatible (incompatible or unknown),\n"
               "2 usage or input error, 3 the daemon cannot be reached or refused.\n"
               "See migcompatctl(1).\n");
}

enum {
        ARG_VERSION = 0x100,
        ARG_JSON,
        ARG_PROFILE,
        ARG_IMPLEMENTATION,
};

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", no_argument, NULL, ARG_JSON },
                { "quiet", no_argument, NULL, 'q' },
                { "profile", required_argument, NULL, ARG_PROFILE },
                { "implementation", required_argument, NULL, ARG_IMPLEMENTATION },
                {}
        };
        CtlOptions opts = { .legend = true };
        int opt, n;

        while ((opt = getopt_long(argc, argv, "hq", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        help();
                        return CTL_EXIT_OK;
                case ARG_VERSION:
                        printf("migcompatctl %s\n", MC_VERSION);
                        return CTL_EXIT_OK;
                case ARG_JSON:
                        opts.json = true;
                        break;
                case 'q':
                        opts.quiet = true;
                        break;
                case ARG_PROFILE:
                        opts.profile = optarg;
                        break;
                case ARG_IMPLEMENTATION:
                        opts.implementation = optarg;
                        break;
                default:
                        return CTL_EXIT_USAGE;
                }
        }

        n = argc - optind;
        if (n < 1)
                return ctl_error(CTL_EXIT_USAGE, "a command is needed; see --help");
        for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
                if (strcmp(verbs[i].name, argv[optind]) != 0)
                        continue;
                if (n < verbs[i].min_args || n > verbs[i].max_args)
                        return ctl_error(CTL_EXIT_USAGE, "wrong number of arguments for \"%s\"; see --help",
                                         verbs[i].name);
                return verbs[i].func(&opts, n, argv + optind);
        }
        return ctl_error(CTL_EXIT_USAGE, "unknown command \"%s\"; see --help", argv[optind]);
}
