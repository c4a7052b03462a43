/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "check": against the daemon, or offline against a host profile with the
 * same engine (no daemon needed). */

#include "ctl-bus.h"
#include "ctl-fleet.h"
#include "ctl-profile.h"
#include "ctl.h"
#include "mc-config.h"
#include "mc-error.h"
#include "mc-parse.h"
#include "mc-serialize.h"

static int check_offline(const CtlOptions *opts, const McSource *src) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McProfile) profile = NULL;
        g_autoptr(McCatalog) cat = NULL;
        g_autoptr(McCheckResult) r = NULL;
        McCheckOptions copts = { .only_impl = opts->implementation,
                                 .max_candidates = ctl_max_candidates(opts) };
        int code;

        code = ctl_profile_load_file(opts->profile, NULL, &profile, &error);
        if (code)
                return ctl_fail(error);
        cat = mc_profile_to_catalog(profile);
        if (opts->implementation && !mc_catalog_get(cat, opts->implementation))
                return ctl_error(CTL_EXIT_USAGE, "%s: no implementation %s in this profile", opts->profile,
                                 opts->implementation);
        r = mc_check(cat, src, &copts);
        return ctl_print_check_result(r, opts);
}

static int check_daemon(const CtlOptions *opts, const char *data) {
        g_autoptr(sd_bus) bus = NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        g_auto(sd_bus_error) error = SD_BUS_ERROR_NULL;
        const char *result;
        int r;

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
                r = sd_bus_call_method(bus, MC_BUS_NAME, path, MC_BUS_IMPL_IFACE, "Check", &error, &reply, "s",
                                       data);
        } else if (opts->all_candidates) {
                r = ctl_call_manager(bus, "CheckWithOptions", &error, &reply, "sa{sv}", data, 1, "max-candidates",
                                     "u", (uint32_t) 0);
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

int ctl_verb_check(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        g_autofree char *data = NULL;
        g_autoptr(McSource) src = NULL;
        const char *path = argc > 1 ? argv[1] : "-";
        const char *origin = g_strcmp0(path, "-") == 0 ? "stdin" : path;
        gsize len = 0;

        if (!mc_read_document(path, MC_MAX_DOCUMENT_SIZE, &data, &len, &error))
                return ctl_error(CTL_EXIT_USAGE, "cannot read source description: %s", error->message);
        /* Catch a bad file here, with its name in the message, not the bus's. */
        src = mc_source_parse(data, len, origin, &error);
        if (!src)
                return ctl_error(CTL_EXIT_USAGE, "%s", error->message);
        if (ctl_fleet_wanted(opts))
                return ctl_fleet_check(opts, src, false, NULL);
        if (opts->profile)
                return check_offline(opts, src);
        return check_daemon(opts, data);
}
