/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* JSON writers. Member order is fixed so that output can be diffed and
 * compared byte for byte between runs and hosts. */

#include "mc-serialize.h"

#include "mc-json-writer.h"

static void add_string_or_null(JsonBuilder *b, const char *member, const char *value) {
        json_builder_set_member_name(b, member);
        if (value)
                json_builder_add_string_value(b, value);
        else
                json_builder_add_null_value(b);
}

static void add_optional_string(JsonBuilder *b, const char *member, const char *value) {
        if (!value)
                return;
        json_builder_set_member_name(b, member);
        json_builder_add_string_value(b, value);
}

static void add_value(JsonBuilder *b, const McValue *v) {
        switch (v->type) {
        case MC_PARAM_BOOL:
                json_builder_add_boolean_value(b, v->b);
                break;
        case MC_PARAM_INT:
                json_builder_add_int_value(b, v->i);
                break;
        case MC_PARAM_STR:
                json_builder_add_string_value(b, v->s ? v->s : "");
                break;
        }
}

static void build_param(JsonBuilder *b, const McParam *p) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "type");
        json_builder_add_string_value(b, mc_param_type_to_string(p->type));
        json_builder_set_member_name(b, "init_value");
        add_value(b, &p->init_value);
        if (p->has_off) {
                json_builder_set_member_name(b, "off_value");
                add_value(b, &p->off_value);
        }
        if (p->has_allowed) {
                json_builder_set_member_name(b, "allowed_values");
                json_builder_begin_array(b);
                switch (p->type) {
                case MC_PARAM_BOOL:
                        if (p->allowed_bools & 2u)
                                json_builder_add_boolean_value(b, true);
                        if (p->allowed_bools & 1u)
                                json_builder_add_boolean_value(b, false);
                        break;
                case MC_PARAM_INT:
                        for (guint i = 0; i < p->allowed_ranges->len; i++) {
                                const McIntRange *r = &g_array_index(p->allowed_ranges, McIntRange, i);
                                if (r->min == r->max) {
                                        json_builder_add_int_value(b, r->min);
                                } else {
                                        g_autofree char *s = g_strdup_printf(
                                                "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, r->min,
                                                r->max);
                                        json_builder_add_string_value(b, s);
                                }
                        }
                        break;
                case MC_PARAM_STR:
                        for (guint i = 0; i < p->allowed_strs->len; i++)
                                json_builder_add_string_value(b, p->allowed_strs->pdata[i]);
                        break;
                }
                json_builder_end_array(b);
        }
        add_optional_string(b, "description", p->description);
        json_builder_end_object(b);
}

static void build_pairs(JsonBuilder *b, const GPtrArray *pairs) {
        json_builder_begin_object(b);
        for (guint i = 0; pairs && i < pairs->len; i++) {
                const McPair *p = pairs->pdata[i];
                json_builder_set_member_name(b, p->name);
                json_builder_add_string_value(b, p->value);
        }
        json_builder_end_object(b);
}

void mc_info_build_models(JsonBuilder *b, const McInfo *info) {
        json_builder_begin_object(b);
        for (guint i = 0; info && i < info->models->len; i++) {
                const McModel *m = info->models->pdata[i];

                json_builder_set_member_name(b, m->model);
                json_builder_begin_object(b);
                if (m->versions->len > 0) {
                        json_builder_set_member_name(b, "versions");
                        json_builder_begin_array(b);
                        for (guint k = 0; k < m->versions->len; k++)
                                json_builder_add_string_value(b, m->versions->pdata[k]);
                        json_builder_end_array(b);
                }
                if (m->params->len > 0) {
                        json_builder_set_member_name(b, "params");
                        json_builder_begin_object(b);
                        for (guint k = 0; k < m->params->len; k++) {
                                const McParam *p = m->params->pdata[k];
                                json_builder_set_member_name(b, p->name);
                                build_param(b, p);
                        }
                        json_builder_end_object(b);
                }
                if (m->derived_template) {
                        json_builder_set_member_name(b, "derived-version");
                        json_builder_add_string_value(b, m->derived_template);
                }
                if (m->derived_from) {
                        json_builder_set_member_name(b, "derived-from");
                        build_pairs(b, m->derived_from);
                }
                if (m->caps_known) {
                        json_builder_set_member_name(b, "x-capabilities");
                        json_builder_begin_array(b);
                        for (unsigned c = 1; c < MC_CAP_ALL; c <<= 1)
                                if (m->caps & c)
                                        json_builder_add_string_value(b, mc_cap_to_string(c));
                        json_builder_end_array(b);
                }
                json_builder_end_object(b);
        }
        json_builder_end_object(b);
}

static void build_src_param(JsonBuilder *b, const McSrcParam *p) {
        switch (p->kind) {
        case MC_SRC_BOOL:
                json_builder_add_boolean_value(b, p->b);
                break;
        case MC_SRC_INT:
                json_builder_add_int_value(b, p->i);
                break;
        case MC_SRC_STR:
                json_builder_add_string_value(b, p->s);
                break;
        }
}

static void build_caps_array(JsonBuilder *b, unsigned caps) {
        json_builder_begin_array(b);
        for (unsigned c = 1; c < MC_CAP_ALL; c <<= 1)
                if (caps & c)
                        json_builder_add_string_value(b, mc_cap_to_string(c));
        json_builder_end_array(b);
}

void mc_source_build(JsonBuilder *b, const McSource *src) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        for (guint i = 0; i < src->devices->len; i++) {
                const McSrcDevice *d = src->devices->pdata[i];
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "id");
                json_builder_add_string_value(b, d->id);
                json_builder_set_member_name(b, "model");
                json_builder_add_string_value(b, d->model);
                add_optional_string(b, "version", d->version);
                json_builder_set_member_name(b, "params");
                json_builder_begin_object(b);
                for (guint k = 0; k < d->params->len; k++) {
                        const McSrcParam *p = d->params->pdata[k];
                        json_builder_set_member_name(b, p->name);
                        build_src_param(b, p);
                }
                json_builder_end_object(b);
                if (d->requires) {
                        json_builder_set_member_name(b, "requires");
                        build_caps_array(b, d->requires);
                }
                if (d->derived_from) {
                        json_builder_set_member_name(b, "derived-from");
                        build_pairs(b, d->derived_from);
                }
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
}

static void build_reasons(JsonBuilder *b, GPtrArray *reasons) {
        json_builder_begin_array(b);
        for (guint i = 0; i < reasons->len; i++) {
                const McReason *r = reasons->pdata[i];
                json_builder_begin_object(b);
                json_builder_set_member_name(b, "code");
                json_builder_add_string_value(b, mc_reason_code_to_string(r->code));
                json_builder_set_member_name(b, "message");
                json_builder_add_string_value(b, r->message);
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
}

static void build_recipe(JsonBuilder *b, const McRecipe *r) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, mc_kind_to_string(r->kind));
        if (r->kind == MC_KIND_VFIO_PCI) {
                add_string_or_null(b, "address", r->address);
                add_string_or_null(b, "driver", r->driver);
        } else if (r->kind == MC_KIND_MDEV) {
                json_builder_set_member_name(b, "parent");
                json_builder_add_string_value(b, r->parent);
                json_builder_set_member_name(b, "type");
                json_builder_add_string_value(b, r->type_id);
                json_builder_set_member_name(b, "create");
                json_builder_add_string_value(b, r->create_path);
                json_builder_set_member_name(b, "writes");
                json_builder_begin_array(b);
                for (guint i = 0; i < r->writes->len; i++) {
                        const McWrite *w = r->writes->pdata[i];
                        json_builder_begin_object(b);
                        json_builder_set_member_name(b, "attribute");
                        json_builder_add_string_value(b, w->attribute);
                        json_builder_set_member_name(b, "value");
                        json_builder_add_string_value(b, w->value);
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
        } else {
                json_builder_set_member_name(b, "argv");
                json_builder_begin_array(b);
                for (char **a = r->argv; a && *a; a++)
                        json_builder_add_string_value(b, *a);
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
}

void mc_check_result_build(JsonBuilder *b, const McCheckResult *r) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "verdict");
        json_builder_add_string_value(b, mc_verdict_to_string(r->verdict));
        json_builder_set_member_name(b, "generation");
        json_builder_add_int_value(b, (gint64) r->generation);
        json_builder_set_member_name(b, "devices");
        json_builder_begin_array(b);
        for (guint i = 0; i < r->devices->len; i++) {
                const McDeviceResult *d = r->devices->pdata[i];
                const McCandidate *chosen = d->chosen >= 0 ? d->candidates->pdata[d->chosen] : NULL;

                json_builder_begin_object(b);
                json_builder_set_member_name(b, "id");
                json_builder_add_string_value(b, d->id);
                json_builder_set_member_name(b, "model");
                json_builder_add_string_value(b, d->model);
                add_string_or_null(b, "version", d->version);
                json_builder_set_member_name(b, "verdict");
                json_builder_add_string_value(b, mc_verdict_to_string(d->verdict));
                add_string_or_null(b, "implementation", chosen ? chosen->impl->id : NULL);
                json_builder_set_member_name(b, "reasons");
                build_reasons(b, d->reasons);
                json_builder_set_member_name(b, "candidates");
                json_builder_begin_array(b);
                for (guint k = 0; k < d->candidates->len; k++) {
                        const McCandidate *c = d->candidates->pdata[k];
                        json_builder_begin_object(b);
                        json_builder_set_member_name(b, "implementation");
                        json_builder_add_string_value(b, c->impl->id);
                        json_builder_set_member_name(b, "kind");
                        json_builder_add_string_value(b, mc_kind_to_string(c->impl->kind));
                        json_builder_set_member_name(b, "facts-from");
                        json_builder_add_string_value(b, mc_facts_from_to_string(c->impl->facts_from));
                        json_builder_set_member_name(b, "verdict");
                        json_builder_add_string_value(b, mc_verdict_to_string(c->verdict));
                        json_builder_set_member_name(b, "reasons");
                        build_reasons(b, c->reasons);
                        json_builder_set_member_name(b, "recipe");
                        if (c->recipe)
                                build_recipe(b, c->recipe);
                        else
                                json_builder_add_null_value(b);
                        if (c->notes && c->notes->len > 0) {
                                json_builder_set_member_name(b, "notes");
                                build_reasons(b, c->notes);
                        }
                        json_builder_end_object(b);
                }
                json_builder_end_array(b);
                if (d->omitted > 0) {
                        json_builder_set_member_name(b, "omitted-candidates");
                        json_builder_add_int_value(b, d->omitted);
                }
                json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
}

/* ---- the check result, written directly -------------------------------------- */

/* The same document as mc_check_result_build(), member for member: this
 * one answers every check, so it writes text without building a tree. */

static void write_reasons(McJsonWriter *w, GPtrArray *reasons) {
        mc_json_writer_begin_array(w);
        for (guint i = 0; i < reasons->len; i++) {
                const McReason *r = reasons->pdata[i];
                mc_json_writer_begin_object(w);
                mc_json_writer_member_string(w, "code", mc_reason_code_to_string(r->code));
                mc_json_writer_member_string(w, "message", r->message);
                mc_json_writer_end_object(w);
        }
        mc_json_writer_end_array(w);
}

static void write_recipe(McJsonWriter *w, const McRecipe *r) {
        mc_json_writer_begin_object(w);
        mc_json_writer_member_string(w, "kind", mc_kind_to_string(r->kind));
        if (r->kind == MC_KIND_VFIO_PCI) {
                mc_json_writer_name(w, "address");
                mc_json_writer_string_or_null(w, r->address);
                mc_json_writer_name(w, "driver");
                mc_json_writer_string_or_null(w, r->driver);
        } else if (r->kind == MC_KIND_MDEV) {
                mc_json_writer_member_string(w, "parent", r->parent);
                mc_json_writer_member_string(w, "type", r->type_id);
                mc_json_writer_member_string(w, "create", r->create_path);
                mc_json_writer_name(w, "writes");
                mc_json_writer_begin_array(w);
                for (guint i = 0; i < r->writes->len; i++) {
                        const McWrite *wr = r->writes->pdata[i];
                        mc_json_writer_begin_object(w);
                        mc_json_writer_member_string(w, "attribute", wr->attribute);
                        mc_json_writer_member_string(w, "value", wr->value);
                        mc_json_writer_end_object(w);
                }
                mc_json_writer_end_array(w);
        } else {
                mc_json_writer_name(w, "argv");
                mc_json_writer_begin_array(w);
                for (char **a = r->argv; a && *a; a++)
                        mc_json_writer_string(w, *a);
                mc_json_writer_end_array(w);
        }
        mc_json_writer_end_object(w);
}

static void write_check_result(McJsonWriter *w, const McCheckResult *r) {
        mc_json_writer_begin_object(w);
        mc_json_writer_member_string(w, "verdict", mc_verdict_to_string(r->verdict));
        mc_json_writer_member_int(w, "generation", (int64_t) r->generation);
        mc_json_writer_name(w, "devices");
        mc_json_writer_begin_array(w);
        for (guint i = 0; i < r->devices->len; i++) {
                const McDeviceResult *d = r->devices->pdata[i];
                const McCandidate *chosen = d->chosen >= 0 ? d->candidates->pdata[d->chosen] : NULL;

                mc_json_writer_begin_object(w);
                mc_json_writer_member_string(w, "id", d->id);
                mc_json_writer_member_string(w, "model", d->model);
                mc_json_writer_name(w, "version");
                mc_json_writer_string_or_null(w, d->version);
                mc_json_writer_member_string(w, "verdict", mc_verdict_to_string(d->verdict));
                mc_json_writer_name(w, "implementation");
                mc_json_writer_string_or_null(w, chosen ? chosen->impl->id : NULL);
                mc_json_writer_name(w, "reasons");
                write_reasons(w, d->reasons);
                mc_json_writer_name(w, "candidates");
                mc_json_writer_begin_array(w);
                for (guint k = 0; k < d->candidates->len; k++) {
                        const McCandidate *c = d->candidates->pdata[k];
                        mc_json_writer_begin_object(w);
                        mc_json_writer_member_string(w, "implementation", c->impl->id);
                        mc_json_writer_member_string(w, "kind", mc_kind_to_string(c->impl->kind));
                        mc_json_writer_member_string(w, "facts-from",
                                                     mc_facts_from_to_string(c->impl->facts_from));
                        mc_json_writer_member_string(w, "verdict", mc_verdict_to_string(c->verdict));
                        mc_json_writer_name(w, "reasons");
                        write_reasons(w, c->reasons);
                        mc_json_writer_name(w, "recipe");
                        if (c->recipe)
                                write_recipe(w, c->recipe);
                        else
                                mc_json_writer_null(w);
                        if (c->notes && c->notes->len > 0) {
                                mc_json_writer_name(w, "notes");
                                write_reasons(w, c->notes);
                        }
                        mc_json_writer_end_object(w);
                }
                mc_json_writer_end_array(w);
                if (d->omitted > 0)
                        mc_json_writer_member_int(w, "omitted-candidates", d->omitted);
                mc_json_writer_end_object(w);
        }
        mc_json_writer_end_array(w);
        mc_json_writer_end_object(w);
}

void mc_impl_build(JsonBuilder *b, const McImpl *impl) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, impl->id);
        json_builder_set_member_name(b, "kind");
        json_builder_add_string_value(b, mc_kind_to_string(impl->kind));
        json_builder_set_member_name(b, "identity");
        json_builder_begin_object(b);
        if (impl->kind == MC_KIND_VFIO_PCI) {
                for (guint i = 0; impl->identity && i < impl->identity->len; i++) {
                        const McPair *p = impl->identity->pdata[i];
                        json_builder_set_member_name(b, p->name);
                        json_builder_add_string_value(b, p->value);
                }
        } else if (impl->kind == MC_KIND_MDEV) {
                add_optional_string(b, "parent", impl->parent);
                add_optional_string(b, "type-id", impl->type_id);
                add_optional_string(b, "driver", impl->driver);
                add_optional_string(b, "name", impl->name);
                add_optional_string(b, "description", impl->description);
                add_optional_string(b, "device-api", impl->device_api);
        } else {
                add_optional_string(b, "descriptor", impl->descriptor);
                add_optional_string(b, "binary", impl->binary);
                json_builder_set_member_name(b, "args");
                json_builder_begin_array(b);
                for (char **a = impl->args; a && *a; a++)
                        json_builder_add_string_value(b, *a);
                json_builder_end_array(b);
        }
        json_builder_end_object(b);
        json_builder_set_member_name(b, "models");
        mc_info_build_models(b, impl->info);
        json_builder_set_member_name(b, "available-instances");
        json_builder_add_int_value(b, impl->available);
        json_builder_set_member_name(b, "facts-from");
        json_builder_add_string_value(b, mc_facts_from_to_string(impl->facts_from));
        add_optional_string(b, "facts-file", impl->facts_file);
        add_string_or_null(b, "not-migratable-reason",
                           mc_impl_migratable(impl) ? NULL : impl->not_migratable_reason);
        json_builder_end_object(b);
}

char *mc_json_builder_to_string(JsonBuilder *b, bool pretty) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        g_autoptr(JsonNode) root = json_builder_get_root(b);

        json_generator_set_pretty(gen, pretty);
        json_generator_set_indent(gen, 2);
        json_generator_set_root(gen, root);
        return json_generator_to_data(gen, NULL);
}

char *mc_info_to_json(const McInfo *info, bool pretty) {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "models");
        mc_info_build_models(b, info);
        json_builder_end_object(b);
        return mc_json_builder_to_string(b, pretty);
}

char *mc_source_to_json(const McSource *src, bool pretty) {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();
        mc_source_build(b, src);
        return mc_json_builder_to_string(b, pretty);
}

void mc_check_result_write_json(const McCheckResult *r, GString *out) {
        McJsonWriter w;

        mc_json_writer_init(&w, out);
        write_check_result(&w, r);
}

char *mc_check_result_to_json(const McCheckResult *r, bool pretty) {
        if (!pretty) {
                GString *out = g_string_sized_new(1024);
                mc_check_result_write_json(r, out);
                return g_string_free(out, false);
        }
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();
        mc_check_result_build(b, r);
        return mc_json_builder_to_string(b, pretty);
}

char *mc_profile_to_json(const McCatalog *cat, const char *hostname, const char *machine_id,
                         const char *daemon_version, bool pretty) {
        return mc_profile_to_json_at(cat, hostname, machine_id, daemon_version, -1, pretty);
}

char *mc_profile_to_json_at(const McCatalog *cat, const char *hostname, const char *machine_id,
                            const char *daemon_version, gint64 exported_at, bool pretty) {
        g_autoptr(JsonBuilder) b = json_builder_new_immutable();
        g_autoptr(GPtrArray) list = mc_catalog_list(cat);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "host");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "hostname");
        json_builder_add_string_value(b, hostname ? hostname : "");
        json_builder_set_member_name(b, "machine-id");
        json_builder_add_string_value(b, machine_id ? machine_id : "");
        json_builder_set_member_name(b, "generation");
        json_builder_add_int_value(b, (gint64) mc_catalog_generation(cat));
        json_builder_set_member_name(b, "daemon-version");
        json_builder_add_string_value(b, daemon_version ? daemon_version : "");
        if (exported_at >= 0) {
                g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(exported_at);
                g_autofree char *text = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
                if (text) {
                        json_builder_set_member_name(b, "exported-at");
                        json_builder_add_string_value(b, text);
                }
        }
        json_builder_end_object(b);
        json_builder_set_member_name(b, "implementations");
        json_builder_begin_array(b);
        for (guint i = 0; i < list->len; i++)
                mc_impl_build(b, list->pdata[i]);
        json_builder_end_array(b);
        json_builder_end_object(b);
        return mc_json_builder_to_string(b, pretty);
}

McCatalog *mc_profile_to_catalog(McProfile *p) {
        McCatalog *cat = mc_catalog_new();

        for (guint i = 0; i < p->impls->len; i++) {
                McImpl *old = mc_catalog_put(cat, mc_impl_ref(p->impls->pdata[i]));
                if (old)
                        mc_impl_unref(old);
        }
        mc_catalog_set_generation(cat, p->generation);
        return cat;
}
