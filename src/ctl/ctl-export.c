/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "export --format json|nfd|placement": the host profile, for schedulers
 * that decide centrally (json), as a Kubernetes Node Feature Discovery
 * feature file (nfd: drop it in the local source's features.d directory),
 * or as OpenStack Placement custom traits (placement: one per line). The
 * names are those of ctl-labels.h. Only migratable implementations with a
 * free instance contribute labels and traits: a scheduler that reads them
 * is told where a device can land now. */

#include <stdio.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-labels.h"
#include "ctl-profile.h"
#include "ctl.h"

typedef enum {
        FORMAT_JSON,
        FORMAT_NFD,
        FORMAT_PLACEMENT,
} Format;

static gint str_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every name for every (model, version) a free, migratable implementation
 * offers, and for each capability it is known to have; sorted, once each. */
static GPtrArray *collect(const McProfile *p, Format format) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        GPtrArray *out = g_ptr_array_new();
        GHashTableIter it;
        gpointer key;

        for (guint i = 0; i < p->impls->len; i++) {
                const McImpl *impl = p->impls->pdata[i];

                if (!mc_impl_migratable(impl) || impl->available == 0)
                        continue;
                for (guint m = 0; m < impl->info->models->len; m++) {
                        const McModel *model = impl->info->models->pdata[m];
                        guint nv = MAX(model->versions->len, 1);

                        for (guint v = 0; v < nv; v++) {
                                const char *version = model->versions->len ? model->versions->pdata[v] : NULL;
                                for (unsigned c = 0; c < MC_CAP_ALL; c = c ? c << 1 : 1) {
                                        const char *cap = c ? mc_cap_to_string((McCap) c) : NULL;
                                        if (c && (!model->caps_known || !(model->caps & c)))
                                                continue;
                                        g_hash_table_add(seen, format == FORMAT_NFD
                                                                       ? ctl_nfd_label(model->model, version, cap)
                                                                       : ctl_placement_trait(model->model, version, cap));
                                }
                        }
                }
        }
        g_hash_table_iter_init(&it, seen);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
                g_hash_table_iter_steal(&it);
                g_ptr_array_add(out, key);
        }
        g_ptr_array_set_free_func(out, g_free);
        g_ptr_array_sort(out, str_cmp);
        return out;
}

int ctl_verb_export(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        g_autoptr(McProfile) profile = NULL;
        g_autofree char *text = NULL;
        g_autoptr(sd_bus) bus = NULL;
        const char *f = opts->format ? opts->format : "json";
        Format format;
        int r;

        if (opts->json && strcmp(f, "json") != 0)
                return ctl_error(CTL_EXIT_USAGE, "--json and --format %s exclude each other", f);

        if (strcmp(f, "json") == 0)
                format = FORMAT_JSON;
        else if (strcmp(f, "nfd") == 0)
                format = FORMAT_NFD;
        else if (strcmp(f, "placement") == 0)
                format = FORMAT_PLACEMENT;
        else
                return ctl_error(CTL_EXIT_USAGE, "--format %s: expected json, nfd or placement", f);

        if (opts->profile) {
                r = ctl_profile_load_file(opts->profile, &text, &profile, &error);
        } else {
                r = ctl_bus_open(&bus, &error);
                if (r == 0)
                        r = ctl_profile_load_daemon(bus, &text, &profile, &error);
        }
        if (r)
                return ctl_fail(error);

        if (format == FORMAT_JSON) {
                /* Parsed strictly already; shown as it came, indented. */
                g_autoptr(JsonNode) root = json_from_string(text, NULL);
                if (!root)
                        return ctl_error(CTL_EXIT_DAEMON, "the host profile is not JSON");
                ctl_print_json(root);
                return CTL_EXIT_OK;
        }

        {
                g_autoptr(GPtrArray) names = collect(profile, format);
                if (format == FORMAT_NFD) {
                        printf("# Node Feature Discovery feature file from migcompatctl: the device models\n"
                               "# and versions that can land on this node now, from the host profile of %s\n"
                               "# (generation %" G_GUINT64_FORMAT "). Label names: see migcompatctl(1).\n",
                               *profile->hostname ? profile->hostname : "this host", profile->generation);
                        for (guint i = 0; i < names->len; i++)
                                printf("%s=true\n", (char *) names->pdata[i]);
                } else {
                        for (guint i = 0; i < names->len; i++)
                                puts(names->pdata[i]);
                }
        }
        return CTL_EXIT_OK;
}
