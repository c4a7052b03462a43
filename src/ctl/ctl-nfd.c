/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-nfd.h"

#include <stdbool.h>
#include <string.h>

#include "ctl-labels.h"

typedef struct {
        char *label;
        guint tier; /* 0 preferred version, 1 other versions, 2 capabilities */
        guint pos;  /* the version's place in its model's list */
} Entry;

static void entry_free(gpointer p) {
        Entry *e = p;
        g_free(e->label);
        g_free(e);
}

static gint entry_cmp(gconstpointer a, gconstpointer b) {
        const Entry *x = *(Entry *const *) a, *y = *(Entry *const *) b;
        if (x->tier != y->tier)
                return x->tier < y->tier ? -1 : 1;
        if (x->pos != y->pos)
                return x->pos < y->pos ? -1 : 1;
        return strcmp(x->label, y->label);
}

/* A label once, at the best place any implementation gives it. */
static void add(GHashTable *seen, char *label, guint tier, guint pos) {
        Entry *e = g_hash_table_lookup(seen, label);
        if (e) {
                if (tier < e->tier || (tier == e->tier && pos < e->pos)) {
                        e->tier = tier;
                        e->pos = pos;
                }
                g_free(label);
                return;
        }
        e = g_new0(Entry, 1);
        e->label = label;
        e->tier = tier;
        e->pos = pos;
        g_hash_table_insert(seen, e->label, e);
}

static GPtrArray *ranked_labels(const McProfile *p) {
        g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
        GPtrArray *out = g_ptr_array_new_with_free_func(entry_free);
        GHashTableIter it;
        gpointer value;

        for (guint i = 0; i < p->impls->len; i++) {
                const McImpl *impl = p->impls->pdata[i];

                if (!mc_impl_migratable(impl) || impl->available == 0)
                        continue;
                for (guint m = 0; m < impl->info->models->len; m++) {
                        const McModel *model = impl->info->models->pdata[m];
                        guint nv = MAX(model->versions->len, 1);

                        for (guint v = 0; v < nv; v++) {
                                const char *version = model->versions->len ? model->versions->pdata[v] : NULL;
                                add(seen, ctl_nfd_label(model->model, version, NULL), v == 0 ? 0 : 1, v);
                                for (unsigned c = 1; c < MC_CAP_ALL; c <<= 1)
                                        if (model->caps_known && (model->caps & c))
                                                add(seen, ctl_nfd_label(model->model, version, mc_cap_to_string((McCap) c)),
                                                    2, v);
                        }
                }
        }
        g_hash_table_iter_init(&it, seen);
        while (g_hash_table_iter_next(&it, NULL, &value))
                g_ptr_array_add(out, value);
        g_ptr_array_sort(out, entry_cmp);
        return out;
}

static gsize line_len(const Entry *e) {
        return strlen(e->label) + strlen("=true\n");
}

char *ctl_nfd_file(const McProfile *p, GDateTime *expiry, gsize limit, CtlNfdStats *stats, GError **error) {
        g_autoptr(GPtrArray) labels = ranked_labels(p);
        g_autoptr(GString) head = g_string_new(NULL);
        g_autoptr(GString) body = g_string_new(NULL);
        g_autofree char *cut = NULL;
        CtlNfdStats st = { .total = labels->len };
        gsize minimum = 0;
        guint n = 0;

        /* No comment line may start with "# +": NFD reads those as
         * directives and logs an unknown one as an error. */
        g_string_append_printf(head,
                               "# Node Feature Discovery (v0.14 or later) feature file from migcompatctl: the\n"
                               "# device models and versions that can land on this node now, from the host\n"
                               "# profile of %s (generation %" G_GUINT64_FORMAT "). See migcompatctl(1).\n",
                               *p->hostname ? p->hostname : "this host", p->generation);
        if (expiry) {
                g_autofree char *when = g_date_time_format(expiry, "%Y-%m-%dT%H:%M:%SZ");
                g_string_append_printf(head, "# +expiry-time=%s\n", when);
        }
        for (guint i = 0; i < labels->len; i++) {
                const Entry *e = labels->pdata[i];
                if (e->tier == 0) {
                        st.minimum++;
                        minimum += line_len(e);
                }
        }
        /* The note that labels were left out, at its longest. */
        cut = g_strdup_printf("# %u of %u labels left out: NFD reads at most %" G_GSIZE_FORMAT " bytes.\n",
                              st.total, st.total, limit);
        if (head->len + minimum > limit) {
                st.size = head->len + minimum;
                if (stats)
                        *stats = st;
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE,
                            "NFD feature file too large: the preferred versions of the device models alone "
                            "are %u labels of %" G_GSIZE_FORMAT " bytes, and NFD ignores a file of more than %"
                            G_GSIZE_FORMAT " bytes",
                            st.minimum, st.size, limit);
                return NULL;
        }
        /* Everything fits, or the longest prefix that fits with the note
         * (left out itself when only the minimum fits). */
        {
                gsize all = head->len;
                bool with_note;
                for (guint i = 0; i < labels->len; i++)
                        all += line_len(labels->pdata[i]);
                if (all <= limit) {
                        n = labels->len;
                } else {
                        gsize room, used = 0;
                        with_note = head->len + minimum + strlen(cut) <= limit;
                        room = limit - head->len - (with_note ? strlen(cut) : 0);
                        /* The minimum comes first and fits in room. */
                        while (n < labels->len && used + line_len(labels->pdata[n]) <= room)
                                used += line_len(labels->pdata[n++]);
                        if (with_note)
                                g_string_append_printf(head,
                                                       "# %u of %u labels left out: NFD reads at most %" G_GSIZE_FORMAT
                                                       " bytes.\n",
                                                       labels->len - n, labels->len, limit);
                }
        }
        for (guint i = 0; i < n; i++)
                g_string_append_printf(body, "%s=true\n", ((Entry *) labels->pdata[i])->label);
        g_string_append_len(head, body->str, body->len);
        st.written = n;
        st.size = head->len;
        if (stats)
                *stats = st;
        return g_string_free(g_steal_pointer(&head), false);
}
