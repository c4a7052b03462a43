/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-profile.h"

#include <string.h>

#include "ctl-bus.h"
#include "mc-types.h"

int ctl_profile_load_file(const char *path, char **ret_text, McProfile **ret, GError **error) {
        g_autoptr(GError) local = NULL;
        g_autofree char *data = NULL;
        const char *origin = g_strcmp0(path, "-") == 0 ? "stdin" : path;
        McProfile *p;
        gsize len = 0;

        if (!mc_read_document(path, MC_MAX_PROFILE_SIZE, &data, &len, &local)) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "cannot read host profile: %s", local->message);
                return CTL_EXIT_USAGE;
        }
        p = mc_profile_parse(data, len, origin, &local);
        if (!p) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "%s", local->message);
                return CTL_EXIT_USAGE;
        }
        *ret = p;
        if (ret_text)
                *ret_text = g_steal_pointer(&data);
        return 0;
}

int ctl_profile_load_daemon(sd_bus *bus, char **ret_text, McProfile **ret, GError **error) {
        g_autoptr(GError) local = NULL;
        g_autofree char *data = NULL;
        McProfile *p;
        int r;

        r = ctl_call_manager_string(bus, "GetHostProfile", NULL, &data, error);
        if (r)
                return r;
        p = mc_profile_parse(data, strlen(data), "the daemon's host profile", &local);
        if (!p) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_DAEMON, "%s", local->message);
                return CTL_EXIT_DAEMON;
        }
        *ret = p;
        if (ret_text)
                *ret_text = g_steal_pointer(&data);
        return 0;
}
