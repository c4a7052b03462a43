/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "check": against the daemon, or offline against a host profile with the
 * same engine (no daemon needed). */

#include "ctl-bus.h"
#include "ctl.h"
#include "mc-config.h"
#include "mc-error.h"
#include "mc-parse.h"
#include "mc-serialize.h"

static int check_offline(const CtlOptions *opts, const char *data, gsize len, const char *origin) {
        g_autoptr(GError) error = NULL;
        g_autofree char *pdata = NULL;
        gsize plen = 0;
        g_autoptr(McSource) src = NULL;
        g_autoptr(McProfile) profile = NULL;
        g_autoptr(McCatalog) cat = NULL;
        g_autoptr(McCheckResult) r = NULL;
        McCheckOptions copts = { .only_impl = opts->implementation };

        src = mc_source_parse(data, len, origin, &error);
        if (!src)
                return ctl_error(CTL_EXIT_USAGE, "%s", error->message);
        if (!mc_read_document(opts->profile, MC_MAX_PROFILE_SIZE, &pdata, &plen, &error))
                return ctl_error(CTL_EXIT_USAGE, "cannot read host profile: %s", error->message);
        profile = mc_profile_parse(pdata, plen, opts->profile, &error);
        if (!profile)
                return ctl_error(CTL_EXIT_USAGE, "%s", error->message);
        cat = mc_profile_to_catalog(profile);
        if (opts->implementation && !mc_catalog_get(cat, opts->implementation))
                return ctl_error(CTL_EXIT_USAGE, "%s: no implementation %s in this profile",
                                 opts->profile, opts->implementation);
        r = mc_check(cat, src, &copts);
        return ctl_print_check_result(r, opts);
}

static int ctl_check_daemon(const CtlOptions *opts, const char *data, gsize len, const char *origin);

int ctl_verb_check(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        g_autofree char *data = NULL;
        const char *path = argc > 1 ? argv[1] : "-";
        gsize len = 0;

        if (argc > 2)
                return ctl_error(CTL_EXIT_USAGE, "check takes one source description (FILE or -)");
        if (!mc_read_document(path, MC_MAX_DOCUMENT_SIZE, &data, &len, &error))
                return ctl_error(CTL_EXIT_USAGE, "cannot read source description: %s", error->message);
        if (opts->profile)
                return check_offline(opts, data, len, path[0] == '-' && !path[1] ? "stdin" : path);
        return ctl_check_daemon(opts, data, len, path[0] == '-' && !path[1] ? "stdin" : path);
}

static int ctl_check_daemon(const CtlOptions *opts, const char *data, gsize len, const char *origin) {
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        g_autoptr(GError) gerror = NULL;
        g_autoptr(McSource) src = NULL;
        const char *result;
        int r;

        /* Catch a bad file here with its name in the message, not the bus's. */
        src = mc_source_parse(data, len, origin, &gerror);
        if (!src)
                return ctl_error(CTL_EXIT_USAGE, "%s", gerror->message);
        r = ctl_bus_connect(&bus);
        if (r)
                return r;
        if (opts->implementation) {
                g_autoptr(sd_bus_message) path_reply = NULL;
                const char *path;
                r = ctl_call_manager(bus, "GetImplementation", &error, &path_reply, "s", opts->implementation);
                if (r < 0)
                        return ctl_bus_fail(&error, r, "GetImplementation");
                r = sd_bus_message_read(path_reply, "o", &path);
                if (r < 0)
                        return ctl_bus_fail(NULL, r, "GetImplementation");
                r = sd_bus_call_method(bus, MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, "Check", &error, &reply,
                                       "s", data);
        } else {
                r = ctl_call_manager(bus, "Check", &error, &reply, "s", data);
        }
        if (r < 0)
                return ctl_bus_fail(&error, r, "Check");
        r = sd_bus_message_read(reply, "s", &result);
        if (r < 0)
                return ctl_bus_fail(NULL, r, "Check");
        return ctl_print_check_result_json(result, opts);
}
