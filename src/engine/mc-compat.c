/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The compatibility engine. For each source device: find the candidates
 * (by model, through the catalog's index), judge each one and give every
 * reason it fails, then share the free instances among the VM's devices
 * with an augmenting-path matching so that two devices needing one type
 * get two instances, and rank what is left. Pure: no I/O, no clock. */

#include "mc-compat.h"

#include "mc-template.h"

#include <stdarg.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

const char *mc_verdict_to_string(McVerdict v) {
        switch (v) {
        case MC_VERDICT_COMPATIBLE:
                return "compatible";
        case MC_VERDICT_UNKNOWN:
                return "unknown";
        case MC_VERDICT_INCOMPATIBLE:
                return "incompatible";
        }
        return "?";
}

const char *mc_reason_code_to_string(McReasonCode c) {
        static const char *const names[] = {
                [MC_REASON_MODEL_MISMATCH] = "model-mismatch",
                [MC_REASON_VERSION_UNSUPPORTED] = "version-unsupported",
                [MC_REASON_PARAM_UNKNOWN] = "param-unknown",
                [MC_REASON_PARAM_MISSING] = "param-missing",
                [MC_REASON_PARAM_TYPE] = "param-type",
                [MC_REASON_PARAM_OUT_OF_RANGE] = "param-out-of-range",
                [MC_REASON_CAPABILITY_MISSING] = "capability-missing",
                [MC_REASON_CAPABILITY_UNKNOWN] = "capability-unknown",
                [MC_REASON_NO_FREE_INSTANCE] = "no-free-instance",
                [MC_REASON_NOT_MIGRATABLE] = "not-migratable",
                [MC_REASON_AVAILABILITY_UNKNOWN] = "availability-unknown",
        };
        return (unsigned) c < G_N_ELEMENTS(names) ? names[c] : "?";
}

/* ---- results ------------------------------------------------------------ */

static void reason_free(McReason *r) {
        g_free(r->message);
        g_free(r);
}

static void write_free(McWrite *w) {
        g_free(w->attribute);
        g_free(w->value);
        g_free(w);
}

static void recipe_free(McRecipe *r) {
        if (!r)
                return;
        g_free(r->parent);
        g_free(r->type_id);
        g_free(r->create_path);
        if (r->writes)
                g_ptr_array_unref(r->writes);
        g_strfreev(r->argv);
        g_free(r->address);
        g_free(r->driver);
        g_free(r);
}

static void candidate_free(McCandidate *c) {
        mc_impl_unref(c->impl);
        g_ptr_array_unref(c->reasons);
        if (c->notes)
                g_ptr_array_unref(c->notes);
        recipe_free(c->recipe);
        g_free(c);
}

static void device_result_free(McDeviceResult *d) {
        g_free(d->id);
        g_free(d->model);
        g_free(d->version);
        g_ptr_array_unref(d->candidates);
        g_ptr_array_unref(d->reasons);
        g_free(d);
}

void mc_check_result_free(McCheckResult *r) {
        if (!r)
                return;
        g_ptr_array_unref(r->devices);
        g_free(r);
}

static void add_reason(GPtrArray *reasons, McReasonCode code, const char *fmt, ...)
        G_GNUC_PRINTF(3, 4);
static GPtrArray *reasons_new(void);

static void add_reason(GPtrArray *reasons, McReasonCode code, const char *fmt, ...) {
        McReason *r = g_new0(McReason, 1);
        va_list ap;

        va_start(ap, fmt);
        r->code = code;
        r->message = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_ptr_array_add(reasons, r);
}

/* "a, b, c" of at most max items, "…" after. */
static char *join_limited(GPtrArray *items, guint max) {
        GString *s = g_string_new(NULL);
        for (guint i = 0; i < items->len; i++) {
                if (i == max) {
                        g_string_append_printf(s, ", … (%u more)", items->len - max);
                        break;
                }
                g_string_append_printf(s, "%s%s", i ? ", " : "", (const char *) items->pdata[i]);
        }
        return g_string_free(s, false);
}

static char *impl_label(const McImpl *impl) {
        if (impl->kind == MC_KIND_VFIO_PCI)
                return g_strdup_printf("PCI function %s (%s)",
                                       mc_pairs_get(impl->identity, "address") ?: impl->id,
                                       impl->driver ? impl->driver : "no driver");
        if (impl->kind == MC_KIND_MDEV)
                return g_strdup_printf("mdev type %s on %s", impl->type_id ? impl->type_id : "?",
                                       impl->parent ? impl->parent : "?");
        return g_strdup_printf("vfio-user program %s", impl->binary ? impl->binary : impl->id);
}

/* ---- judging one candidate --------------------------------------------- */

static void judge_params(const McModel *m, const McSrcDevice *d, GPtrArray *reasons) {
        for (guint i = 0; i < d->params->len; i++) {
                const McSrcParam *sp = d->params->pdata[i];
                const McParam *p = mc_model_find_param(m, sp->name);
                g_autofree char *given = mc_src_param_to_string(sp);
                McValue v;

                if (!p) {
                        g_autoptr(GPtrArray) names = g_ptr_array_new();
                        g_autofree char *list = NULL;
                        for (guint k = 0; k < m->params->len; k++)
                                g_ptr_array_add(names, ((McParam *) m->params->pdata[k])->name);
                        list = join_limited(names, 8);
                        add_reason(reasons, MC_REASON_PARAM_UNKNOWN,
                                   "source parameter %s=%s is unknown here; %s takes %s%s",
                                   sp->name, given, m->model,
                                   names->len ? "" : "no parameters", list);
                        continue;
                }
                if (!mc_src_param_to_value(sp, p->type, &v)) {
                        add_reason(reasons, MC_REASON_PARAM_TYPE,
                                   "source parameter %s=%s is not of type %s, as it is here%s",
                                   sp->name, given, mc_param_type_to_string(p->type),
                                   p->type == MC_PARAM_BOOL ? " (on/off, true/false)" : "");
                        continue;
                }
                if (!mc_param_allows(p, &v)) {
                        g_autofree char *allowed = mc_param_allowed_to_string(p);
                        g_autofree char *value = mc_value_to_string(&v);
                        add_reason(reasons, MC_REASON_PARAM_OUT_OF_RANGE,
                                   "source parameter %s=%s is outside the values allowed here: %s",
                                   sp->name, value, allowed);
                }
                mc_value_clear(&v);
        }

        for (guint i = 0; i < m->params->len; i++) {
                const McParam *p = m->params->pdata[i];
                if (p->has_off || mc_src_device_find_param(d, p->name))
                        continue;
                g_autofree char *init = mc_value_to_string(&p->init_value);
                add_reason(reasons, MC_REASON_PARAM_MISSING,
                           "parameter %s is not set by the source and cannot be turned off here "
                           "(it has no off_value; its init_value is %s)",
                           p->name, init);
        }
}

static void judge_version(const McModel *m, const McSrcDevice *d, GPtrArray *reasons) {
        if (!d->version || mc_model_version_index(m, d->version) >= 0)
                return;
        if (m->versions->len == 0) {
                add_reason(reasons, MC_REASON_VERSION_UNSUPPORTED,
                           "source state is version %s; this implementation publishes no version strings for %s",
                           d->version, m->model);
                return;
        }
        g_autofree char *list = join_limited(m->versions, 16);
        /* Both versions derived from what the hosts run: say what differs. */
        g_autofree char *diff = mc_derived_diff(m->derived_from, d->derived_from);
        if (diff) {
                add_reason(reasons, MC_REASON_VERSION_UNSUPPORTED,
                           "%s (source state is version %s; this implementation loads %s)", diff,
                           d->version, list);
                return;
        }
        add_reason(reasons, MC_REASON_VERSION_UNSUPPORTED,
                   "source state is version %s; this implementation loads %s", d->version, list);
}

static void judge_caps(const McModel *m, const McSrcDevice *d, GPtrArray *reasons) {
        if (!d->requires)
                return;
        g_autofree char *wanted = mc_caps_to_string(d->requires);
        if (!m->caps_known) {
                add_reason(reasons, MC_REASON_CAPABILITY_UNKNOWN,
                           "source requires %s; this implementation does not say which migration capabilities it has",
                           wanted);
                return;
        }
        unsigned missing = d->requires & ~m->caps;
        if (missing) {
                g_autofree char *miss = mc_caps_to_string(missing);
                g_autofree char *have = mc_caps_to_string(m->caps);
                add_reason(reasons, MC_REASON_CAPABILITY_MISSING,
                           "source requires %s; this implementation lacks %s (it has: %s)", wanted,
                           miss, have);
        }
}

static char *value_for(const McParam *p, const McSrcDevice *d) {
        const McSrcParam *sp = mc_src_device_find_param(d, p->name);
        McValue v;
        char *s;

        if (!sp)
                return mc_value_to_string(&p->off_value);
        if (!mc_src_param_to_value(sp, p->type, &v))
                g_return_val_if_reached(NULL);
        s = mc_value_to_string(&v);
        mc_value_clear(&v);
        return s;
}

static void add_write(GPtrArray *writes, char *attribute, char *value) {
        McWrite *w = g_new0(McWrite, 1);
        w->attribute = attribute;
        w->value = value;
        g_ptr_array_add(writes, w);
}

static McRecipe *build_recipe(const McImpl *impl, const McModel *m, const McSrcDevice *d) {
        McRecipe *r = g_new0(McRecipe, 1);

        r->kind = impl->kind;
        if (impl->kind == MC_KIND_VFIO_PCI) {
                /* Assign the function as it is: a variant driver has no
                 * creation parameters; the model and version are its own. */
                r->address = g_strdup(mc_pairs_get(impl->identity, "address"));
                r->driver = g_strdup(impl->driver);
                return r;
        }
        if (impl->kind == MC_KIND_MDEV) {
                r->parent = g_strdup(impl->parent);
                r->type_id = g_strdup(impl->type_id);
                r->create_path = g_strconcat("/sys/class/mdev_bus/", impl->parent, "/mdev_supported_types/",
                                             impl->type_id, "/create", NULL);
                r->writes = g_ptr_array_new_with_free_func((GDestroyNotify) write_free);
                /* Only a driver with the migration/ group takes these; for facts
                 * from a data file the type itself fixes model and state. */
                if (impl->facts_from != MC_FACTS_DRIVER)
                        return r;
                add_write(r->writes, g_strdup("migration/device_model"), g_strdup(m->model));
                if (d->version)
                        add_write(r->writes, g_strdup("migration/version"), g_strdup(d->version));
                /* Each parameter once, in name order: the source's value, or
                 * the off value when the source does not set it. A compatible
                 * source sets every parameter that has no off value. */
                for (guint i = 0; i < m->params->len; i++) {
                        const McParam *p = m->params->pdata[i];
                        if (!p->has_off && !mc_src_device_find_param(d, p->name))
                                continue;
                        add_write(r->writes, g_strconcat("migration/", p->name, NULL), value_for(p, d));
                }
                return r;
        }

        GPtrArray *argv = g_ptr_array_new();
        g_ptr_array_add(argv, g_strdup(impl->binary));
        for (char **a = impl->args; a && *a; a++)
                g_ptr_array_add(argv, g_strdup(*a));
        g_ptr_array_add(argv, g_strdup("--migration-model"));
        g_ptr_array_add(argv, g_strdup(m->model));
        if (d->version) {
                g_ptr_array_add(argv, g_strdup("--migration-version"));
                g_ptr_array_add(argv, g_strdup(d->version));
        }
        /* Parameters in name order: the source's values, off_value for the rest. */
        for (guint i = 0; i < m->params->len; i++) {
                const McParam *p = m->params->pdata[i];
                g_autofree char *v = NULL;
                if (!p->has_off && !mc_src_device_find_param(d, p->name))
                        continue;
                v = value_for(p, d);
                g_ptr_array_add(argv, g_strdup_printf("--m-%s=%s", p->name, v));
        }
        g_ptr_array_add(argv, NULL);
        r->argv = (GStrv) g_ptr_array_free(argv, false);
        return r;
}

static GPtrArray *reasons_new(void) {
        return g_ptr_array_new_with_free_func((GDestroyNotify) reason_free);
}

/* How a model's facts suit a device, with every reason; availability is
 * the candidate's own (candidate_new). */
static McVerdict judge_facts(const McModel *m, const McSrcDevice *d, GPtrArray *reasons) {
        judge_version(m, d, reasons);
        judge_params(m, d, reasons);
        judge_caps(m, d, reasons);

        for (guint i = 0; i < reasons->len; i++)
                if (((McReason *) reasons->pdata[i])->code != MC_REASON_CAPABILITY_UNKNOWN)
                        return MC_VERDICT_INCOMPATIBLE;
        return reasons->len ? MC_VERDICT_UNKNOWN : MC_VERDICT_COMPATIBLE;
}

/* A candidate whose facts were judged (verdict, reasons: copied). */
static McCandidate *candidate_new(McImpl *impl, const McModel *m, McVerdict verdict,
                                  const GPtrArray *reasons, const McSrcDevice *d) {
        McCandidate *c = g_new0(McCandidate, 1);

        c->impl = mc_impl_ref(impl);
        c->model = m;
        c->verdict = verdict;
        c->reasons = g_ptr_array_new_full(reasons->len, (GDestroyNotify) reason_free);
        for (guint i = 0; i < reasons->len; i++) {
                const McReason *r = reasons->pdata[i];
                McReason *copy = g_new0(McReason, 1);
                copy->code = r->code;
                copy->message = g_strdup(r->message);
                g_ptr_array_add(c->reasons, copy);
        }
        if (c->verdict != MC_VERDICT_INCOMPATIBLE && impl->available == 0) {
                g_autofree char *label = impl_label(impl);
                add_reason(c->reasons, MC_REASON_NO_FREE_INSTANCE, "%s has no free instance", label);
                c->verdict = MC_VERDICT_INCOMPATIBLE;
        }
        if (c->verdict != MC_VERDICT_INCOMPATIBLE && impl->available == MC_AVAILABLE_UNKNOWN) {
                g_autofree char *label = impl_label(impl);
                c->notes = reasons_new();
                add_reason(c->notes, MC_REASON_AVAILABILITY_UNKNOWN,
                           "whether a VM already uses %s cannot be seen on this host; "
                           "assigning it fails at once if one does",
                           label);
        }
        /* The recipe is written once the listed candidates are known
         * (add_recipes()): most usable candidates are counted, not listed. */
        return c;
}

static McCandidate *judge(McImpl *impl, const McSrcDevice *d) {
        g_autoptr(GPtrArray) reasons = reasons_new();
        const McModel *m;
        McVerdict v;

        if (!mc_impl_migratable(impl)) {
                add_reason(reasons, MC_REASON_NOT_MIGRATABLE, "%s",
                           impl->not_migratable_reason ? impl->not_migratable_reason
                                                       : "this implementation publishes no migration facts");
                return candidate_new(impl, NULL, MC_VERDICT_INCOMPATIBLE, reasons, d);
        }
        m = mc_info_find_model(impl->info, d->model);
        if (!m) {
                g_autoptr(GPtrArray) names = g_ptr_array_new();
                g_autofree char *list = NULL;
                for (guint i = 0; i < impl->info->models->len; i++)
                        g_ptr_array_add(names, ((McModel *) impl->info->models->pdata[i])->model);
                list = join_limited(names, 8);
                add_reason(reasons, MC_REASON_MODEL_MISMATCH,
                           "source device model is %s; this implementation offers %s", d->model,
                           list);
                return candidate_new(impl, NULL, MC_VERDICT_INCOMPATIBLE, reasons, d);
        }
        v = judge_facts(m, d, reasons);
        return candidate_new(impl, m, v, reasons, d);
}

/* One group of equal facts: judged once. Its members come ranked, those
 * with a free instance first; of a usable group only the first `want` of
 * those can be listed or needed, the rest are counted. Members without a
 * free instance are rejected, and listed. */
static void collect_group(const McCatalogGroup *g, const McSrcDevice *d, guint want,
                          McDeviceResult *dr) {
        g_autoptr(GPtrArray) reasons = reasons_new();
        McVerdict v = judge_facts(g->model, d, reasons);
        guint take = g->members->len;

        if (v != MC_VERDICT_INCOMPATIBLE && g->n_free > want) {
                dr->omitted += g->n_free - want;
                for (guint i = 0; i < want; i++)
                        g_ptr_array_add(dr->candidates,
                                        candidate_new(g->members->pdata[i], g->model, v, reasons, d));
                for (guint i = g->n_free; i < take; i++)
                        g_ptr_array_add(dr->candidates,
                                        candidate_new(g->members->pdata[i], g->model, v, reasons, d));
                return;
        }
        for (guint i = 0; i < take; i++)
                g_ptr_array_add(dr->candidates,
                                candidate_new(g->members->pdata[i], g->model, v, reasons, d));
}

/* ---- ranking ------------------------------------------------------------ */

static int facts_rank(McFactsFrom f) {
        /* The driver's or program's own word before a data file's. */
        return f == MC_FACTS_DATA_FILE ? 1 : 0;
}

static int version_rank(const McCandidate *c, const char *version) {
        int i;
        if (!c->model || !version)
                return 0;
        i = mc_model_version_index(c->model, version);
        return i < 0 ? G_MAXINT : i;
}

static int64_t room(const McImpl *impl) {
        if (impl->available == MC_AVAILABLE_UNKNOWN)
                return 1;
        return impl->available < 0 ? G_MAXINT64 : impl->available;
}

typedef struct {
        const char *version;
} RankCtx;

static gint candidate_cmp(gconstpointer a, gconstpointer b, gpointer user_data) {
        const McCandidate *ca = *(McCandidate *const *) a, *cb = *(McCandidate *const *) b;
        const RankCtx *ctx = user_data;
        int d;

        if (ca->verdict != cb->verdict)
                return (int) ca->verdict - (int) cb->verdict;
        if (ca->verdict == MC_VERDICT_INCOMPATIBLE) {
                /* Closest misses first. */
                if (ca->reasons->len != cb->reasons->len)
                        return ca->reasons->len < cb->reasons->len ? -1 : 1;
                return strcmp(ca->impl->id, cb->impl->id);
        }
        d = facts_rank(ca->impl->facts_from) - facts_rank(cb->impl->facts_from);
        if (d)
                return d;
        /* A version the destination prefers: it can later migrate back. */
        int va = version_rank(ca, ctx->version), vb = version_rank(cb, ctx->version);
        if (va != vb)
                return va < vb ? -1 : 1;
        /* More room first; -1 means unlimited, -2 one device of unknown use. */
        int64_t fa = room(ca->impl), fb = room(cb->impl);
        if (fa != fb)
                return fa > fb ? -1 : 1;
        return strcmp(ca->impl->id, cb->impl->id);
}

/* ---- sharing free instances among a VM's devices ------------------------ */

typedef struct {
        const McImpl *impl;
        GArray *holders; /* device indices */
} Slot;

typedef struct {
        McCheckResult *result;
        GHashTable *slots; /* McImpl* → Slot* */
        GHashTable *visited;
        int *assigned;     /* device index → candidate index, -1 */
        McVerdict tier;    /* candidates usable in this pass */
} Alloc;

static void slot_free(Slot *s) {
        g_array_unref(s->holders);
        g_free(s);
}

static Slot *slot_for(Alloc *a, const McImpl *impl) {
        Slot *s = g_hash_table_lookup(a->slots, impl);
        if (!s) {
                s = g_new0(Slot, 1);
                s->impl = impl;
                s->holders = g_array_new(false, false, sizeof(int));
                g_hash_table_insert(a->slots, (gpointer) impl, s);
        }
        return s;
}

static bool slot_has_room(const Slot *s) {
        /* A device of unknown use still takes one of the VM's devices. */
        if (s->impl->available == MC_AVAILABLE_UNKNOWN)
                return s->holders->len < 1;
        return s->impl->available < 0 || (int64_t) s->holders->len < s->impl->available;
}

/* Kuhn's augmenting path, with capacities: give device i an instance,
 * moving earlier devices to their other candidates when that frees one.
 * allow_moves is false in the second pass so that a device already given
 * a compatible candidate is never moved to a merely "unknown" one. */
static bool try_assign(Alloc *a, int i, bool allow_moves) {
        McDeviceResult *dr = a->result->devices->pdata[i];

        for (guint k = 0; k < dr->candidates->len; k++) {
                McCandidate *c = dr->candidates->pdata[k];
                Slot *s;

                if (c->verdict > a->tier)
                        continue;
                if (!g_hash_table_add(a->visited, c->impl))
                        continue;
                s = slot_for(a, c->impl);
                if (slot_has_room(s)) {
                        g_array_append_val(s->holders, i);
                        a->assigned[i] = (int) k;
                        return true;
                }
                if (!allow_moves)
                        continue;
                for (guint h = 0; h < s->holders->len; h++) {
                        int j = g_array_index(s->holders, int, h);
                        if (try_assign(a, j, true)) {
                                /* j moved elsewhere: its old place here is i's. */
                                g_array_index(s->holders, int, h) = i;
                                a->assigned[i] = (int) k;
                                return true;
                        }
                }
        }
        return false;
}

static void allocate(McCheckResult *result) {
        guint n = result->devices->len;
        Alloc a;

        if (n == 1) {
                /* One device shares with nobody: its best usable candidate
                 * (they are ranked, and a usable one has a free instance). */
                McDeviceResult *dr = result->devices->pdata[0];
                dr->chosen = dr->candidates->len > 0 &&
                                             ((McCandidate *) dr->candidates->pdata[0])->verdict !=
                                                     MC_VERDICT_INCOMPATIBLE
                                     ? 0
                                     : -1;
                return;
        }
        a = (Alloc) {
                .result = result,
                .slots = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) slot_free),
                .visited = g_hash_table_new(NULL, NULL),
                .assigned = g_new(int, n),
        };

        for (guint i = 0; i < n; i++)
                a.assigned[i] = -1;

        a.tier = MC_VERDICT_COMPATIBLE;
        for (guint i = 0; i < n; i++) {
                g_hash_table_remove_all(a.visited);
                try_assign(&a, (int) i, true);
        }
        a.tier = MC_VERDICT_UNKNOWN;
        for (guint i = 0; i < n; i++) {
                if (a.assigned[i] >= 0)
                        continue;
                g_hash_table_remove_all(a.visited);
                try_assign(&a, (int) i, false);
        }

        for (guint i = 0; i < n; i++) {
                McDeviceResult *dr = result->devices->pdata[i];

                dr->chosen = a.assigned[i];
                if (dr->chosen >= 0)
                        continue;
                /* Every usable candidate lacks an instance: say who took them. */
                for (guint k = 0; k < dr->candidates->len; k++) {
                        McCandidate *c = dr->candidates->pdata[k];
                        Slot *s;
                        g_autofree char *label = NULL;

                        if (c->verdict == MC_VERDICT_INCOMPATIBLE)
                                continue;
                        s = slot_for(&a, c->impl);
                        label = impl_label(c->impl);
                        {
                                g_autoptr(GPtrArray) ids = g_ptr_array_new();
                                g_autofree char *list = NULL;
                                for (guint h = 0; h < s->holders->len; h++) {
                                        McDeviceResult *o = result->devices->pdata[g_array_index(s->holders, int, h)];
                                        g_ptr_array_add(ids, o->id);
                                }
                                list = join_limited(ids, 8);
                                if (c->impl->available == MC_AVAILABLE_UNKNOWN)
                                        add_reason(c->reasons, MC_REASON_NO_FREE_INSTANCE,
                                                   "%s is one device, needed by this VM's other devices (%s)",
                                                   label, list);
                                else
                                        add_reason(c->reasons, MC_REASON_NO_FREE_INSTANCE,
                                                   "%s has %" G_GINT64_FORMAT " free instance%s, all needed by this VM's other devices (%s)",
                                                   label, c->impl->available,
                                                   c->impl->available == 1 ? "" : "s", list);
                        }
                        c->verdict = MC_VERDICT_INCOMPATIBLE;
                        g_clear_pointer(&c->recipe, recipe_free);
                        g_clear_pointer(&c->notes, g_ptr_array_unref);
                }
        }

        g_hash_table_unref(a.visited);
        g_hash_table_unref(a.slots);
        g_free(a.assigned);
}

/* ---- the check ----------------------------------------------------------- */

static McDeviceResult *device_result_new(const McSrcDevice *d) {
        McDeviceResult *dr = g_new0(McDeviceResult, 1);
        dr->id = g_strdup(d->id);
        dr->model = g_strdup(d->model);
        dr->version = g_strdup(d->version);
        dr->chosen = -1;
        dr->verdict = MC_VERDICT_INCOMPATIBLE;
        dr->candidates = g_ptr_array_new_with_free_func((GDestroyNotify) candidate_free);
        dr->reasons = g_ptr_array_new_with_free_func((GDestroyNotify) reason_free);
        return dr;
}

static void collect(const McCatalog *cat, const McSrcDevice *d, const McCheckOptions *opts,
                    guint want, McDeviceResult *dr) {
        if (opts && opts->only_impl) {
                McImpl *impl = mc_catalog_get(cat, opts->only_impl);
                if (impl)
                        g_ptr_array_add(dr->candidates, judge(impl, d));
                else
                        add_reason(dr->reasons, MC_REASON_MODEL_MISMATCH,
                                   "there is no implementation %s on this host", opts->only_impl);
                return;
        }

        const GPtrArray *groups = mc_catalog_groups(cat, d->model);
        if (groups) {
                for (guint i = 0; i < groups->len; i++)
                        collect_group(groups->pdata[i], d, want, dr);
                return;
        }
        add_reason(dr->reasons, MC_REASON_MODEL_MISMATCH,
                   "no implementation on this host offers device model %s", d->model);
        guint nm = mc_catalog_n_not_migratable(cat);
        if (nm > 0)
                add_reason(dr->reasons, MC_REASON_NOT_MIGRATABLE,
                           "%u implementation%s on this host publish%s no migration facts and cannot be matched; "
                           "the device may be one of them (see \"migcompatctl list\")",
                           nm, nm == 1 ? "" : "s", nm == 1 ? "es" : "");
}

/* Drop the usable candidates past the limit (they follow the chosen one,
 * before the rejected ones). */
static void trim_usable(McDeviceResult *dr, guint limit) {
        guint first = 0, end;

        while (first < dr->candidates->len && first < limit &&
               ((McCandidate *) dr->candidates->pdata[first])->verdict != MC_VERDICT_INCOMPATIBLE)
                first++;
        end = first;
        while (end < dr->candidates->len &&
               ((McCandidate *) dr->candidates->pdata[end])->verdict != MC_VERDICT_INCOMPATIBLE)
                end++;
        if (end > first) {
                g_ptr_array_remove_range(dr->candidates, first, end - first);
                dr->omitted += end - first;
        }
}

/* Every listed usable candidate's recipe. */
static void add_recipes(McDeviceResult *dr, const McSrcDevice *d) {
        for (guint k = 0; k < dr->candidates->len; k++) {
                McCandidate *c = dr->candidates->pdata[k];
                if (c->verdict != MC_VERDICT_INCOMPATIBLE && !c->recipe)
                        c->recipe = build_recipe(c->impl, c->model, d);
        }
}

McCheckResult *mc_check(const McCatalog *cat, const McSource *src, const McCheckOptions *opts) {
        McCheckResult *r = g_new0(McCheckResult, 1);
        guint limit = opts && opts->max_candidates ? opts->max_candidates
                                                   : MC_CHECK_MAX_CANDIDATES_DEFAULT;
        /* Each device considers at least as many usable candidates of each
         * group as the VM has devices: then sharing instances among them
         * finds a place whenever the whole list would. */
        guint want = MAX(limit, src->devices->len);

        r->generation = mc_catalog_generation(cat);
        r->devices = g_ptr_array_new_with_free_func((GDestroyNotify) device_result_free);

        for (guint i = 0; i < src->devices->len; i++) {
                const McSrcDevice *d = src->devices->pdata[i];
                McDeviceResult *dr = device_result_new(d);
                RankCtx ctx = { .version = d->version };

                collect(cat, d, opts, want, dr);
                /* Rank before allocating so each device tries its best first. */
                g_ptr_array_sort_with_data(dr->candidates, candidate_cmp, &ctx);
                g_ptr_array_add(r->devices, dr);
        }

        allocate(r);

        r->verdict = MC_VERDICT_COMPATIBLE;
        for (guint i = 0; i < r->devices->len; i++) {
                McDeviceResult *dr = r->devices->pdata[i];
                RankCtx ctx = { .version = dr->version };

                if (dr->chosen >= 0) {
                        McCandidate *chosen = dr->candidates->pdata[dr->chosen];
                        dr->verdict = chosen->verdict;
                        /* The chosen one leads; the rest keep their rank
                         * (allocation changes only the candidates of the
                         * devices it could not place, so they are still
                         * in order). */
                        if (dr->chosen > 0) {
                                g_ptr_array_steal_index(dr->candidates, (guint) dr->chosen);
                                g_ptr_array_insert(dr->candidates, 0, chosen);
                                dr->chosen = 0;
                        }
                } else {
                        dr->verdict = MC_VERDICT_INCOMPATIBLE;
                        g_ptr_array_sort_with_data(dr->candidates, candidate_cmp, &ctx);
                }
                trim_usable(dr, limit);
                add_recipes(dr, src->devices->pdata[i]);
                if (dr->verdict > r->verdict)
                        r->verdict = dr->verdict;
        }
        return r;
}
