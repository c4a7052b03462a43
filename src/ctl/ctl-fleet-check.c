/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* check and check-domain against a fleet of host profiles: "which of my
 * hosts can take this VM". The VM is checked against each host's profile
 * with the same engine as a one-host check; what is kept per host is the
 * short answer a scheduler ranks on (verdict, implementation per device,
 * spare instances), so the fleet's profiles are never all in memory. */

#include <stdio.h>
#include <string.h>

#include "ctl-fleet.h"
#include "ctl-table.h"
#include "mc-compat.h"

typedef struct {
        char *id;
        McVerdict verdict;
        char *implementation; /* the one it would use; NULL when none */
        char *reason_code;    /* why not, when it cannot land */
        char *reason_message;
} DeviceAnswer;

typedef struct {
        McVerdict verdict;
        /* Free instances left on the scarcest type the VM would use once
         * it is placed; SPARE_UNLIMITED when every type it uses is
         * unlimited; -1 when the VM cannot be placed. */
        gint64 spare;
        GPtrArray *devices; /* DeviceAnswer* */
} HostAnswer;

#define SPARE_UNLIMITED G_MAXINT64

static void device_answer_free(DeviceAnswer *d) {
        g_free(d->id);
        g_free(d->implementation);
        g_free(d->reason_code);
        g_free(d->reason_message);
        g_free(d);
}

static void host_answer_free(HostAnswer *a) {
        g_ptr_array_unref(a->devices);
        g_free(a);
}

typedef struct {
        const CtlOptions *opts;
        const McSource *src;
} CheckCtx;

/* The reason that says most: the device's own, else its best candidate's first. */
static const McReason *main_reason(const McDeviceResult *dr) {
        if (dr->reasons->len)
                return dr->reasons->pdata[0];
        for (guint k = 0; k < dr->candidates->len; k++) {
                const McCandidate *c = dr->candidates->pdata[k];
                if (c->reasons->len)
                        return c->reasons->pdata[0];
        }
        return NULL;
}

static gint64 spare_of(const McCheckResult *r) {
        g_autoptr(GHashTable) uses = g_hash_table_new(NULL, NULL);
        GHashTableIter it;
        gpointer key, value;
        gint64 spare = SPARE_UNLIMITED;

        for (guint i = 0; i < r->devices->len; i++) {
                const McDeviceResult *dr = r->devices->pdata[i];
                const McCandidate *c;
                if (dr->chosen < 0)
                        return -1;
                c = dr->candidates->pdata[dr->chosen];
                g_hash_table_insert(uses, c->impl,
                                    GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(uses, c->impl)) + 1));
        }
        g_hash_table_iter_init(&it, uses);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                const McImpl *impl = key;
                if (impl->available >= 0)
                        spare = MIN(spare, impl->available - (gint64) GPOINTER_TO_UINT(value));
        }
        return spare;
}

static gpointer check_host(const CtlFleetHost *host, McProfile *profile, McCatalog *cat, gpointer userdata) {
        CheckCtx *ctx = userdata;
        McCheckOptions copts = { .only_impl = ctx->opts->implementation, .max_candidates = 1 };
        g_autoptr(McCheckResult) r = mc_check(cat, ctx->src, &copts);
        HostAnswer *a = g_new0(HostAnswer, 1);

        a->verdict = r->verdict;
        a->spare = r->verdict == MC_VERDICT_INCOMPATIBLE ? -1 : spare_of(r);
        a->devices = g_ptr_array_new_with_free_func((GDestroyNotify) device_answer_free);
        for (guint i = 0; i < r->devices->len; i++) {
                const McDeviceResult *dr = r->devices->pdata[i];
                DeviceAnswer *d = g_new0(DeviceAnswer, 1);

                d->id = g_strdup(dr->id);
                d->verdict = dr->verdict;
                if (dr->chosen >= 0) {
                        d->implementation = g_strdup(((McCandidate *) dr->candidates->pdata[dr->chosen])->impl->id);
                } else {
                        const McReason *why = main_reason(dr);
                        d->reason_code = g_strdup(why ? mc_reason_code_to_string(why->code) : "no-candidate");
                        d->reason_message = g_strdup(why ? why->message : "no implementation was found");
                }
                g_ptr_array_add(a->devices, d);
        }
        return a;
}

/* Compatible first (then unknown, then the rest), the most spare
 * instances first, then by name: the order a scheduler would try. */
static gint host_cmp(gconstpointer pa, gconstpointer pb) {
        const CtlFleetHost *ha = *(CtlFleetHost *const *) pa, *hb = *(CtlFleetHost *const *) pb;
        const HostAnswer *a = ha->answer, *b = hb->answer;
        int c;

        if (a->verdict != b->verdict)
                return a->verdict < b->verdict ? -1 : 1;
        if (a->spare != b->spare)
                return a->spare > b->spare ? -1 : 1;
        c = strcmp(ha->name, hb->name);
        return c ? c : strcmp(ha->path, hb->path);
}

static char *spare_text(gint64 spare) {
        if (spare == SPARE_UNLIMITED)
                return g_strdup("unlimited");
        if (spare < 0)
                return g_strdup("-");
        return g_strdup_printf("%" G_GINT64_FORMAT, spare);
}

static char *devices_text(const HostAnswer *a) {
        GString *s = g_string_new(NULL);

        for (guint i = 0; i < a->devices->len; i++) {
                const DeviceAnswer *d = a->devices->pdata[i];
                if (i)
                        g_string_append(s, ", ");
                if (d->implementation)
                        g_string_append_printf(s, "%s=%s%s", d->id, d->implementation,
                                               d->verdict == MC_VERDICT_UNKNOWN ? " (unknown)" : "");
                else
                        g_string_append_printf(s, "%s: %s", d->id, d->reason_code);
        }
        return g_string_free(s, false);
}

static void add_string_or_null(JsonBuilder *b, const char *name, const char *s) {
        json_builder_set_member_name(b, name);
        if (s)
                json_builder_add_string_value(b, s);
        else
                json_builder_add_null_value(b);
}

static void build_host(JsonBuilder *b, const CtlFleetHost *h) {
        const HostAnswer *a = h->answer;
        g_autofree char *exported = NULL;

        if (h->exported_at >= 0) {
                g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(h->exported_at);
                exported = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
        }
        json_builder_begin_object(b);
        add_string_or_null(b, "host", h->name);
        add_string_or_null(b, "machine-id", h->machine_id);
        add_string_or_null(b, "profile", h->path);
        json_builder_set_member_name(b, "generation");
        json_builder_add_int_value(b, (gint64) h->generation);
        add_string_or_null(b, "exported-at", exported);
        add_string_or_null(b, "verdict", mc_verdict_to_string(a->verdict));
        /* null: unlimited, or the VM cannot be placed (see verdict) */
        json_builder_set_member_name(b, "spare-instances");
        if (a->spare >= 0 && a->spare != SPARE_UNLIMITED)
                json_builder_add_int_value(b, a->spare);
        else
                json_builder_add_null_value(b);
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        for (guint i = 0; i < a->devices->len; i++) {
                const DeviceAnswer *d = a->devices->pdata[i];
                json_builder_begin_object(b);
                add_string_or_null(b, "id", d->id);
                add_string_or_null(b, "verdict", mc_verdict_to_string(d->verdict));
                add_string_or_null(b, "implementation", d->implementation);
                json_builder_set_member_name(b, "reason");
                if (d->reason_code) {
                        json_builder_begin_object(b);
                        add_string_or_null(b, "code", d->reason_code);
                        add_string_or_null(b, "message", d->reason_message);
                        json_builder_end_object(b);
                } else {
                        json_builder_add_null_value(b);
                }
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
}

static void print_table(const CtlOptions *opts, GPtrArray *hosts) {
        static const char *const headers[] = { "HOST", "VERDICT", "SPARE", "DEVICES" };
        g_autoptr(CtlTable) t = ctl_table_new(G_N_ELEMENTS(headers), headers);

        ctl_table_set_elide(t, 0, CTL_ELIDE_MIDDLE, 12, 1);
        ctl_table_set_elide(t, 3, CTL_ELIDE_END, 16, 0);
        for (guint i = 0; i < hosts->len; i++) {
                const CtlFleetHost *h = hosts->pdata[i];
                const HostAnswer *a = h->answer;
                g_autofree char *spare = spare_text(a->spare);
                g_autofree char *devices = devices_text(a);
                const char *cells[] = { h->name, mc_verdict_to_string(a->verdict), spare, devices };
                ctl_table_add_row(t, cells);
        }
        ctl_table_print(t, ctl_output_width(opts->full), true);
}

int ctl_fleet_check(const CtlOptions *opts, const McSource *src, bool allow_unknown, GPtrArray *notes) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) hosts = NULL;
        CheckCtx ctx = { .opts = opts, .src = src };
        CtlFleetCounts counts;
        guint n_ok = 0, n_unknown = 0;
        g_autofree char *counts_text = NULL;

        if (opts->all_candidates)
                return ctl_error(CTL_EXIT_USAGE, "--all-candidates lists one host's candidates: give one --profile file");
        hosts = ctl_fleet_read(opts, opts->profiles, check_host, &ctx, (GDestroyNotify) host_answer_free, &counts,
                               &error);
        if (!hosts)
                return ctl_fail(error);
        g_ptr_array_sort(hosts, host_cmp);
        for (guint i = 0; i < hosts->len; i++) {
                const HostAnswer *a = ((CtlFleetHost *) hosts->pdata[i])->answer;
                n_ok += a->verdict == MC_VERDICT_COMPATIBLE;
                n_unknown += a->verdict == MC_VERDICT_UNKNOWN;
        }
        counts_text = ctl_fleet_counts_text(&counts);

        if (opts->json) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                g_autoptr(JsonNode) root = NULL;
                json_builder_begin_array(b);
                for (guint i = 0; i < hosts->len; i++)
                        build_host(b, hosts->pdata[i]);
                json_builder_end_array(b);
                root = json_builder_get_root(b);
                ctl_print_json(root);
                /* The array is the answers; how many were read is said beside it. */
                if (counts.n_used != counts.n_files && !opts->quiet)
                        ctl_notice("%s", counts_text);
                for (guint i = 0; notes && i < notes->len && !opts->quiet; i++)
                        ctl_notice("%s", (char *) notes->pdata[i]);
        } else if (!opts->quiet) {
                g_autofree char *may = n_unknown ? g_strdup_printf(" (%u more may)", n_unknown) : g_strdup("");
                print_table(opts, hosts);
                printf("\n%u of %u host%s can take it%s; %s.\n", n_ok, hosts->len, hosts->len == 1 ? "" : "s", may,
                       counts_text);
                for (guint i = 0; notes && i < notes->len; i++)
                        ctl_print_wrapped("note: ", 6, notes->pdata[i]);
        }
        if (n_ok > 0 || (allow_unknown && n_unknown > 0))
                return CTL_EXIT_OK;
        return CTL_EXIT_NOT_COMPATIBLE;
}
