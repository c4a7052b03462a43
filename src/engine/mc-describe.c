/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Source side: turn what a running mdev instance says about itself into a
 * source description another host can check. */

#include <string.h>

#include "mc-compat.h"
#include "mc-error.h"
#include "mc-quote.h"

/* sysfs spells booleans in several ways; accept the common ones. */
static bool parse_sysfs_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "on", "1", "y", "Y", "yes", "true", NULL };
        static const char *const no[] = { "off", "0", "n", "N", "no", "false", NULL };
        for (int i = 0; yes[i]; i++)
                if (strcmp(s, yes[i]) == 0) {
                        *ret = true;
                        return true;
                }
        for (int i = 0; no[i]; i++)
                if (strcmp(s, no[i]) == 0) {
                        *ret = false;
                        return true;
                }
        return false;
}

static bool raw_to_value(const McParam *p, const char *raw, McValue *v, GError **error) {
        McSrcParam sp = { .name = p->name, .kind = MC_SRC_STR, .s = (char *) raw };
        const char *why;

        /* A string goes into the description as it is: it must be one a
         * source description may hold (UTF-8, no control characters). */
        if (p->type == MC_PARAM_STR && (why = mc_check_str_value(raw))) {
                g_autofree char *q = mc_quote(raw, 64);
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "migration/%s holds \"%s\": %s", p->name, q, why);
                return false;
        }

        if (p->type == MC_PARAM_BOOL) {
                *v = (McValue) { .type = MC_PARAM_BOOL };
                if (parse_sysfs_bool(raw, &v->b))
                        return true;
        } else if (mc_src_param_to_value(&sp, p->type, v)) {
                return true;
        }
        g_autofree char *q = mc_quote(raw, 64);
        g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "migration/%s holds \"%s\", which is not a %s", p->name,
                    q, mc_param_type_to_string(p->type));
        return false;
}

McSrcDevice *mc_describe_instance(const char *id, const McImpl *impl, const char *model,
                                  const char *version, GHashTable *raw_params, GError **error) {
        g_autoptr(McSrcDevice) d = NULL;
        const McModel *m;
        const char *why;

        if (!mc_impl_migratable(impl)) {
                g_set_error(error, MC_ERROR, MC_ERROR_VALUE, "%s is not migratable: %s", impl->id,
                            impl->not_migratable_reason ? impl->not_migratable_reason
                                                        : "no migration facts");
                return NULL;
        }

        if (model) {
                why = mc_check_model_string(model);
                if (why) {
                        g_autofree char *q = mc_quote(model, 64);
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "migration/device_model holds \"%s\": %s", q, why);
                        return NULL;
                }
                m = mc_info_find_model(impl->info, model);
                if (!m) {
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "the device reports model %s, which its type %s does not offer",
                                    model, impl->id);
                        return NULL;
                }
        } else {
                if (impl->info->models->len != 1) {
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "%s offers %u device models and the device does not say which it is (no migration/device_model)",
                                    impl->id, impl->info->models->len);
                        return NULL;
                }
                m = impl->info->models->pdata[0];
        }

        if (version) {
                why = mc_check_version_string(version);
                if (why) {
                        g_autofree char *q = mc_quote(version, 64);
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "migration/version holds \"%s\": %s", q, why);
                        return NULL;
                }
                if (m->versions->len > 0 && mc_model_version_index(m, version) < 0) {
                        g_set_error(error, MC_ERROR, MC_ERROR_VALUE,
                                    "the device reports version %s, which its type %s does not list for %s",
                                    version, impl->id, m->model);
                        return NULL;
                }
        } else if (m->versions->len > 0) {
                /* No migration/version: the device runs at its type's preferred version. */
                version = m->versions->pdata[0];
        }

        d = mc_src_device_new(id, m->model, version);
        /* A version this host derived: the values travel with it, so the
         * destination can say what differs. */
        if (m->derived_from && version && m->versions->len > 0 &&
            strcmp(version, m->versions->pdata[0]) == 0)
                d->derived_from = mc_pairs_copy(m->derived_from);
        for (guint i = 0; i < m->params->len; i++) {
                const McParam *p = m->params->pdata[i];
                const char *raw = raw_params ? g_hash_table_lookup(raw_params, p->name) : NULL;
                McValue v;
                McSrcParam sp = { .name = p->name };

                if (raw) {
                        if (!raw_to_value(p, raw, &v, error))
                                return NULL;
                } else {
                        mc_value_copy(&v, &p->init_value);
                }
                /* Only what differs from off_value travels (migcompat-formats(5)). */
                if (p->has_off && mc_value_equal(&v, &p->off_value)) {
                        mc_value_clear(&v);
                        continue;
                }
                switch (p->type) {
                case MC_PARAM_BOOL:
                        sp.kind = MC_SRC_BOOL;
                        sp.b = v.b;
                        break;
                case MC_PARAM_INT:
                        sp.kind = MC_SRC_INT;
                        sp.i = v.i;
                        break;
                case MC_PARAM_STR:
                        sp.kind = MC_SRC_STR;
                        sp.s = v.s;
                        break;
                }
                mc_src_device_add_param(d, &sp);
                mc_value_clear(&v);
        }
        return g_steal_pointer(&d);
}
