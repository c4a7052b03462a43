/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "export --format json|nfd|placement|nova-provider-config": the host
 * profile for schedulers that decide centrally (json), as a Kubernetes
 * Node Feature Discovery feature file (nfd, ctl-nfd.h), as OpenStack
 * Placement traits or the body that sets them (placement), or as a Nova
 * provider configuration file (ctl-placement.h). With --output the file
 * is replaced whole (ctl-file.h) and only once the answer is complete. */

#include "ctl-export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-file.h"
#include "ctl-nfd.h"
#include "ctl-placement.h"
#include "ctl-profile.h"
#include "mc-types.h"

void ctl_export_clear(CtlExport *e) {
        g_clear_pointer(&e->merge, g_free);
}

static int render(const CtlExport *e, const char *text, const McProfile *profile, char **ret, char **summary,
                  GError **error) {
        switch (e->format) {
        case CTL_FORMAT_JSON: {
                /* Parsed strictly already; written as it came, indented. */
                g_autoptr(JsonNode) root = json_from_string(text, NULL);
                g_autoptr(JsonGenerator) gen = json_generator_new();
                if (!root) {
                        g_set_error(error, CTL_ERROR, CTL_EXIT_DAEMON, "the host profile is not JSON");
                        return CTL_EXIT_DAEMON;
                }
                json_generator_set_root(gen, root);
                json_generator_set_pretty(gen, true);
                json_generator_set_indent(gen, 2);
                {
                        g_autofree char *data = json_generator_to_data(gen, NULL);
                        *ret = g_strconcat(data, "\n", NULL);
                }
                *summary = g_strdup_printf("host profile, %u implementations", profile->impls->len);
                return 0;
        }
        case CTL_FORMAT_NFD: {
                g_autoptr(GDateTime) now = g_date_time_new_now_utc();
                g_autoptr(GDateTime) expiry = e->expiry ? g_date_time_add_seconds(now, (gdouble) e->expiry) : NULL;
                CtlNfdStats st;

                *ret = ctl_nfd_file(profile, expiry, CTL_NFD_FILE_MAX, &st, error);
                if (!*ret)
                        return CTL_EXIT_USAGE;
                if (st.written < st.total)
                        fprintf(stderr,
                                "migcompatctl: warning: NFD feature file: %u of %u labels left out to stay within "
                                "NFD's %d bytes (kept: every model's preferred version, then other versions, "
                                "then capabilities)\n",
                                st.total - st.written, st.total, CTL_NFD_FILE_MAX);
                *summary = g_strdup_printf("%u labels, %" G_GSIZE_FORMAT " bytes", st.written, st.size);
                return 0;
        }
        case CTL_FORMAT_PLACEMENT: {
                g_autoptr(GPtrArray) traits = ctl_placement_traits(profile);
                if (e->merge) {
                        g_autofree char *body = ctl_placement_merge(e->merge, e->merge_len, traits, error);
                        if (!body)
                                return CTL_EXIT_USAGE;
                        *ret = g_strconcat(body, "\n", NULL);
                } else {
                        GString *s = g_string_new(NULL);
                        for (guint i = 0; i < traits->len; i++)
                                g_string_append_printf(s, "%s\n", (char *) traits->pdata[i]);
                        *ret = g_string_free(s, false);
                }
                *summary = g_strdup_printf("%u traits", traits->len);
                return 0;
        }
        case CTL_FORMAT_NOVA:
                *ret = ctl_nova_provider_config(profile);
                *summary = g_strdup("Nova provider configuration");
                return 0;
        }
        g_assert_not_reached();
}

int ctl_export_once(const CtlOptions *opts, const CtlExport *e, sd_bus *bus, char **ret_summary, GError **error) {
        g_autoptr(McProfile) profile = NULL;
        g_autofree char *text = NULL, *out = NULL, *summary = NULL;
        int r;

        if (bus)
                r = ctl_profile_load_daemon(bus, &text, &profile, error);
        else
                r = ctl_profile_load_file(opts->profile, &text, &profile, error);
        if (r)
                return r;
        r = render(e, text, profile, &out, &summary, error);
        if (r)
                return r;
        if (e->output) {
                if (!ctl_file_replace(e->output, out, strlen(out), error))
                        return CTL_EXIT_USAGE;
        } else {
                fputs(out, stdout);
                if (fflush(stdout) != 0) {
                        g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "cannot write: %s", g_strerror(errno));
                        return CTL_EXIT_USAGE;
                }
        }
        if (ret_summary)
                *ret_summary = g_strdup_printf("%s (generation %" G_GUINT64_FORMAT ")", summary, profile->generation);
        return 0;
}
