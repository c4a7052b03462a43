/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "what-if --profile=FLEET --replace=NEW VMS...": which running VMs would
 * a change of some hosts (a driver upgrade: their profiles after it)
 * strand? A VM is stranded when its possible destinations (hosts other
 * than its own that can take it now, free instances included) drop to
 * none, or when it could no longer come back to its own host.
 *
 * A VM is its source description (what "describe" prints), in a file
 * named VM.json in a directory named after the host it runs on (the host
 * name of that host's profile): VMS/HOST/VM.json.
 *
 * Scale (bench/README.md): a fleet of 10,000 hosts and 100,000 VMs is
 * 10^9 (VM, host) pairs. VMs with the same description have the same
 * destinations, so each distinct description is checked once per host,
 * and only on hosts that offer its first device's model (an index from
 * model to descriptions). Per host, what is kept is the list of
 * descriptions it can take: each profile is read, used and dropped.
 *
 * Hosts are alike in a fleet (the same hardware, the same driver): a
 * check's verdict depends only on the facts of the implementations that
 * offer the description's models and on their free instances (counted up
 * to the most devices a VM has), so each host's implementations of a
 * model are summed up as a signature, and a verdict is worked out once
 * per (description, signatures of its models). */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mc-compat.h"
#include "ctl-fleet.h"
#include "ctl-table.h"
#include "mc-serialize.h"
#include "mc-types.h"

typedef struct {
        McSource *src;      /* the first VM's, owned */
        guint n_vms;
} Desc;

typedef struct {
        char *name;         /* file name without .json */
        char *host;         /* the directory it is in */
        char *path;
        guint desc;
} Vm;

/* What one host's profile says about the descriptions. */
typedef struct {
        GArray *compatible; /* guint: descriptions it can take now, ascending */
        GArray *fits;       /* guint: of those of its own VMs, the ones that could come back
                             * (facts match; a free instance is not needed: theirs is) */
} HostView;

typedef struct {
        const CtlOptions *opts;
        GPtrArray *descs;        /* Desc* */
        GHashTable *by_key;      /* key -> index + 1 */
        GHashTable *by_model;    /* first device's model -> GArray of guint */
        GHashTable *local;       /* host name -> GHashTable of desc index + 1 (its VMs') */
        GPtrArray *vms;          /* Vm* */
        guint n_vm_files, n_vm_unreadable;
        guint max_devices;       /* the most devices a VM has */
        GHashTable *facts_ids;   /* migration information JSON -> id + 1 */
        GHashTable *sig_ids;     /* a model's signature on a host -> id + 1 */
        GHashTable *memo;        /* "desc:sig:sig..." -> VERDICT_* bits */
        guint64 n_checks, n_reused;
} WhatIf;

#define VERDICT_COMPATIBLE 1u
#define VERDICT_FITS 2u
/* Beyond this many remembered verdicts, new ones are worked out and not
 * kept (a fleet of all different hosts gains nothing from them). */
#define MEMO_MAX 1000000

static void desc_free(Desc *d) {
        mc_source_free(d->src);
        g_free(d);
}

static void vm_free(Vm *v) {
        g_free(v->name);
        g_free(v->host);
        g_free(v->path);
        g_free(v);
}

static void host_view_free(HostView *v) {
        g_array_unref(v->compatible);
        g_array_unref(v->fits);
        g_free(v);
}

static void what_if_clear(WhatIf *w) {
        g_ptr_array_unref(w->descs);
        g_hash_table_unref(w->by_key);
        g_hash_table_unref(w->by_model);
        g_hash_table_unref(w->local);
        g_ptr_array_unref(w->vms);
        g_hash_table_unref(w->facts_ids);
        g_hash_table_unref(w->sig_ids);
        g_hash_table_unref(w->memo);
}

/* ---- the VMs ----------------------------------------------------------------------- */

/* What decides a check: everything but the device ids. */
static char *desc_key(const McSource *src) {
        GString *k = g_string_new(NULL);

        for (guint i = 0; i < src->devices->len; i++) {
                const McSrcDevice *d = src->devices->pdata[i];
                g_string_append_printf(k, "%s\x1f%s\x1f%u", d->model, d->version ? d->version : "\x1e", d->requires);
                for (guint p = 0; p < d->params->len; p++) {
                        const McSrcParam *sp = d->params->pdata[p];
                        g_autofree char *v = mc_src_param_to_string(sp);
                        g_string_append_printf(k, "\x1f%s=%s", sp->name, v);
                }
                g_string_append_c(k, '\x1d');
        }
        return g_string_free(k, false);
}

static void add_vm(WhatIf *w, const char *path, const char *host) {
        g_autoptr(GError) error = NULL;
        g_autofree char *data = NULL;
        g_autoptr(McSource) src = NULL;
        g_autofree char *key = NULL;
        g_autofree char *base = g_path_get_basename(path);
        gpointer found;
        GHashTable *set;
        Vm *vm;
        gsize len = 0;

        w->n_vm_files++;
        if (!mc_read_document(path, MC_MAX_DOCUMENT_SIZE, &data, &len, &error) ||
            !(src = mc_source_parse(data, len, path, &error))) {
                w->n_vm_unreadable++;
                if (!w->opts->quiet)
                        ctl_notice("skipping an unreadable VM description: %s", error->message);
                return;
        }
        vm = g_new0(Vm, 1);
        vm->name = g_strndup(base, strlen(base) - (g_str_has_suffix(base, ".json") ? 5 : 0));
        vm->host = g_strdup(host);
        vm->path = g_strdup(path);
        key = desc_key(src);
        found = g_hash_table_lookup(w->by_key, key);
        if (found) {
                vm->desc = GPOINTER_TO_UINT(found) - 1;
        } else {
                Desc *d = g_new0(Desc, 1);
                const char *model = ((McSrcDevice *) src->devices->pdata[0])->model;
                GArray *list = g_hash_table_lookup(w->by_model, model);

                vm->desc = w->descs->len;
                d->src = g_steal_pointer(&src);
                g_ptr_array_add(w->descs, d);
                g_hash_table_insert(w->by_key, g_steal_pointer(&key), GUINT_TO_POINTER(vm->desc + 1));
                if (!list) {
                        list = g_array_new(false, false, sizeof(guint));
                        g_hash_table_insert(w->by_model, g_strdup(model), list);
                }
                g_array_append_val(list, vm->desc);
        }
        ((Desc *) w->descs->pdata[vm->desc])->n_vms++;
        w->max_devices = MAX(w->max_devices, ((Desc *) w->descs->pdata[vm->desc])->src->devices->len);
        set = g_hash_table_lookup(w->local, host);
        if (!set) {
                set = g_hash_table_new(NULL, NULL);
                g_hash_table_insert(w->local, g_strdup(host), set);
        }
        g_hash_table_add(set, GUINT_TO_POINTER(vm->desc + 1));
        g_ptr_array_add(w->vms, vm);
}

static gint str_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* VMS/HOST/VM.json, or HOST/VM.json given as a file. */
static int read_vms(WhatIf *w, const char *path, GError **error) {
        g_autoptr(GError) local = NULL;
        g_autoptr(GDir) dir = NULL;
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *self = NULL;
        const char *name;
        struct stat st;

        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                g_autofree char *parent = g_path_get_dirname(path);
                g_autofree char *abs = g_canonicalize_filename(parent, NULL);
                g_autofree char *host = g_path_get_basename(abs);
                add_vm(w, path, host);
                return 0;
        }
        dir = g_dir_open(path, 0, &local);
        if (!dir) {
                g_set_error(error, CTL_ERROR, CTL_EXIT_USAGE, "%s: %s", path, local->message);
                return CTL_EXIT_USAGE;
        }
        while ((name = g_dir_read_name(dir)))
                if (name[0] != '.')
                        g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, str_cmp);
        {
                g_autofree char *abs = g_canonicalize_filename(path, NULL);
                self = g_path_get_basename(abs);
        }
        for (guint i = 0; i < names->len; i++) {
                g_autofree char *sub = g_build_filename(path, names->pdata[i], NULL);
                g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

                if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
                        /* A host's directory: every VM.json in it. */
                        if (!ctl_fleet_expand(sub, files, error))
                                return CTL_EXIT_USAGE;
                        for (guint k = 0; k < files->len; k++)
                                add_vm(w, files->pdata[k], names->pdata[i]);
                } else if (g_str_has_suffix(names->pdata[i], ".json")) {
                        /* The directory is itself a host's. */
                        add_vm(w, sub, self);
                }
        }
        return 0;
}

/* ---- the hosts --------------------------------------------------------------------- */

/* Could the VM run on this host but for a free instance? Its own
 * instance is freed when it leaves, so that is what coming back needs. */
static bool fits_but_for_instances(const McCheckResult *r) {
        for (guint i = 0; i < r->devices->len; i++) {
                const McDeviceResult *dr = r->devices->pdata[i];
                bool ok = dr->chosen >= 0 && dr->verdict == MC_VERDICT_COMPATIBLE;

                for (guint k = 0; !ok && k < dr->candidates->len; k++) {
                        const McCandidate *c = dr->candidates->pdata[k];
                        ok = c->reasons->len > 0;
                        for (guint n = 0; ok && n < c->reasons->len; n++)
                                ok = ((McReason *) c->reasons->pdata[n])->code == MC_REASON_NO_FREE_INSTANCE;
                }
                if (!ok)
                        return false;
        }
        return true;
}

static gint uint_cmp(gconstpointer a, gconstpointer b) {
        guint x = *(const guint *) a, y = *(const guint *) b;
        return x < y ? -1 : x > y;
}

static guint intern(GHashTable *table, char *text) {
        gpointer id = g_hash_table_lookup(table, text);

        if (id) {
                g_free(text);
                return GPOINTER_TO_UINT(id) - 1;
        }
        g_hash_table_insert(table, text, GUINT_TO_POINTER(g_hash_table_size(table) + 1));
        return g_hash_table_size(table) - 1;
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* model -> signature id (+ 1) of this host's migratable implementations
 * offering it: each as (its facts, where they come from, its free
 * instances up to the most a VM can use), sorted. */
static GHashTable *model_signatures(WhatIf *w, const McProfile *profile) {
        g_autoptr(GHashTable) info_ids = g_hash_table_new(NULL, NULL);
        g_autoptr(GHashTable) entries =
                g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
        GHashTable *sigs = g_hash_table_new(g_str_hash, g_str_equal);
        GHashTableIter it;
        gpointer key, value;

        for (guint i = 0; i < profile->impls->len; i++) {
                const McImpl *impl = profile->impls->pdata[i];
                gpointer id = g_hash_table_lookup(info_ids, impl->info);
                gint64 avail = impl->available < 0 ? -1 : MIN(impl->available, (gint64) w->max_devices);
                g_autofree char *entry = NULL;

                if (!impl->info)
                        continue;
                if (!id) {
                        id = GUINT_TO_POINTER(intern(w->facts_ids, mc_info_to_json(impl->info, false)) + 1);
                        g_hash_table_insert(info_ids, impl->info, id);
                }
                entry = g_strdup_printf("%u/%d/%" G_GINT64_FORMAT, GPOINTER_TO_UINT(id), (int) impl->facts_from,
                                        avail);
                for (guint m = 0; m < impl->info->models->len; m++) {
                        const char *model = ((McModel *) impl->info->models->pdata[m])->model;
                        GPtrArray *list = g_hash_table_lookup(entries, model);
                        if (!list) {
                                list = g_ptr_array_new_with_free_func(g_free);
                                g_hash_table_insert(entries, (gpointer) model, list);
                        }
                        g_ptr_array_add(list, g_strdup(entry));
                }
        }
        g_hash_table_iter_init(&it, entries);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                GPtrArray *list = value;
                g_autoptr(GString) sig = g_string_new(key);

                g_ptr_array_sort(list, str_ptr_cmp);
                for (guint k = 0; k < list->len; k++)
                        g_string_append_printf(sig, ",%s", (char *) list->pdata[k]);
                g_hash_table_insert(sigs, key,
                                    GUINT_TO_POINTER(intern(w->sig_ids, g_string_free(g_steal_pointer(&sig), false)) + 1));
        }
        return sigs;
}

/* The verdict bits of a description on a host, worked out or remembered. */
static unsigned judge_desc(WhatIf *w, McCatalog *cat, GHashTable *sigs, guint di) {
        const Desc *d = w->descs->pdata[di];
        McCheckOptions copts = { .max_candidates = 1 };
        g_autoptr(GString) key = g_string_new(NULL);
        g_autoptr(McCheckResult) r = NULL;
        gpointer known;
        unsigned bits = 0;

        g_string_append_printf(key, "%u", di);
        for (guint n = 0; n < d->src->devices->len; n++) {
                gpointer sig = g_hash_table_lookup(sigs, ((McSrcDevice *) d->src->devices->pdata[n])->model);
                if (!sig)
                        return 0; /* a model this host does not offer */
                g_string_append_printf(key, ":%u", GPOINTER_TO_UINT(sig));
        }
        if (g_hash_table_lookup_extended(w->memo, key->str, NULL, &known)) {
                w->n_reused++;
                return GPOINTER_TO_UINT(known);
        }
        r = mc_check(cat, d->src, &copts);
        w->n_checks++;
        if (r->verdict == MC_VERDICT_COMPATIBLE)
                bits |= VERDICT_COMPATIBLE;
        if (fits_but_for_instances(r))
                bits |= VERDICT_FITS;
        if (g_hash_table_size(w->memo) < MEMO_MAX)
                g_hash_table_insert(w->memo, g_string_free(g_steal_pointer(&key), false), GUINT_TO_POINTER(bits));
        return bits;
}

static gpointer view_host(const CtlFleetHost *host, McProfile *profile, McCatalog *cat, gpointer userdata) {
        WhatIf *w = userdata;
        HostView *v = g_new0(HostView, 1);
        GHashTable *local = g_hash_table_lookup(w->local, host->name);
        g_autoptr(GHashTable) sigs = model_signatures(w, profile);
        GHashTableIter it;
        gpointer model;

        v->compatible = g_array_new(false, false, sizeof(guint));
        v->fits = g_array_new(false, false, sizeof(guint));
        /* Each description once: under its first device's model. */
        g_hash_table_iter_init(&it, sigs);
        while (g_hash_table_iter_next(&it, &model, NULL)) {
                GArray *list = g_hash_table_lookup(w->by_model, model);
                for (guint k = 0; list && k < list->len; k++) {
                        guint di = g_array_index(list, guint, k);
                        unsigned bits = judge_desc(w, cat, sigs, di);

                        if (bits & VERDICT_COMPATIBLE)
                                g_array_append_val(v->compatible, di);
                        if ((bits & VERDICT_FITS) && local && g_hash_table_contains(local, GUINT_TO_POINTER(di + 1)))
                                g_array_append_val(v->fits, di);
                }
        }
        g_array_sort(v->compatible, uint_cmp);
        g_array_sort(v->fits, uint_cmp);
        return v;
}

static bool has(const GArray *a, guint di) {
        return a && a->len && bsearch(&di, a->data, a->len, sizeof(guint), uint_cmp) != NULL;
}

/* ---- the answer -------------------------------------------------------------------- */

typedef struct {
        const Vm *vm;
        guint before, after;   /* possible destinations */
        bool known_host;       /* its host's profile was read */
        bool back_before, back_after;
} Verdict;

static bool stranded_nowhere(const Verdict *v) {
        return v->before > 0 && v->after == 0;
}

static bool stranded_no_way_back(const Verdict *v) {
        return v->back_before && !v->back_after;
}

static void build_verdict(JsonBuilder *b, const Verdict *v) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "vm");
        json_builder_add_string_value(b, v->vm->name);
        json_builder_set_member_name(b, "host");
        json_builder_add_string_value(b, v->vm->host);
        json_builder_set_member_name(b, "file");
        json_builder_add_string_value(b, v->vm->path);
        json_builder_set_member_name(b, "destinations-before");
        json_builder_add_int_value(b, v->before);
        json_builder_set_member_name(b, "destinations-after");
        json_builder_add_int_value(b, v->after);
        json_builder_set_member_name(b, "can-return-before");
        json_builder_add_boolean_value(b, v->back_before);
        json_builder_set_member_name(b, "can-return-after");
        json_builder_add_boolean_value(b, v->back_after);
        json_builder_set_member_name(b, "reasons");
        json_builder_begin_array(b);
        if (stranded_nowhere(v))
                json_builder_add_string_value(b, "no-destination");
        if (stranded_no_way_back(v))
                json_builder_add_string_value(b, "no-way-back");
        json_builder_end_array(b);
        json_builder_end_object(b);
}

static char *why_text(const Verdict *v) {
        if (stranded_nowhere(v) && stranded_no_way_back(v))
                return g_strdup("no destination left, cannot return");
        if (stranded_nowhere(v))
                return g_strdup("no destination left");
        return g_strdup("cannot return to its host");
}

int ctl_verb_what_if(const CtlOptions *opts, int argc, char **argv) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) fleet = NULL, replaced = NULL;
        g_autoptr(GHashTable) fleet_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) new_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GArray) verdicts = g_array_new(false, true, sizeof(Verdict));
        g_autofree guint *count_before = NULL, *count_after = NULL;
        g_autofree char *fleet_text = NULL;
        CtlFleetCounts fleet_counts, new_counts;
        guint n_nowhere = 0, n_no_way_back = 0, n_none_before = 0, n_unknown_host = 0, n_stranded = 0;
        WhatIf w = {
                .opts = opts,
                .descs = g_ptr_array_new_with_free_func((GDestroyNotify) desc_free),
                .by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                .by_model = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref),
                .local = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref),
                .vms = g_ptr_array_new_with_free_func((GDestroyNotify) vm_free),
                .facts_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                .sig_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                .memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        };
        int r = 0;

        if (!opts->profiles->len) {
                r = ctl_error(CTL_EXIT_USAGE, "what-if needs the fleet's host profiles: --profile=FILE|DIR");
                goto out;
        }
        for (int i = 1; i < argc && r == 0; i++)
                r = read_vms(&w, argv[i], &error);
        if (r) {
                ctl_fail(error);
                goto out;
        }
        if (w.vms->len == 0) {
                r = ctl_error(CTL_EXIT_USAGE, "no VM description could be read (%u file%s)", w.n_vm_files,
                              w.n_vm_files == 1 ? "" : "s");
                goto out;
        }

        /* The change first: a replacement that cannot be read makes the
         * whole answer wrong, so it is an error, not a skipped host. */
        if (opts->replaces->len) {
                CtlOptions strict = *opts;
                strict.max_age = -1;
                replaced = ctl_fleet_read(&strict, opts->replaces, view_host, &w, (GDestroyNotify) host_view_free,
                                          &new_counts, &error);
                if (!replaced) {
                        r = ctl_fail(error);
                        goto out;
                }
                if (new_counts.n_used != new_counts.n_files) {
                        r = ctl_error(CTL_EXIT_USAGE, "every --replace profile must be read: %u of %u were",
                                      new_counts.n_used, new_counts.n_files);
                        goto out;
                }
                for (guint i = 0; i < replaced->len; i++) {
                        CtlFleetHost *h = replaced->pdata[i];
                        g_hash_table_insert(new_by_name, h->name, h);
                }
        }
        fleet = ctl_fleet_read(opts, opts->profiles, view_host, &w, (GDestroyNotify) host_view_free, &fleet_counts,
                               &error);
        if (!fleet) {
                r = ctl_fail(error);
                goto out;
        }
        for (guint i = 0; i < fleet->len; i++) {
                CtlFleetHost *h = fleet->pdata[i];
                CtlFleetHost *other = g_hash_table_lookup(fleet_by_name, h->name);
                if (!other)
                        g_hash_table_insert(fleet_by_name, h->name, h);
                else if (!opts->quiet)
                        ctl_notice("two hosts are named %s (%s and %s): VMs in a directory of that name are counted "
                                   "as on the first",
                                   h->name, other->path, h->path);
        }
        for (guint i = 0; replaced && i < replaced->len; i++) {
                CtlFleetHost *h = replaced->pdata[i];
                if (!g_hash_table_contains(fleet_by_name, h->name)) {
                        r = ctl_error(CTL_EXIT_USAGE, "--replace %s: no host %s among the fleet's profiles", h->path,
                                      h->name);
                        goto out;
                }
        }

        /* How many hosts can take each description, before and after. */
        count_before = g_new0(guint, w.descs->len);
        count_after = g_new0(guint, w.descs->len);
        for (guint i = 0; i < fleet->len; i++) {
                CtlFleetHost *h = fleet->pdata[i];
                CtlFleetHost *nh = g_hash_table_lookup(new_by_name, h->name);
                const HostView *before = h->answer, *after = nh ? nh->answer : h->answer;
                for (guint k = 0; k < before->compatible->len; k++)
                        count_before[g_array_index(before->compatible, guint, k)]++;
                for (guint k = 0; k < after->compatible->len; k++)
                        count_after[g_array_index(after->compatible, guint, k)]++;
        }

        for (guint i = 0; i < w.vms->len; i++) {
                const Vm *vm = w.vms->pdata[i];
                CtlFleetHost *h = g_hash_table_lookup(fleet_by_name, vm->host);
                CtlFleetHost *nh = g_hash_table_lookup(new_by_name, vm->host);
                const HostView *vb = h ? h->answer : NULL, *va = nh ? nh->answer : vb;
                Verdict v = { .vm = vm, .known_host = h != NULL };

                v.before = count_before[vm->desc] - (has(vb ? vb->compatible : NULL, vm->desc) ? 1 : 0);
                v.after = count_after[vm->desc] - (has(va ? va->compatible : NULL, vm->desc) ? 1 : 0);
                v.back_before = has(vb ? vb->fits : NULL, vm->desc);
                v.back_after = has(va ? va->fits : NULL, vm->desc);
                n_unknown_host += !h;
                n_none_before += v.before == 0;
                if (stranded_nowhere(&v) || stranded_no_way_back(&v)) {
                        n_nowhere += stranded_nowhere(&v);
                        n_no_way_back += stranded_no_way_back(&v);
                        n_stranded++;
                        g_array_append_val(verdicts, v);
                }
        }
        if (n_unknown_host && !opts->quiet)
                ctl_notice("%u VM%s on hosts without a profile: their destinations are counted, not their way back",
                           n_unknown_host, n_unknown_host == 1 ? "" : "s");

        fleet_text = ctl_fleet_counts_text(&fleet_counts);
        if (opts->json) {
                g_autoptr(JsonBuilder) b = json_builder_new();
                g_autoptr(JsonNode) root = NULL;

                json_builder_begin_object(b);
                json_builder_set_member_name(b, "stranded");
                json_builder_begin_array(b);
                for (guint i = 0; i < verdicts->len; i++)
                        build_verdict(b, &g_array_index(verdicts, Verdict, i));
                json_builder_end_array(b);
                json_builder_set_member_name(b, "replaced-hosts");
                json_builder_begin_array(b);
                for (guint i = 0; replaced && i < replaced->len; i++)
                        json_builder_add_string_value(b, ((CtlFleetHost *) replaced->pdata[i])->name);
                json_builder_end_array(b);
                json_builder_set_member_name(b, "vms");
                json_builder_add_int_value(b, w.vms->len);
                json_builder_set_member_name(b, "vm-files-unreadable");
                json_builder_add_int_value(b, w.n_vm_unreadable);
                json_builder_set_member_name(b, "vms-without-destination-before");
                json_builder_add_int_value(b, n_none_before);
                json_builder_set_member_name(b, "vms-on-hosts-without-profile");
                json_builder_add_int_value(b, n_unknown_host);
                json_builder_set_member_name(b, "distinct-descriptions");
                json_builder_add_int_value(b, w.descs->len);
                json_builder_set_member_name(b, "checks");
                json_builder_add_int_value(b, (gint64) w.n_checks);
                json_builder_set_member_name(b, "checks-reused");
                json_builder_add_int_value(b, (gint64) w.n_reused);
                ctl_fleet_counts_build(b, &fleet_counts);
                json_builder_end_object(b);
                root = json_builder_get_root(b);
                ctl_print_json(root);
        } else if (!opts->quiet) {
                static const char *const headers[] = { "VM", "HOST", "BEFORE", "AFTER", "RETURN", "STRANDED" };
                g_autoptr(CtlTable) t = ctl_table_new(G_N_ELEMENTS(headers), headers);

                ctl_table_set_elide(t, 0, CTL_ELIDE_MIDDLE, 12, 1);
                ctl_table_set_elide(t, 1, CTL_ELIDE_MIDDLE, 12, 2);
                for (guint i = 0; i < verdicts->len; i++) {
                        const Verdict *v = &g_array_index(verdicts, Verdict, i);
                        g_autofree char *before = g_strdup_printf("%u", v->before);
                        g_autofree char *after = g_strdup_printf("%u", v->after);
                        g_autofree char *why = why_text(v);
                        const char *cells[] = { v->vm->name, v->vm->host, before, after,
                                                v->back_after ? "yes" : "no", why };
                        ctl_table_add_row(t, cells);
                }
                if (verdicts->len) {
                        ctl_table_print(t, ctl_output_width(opts->full), true);
                        putchar('\n');
                }
                printf("%u of %u VM%s stranded by the change of %u host%s: %u with no destination left, %u unable "
                       "to return to its host.\n",
                       n_stranded, w.vms->len, w.vms->len == 1 ? "" : "s", replaced ? replaced->len : 0,
                       replaced && replaced->len == 1 ? "" : "s", n_nowhere, n_no_way_back);
                if (n_none_before)
                        printf("%u VM%s had no destination before the change either.\n", n_none_before,
                               n_none_before == 1 ? "" : "s");
                printf("%s; %u VM%s read", fleet_text, w.vms->len, w.vms->len == 1 ? "" : "s");
                if (w.n_vm_unreadable)
                        printf(", %u unreadable VM file%s skipped", w.n_vm_unreadable,
                               w.n_vm_unreadable == 1 ? "" : "s");
                printf(".\n");
        }
        r = n_stranded ? CTL_EXIT_NOT_COMPATIBLE : CTL_EXIT_OK;
out:
        what_if_clear(&w);
        return r;
}
