/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* org.migcompat.MigCompat1.Implementation: one object per (implementation,
 * device model), served by a fallback vtable straight from the registry, so
 * 10,000 implementations cost no per-object bus state. */

#include "bus-impl.h"

#include <errno.h>

#include "bus-check.h"
#include "mc-config.h"
#include "mc-serialize.h"

static const McModel *obj_model(const McRegistryObject *o) {
        if (o->model < 0 || !o->impl->info)
                return NULL;
        return o->impl->info->models->pdata[o->model];
}

static int find_object(sd_bus *bus, const char *path, const char *interface, void *userdata,
                       void **ret_found, sd_bus_error *error) {
        McDaemon *d = userdata;
        const McRegistryObject *o = mc_registry_lookup(d->registry, path);

        if (!o)
                return 0;
        *ret_found = (void *) o;
        return 1;
}

static int enumerate_objects(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes,
                             sd_bus_error *error) {
        McDaemon *d = userdata;
        *ret_nodes = mc_registry_paths(d->registry);
        return 0;
}

/* ---- properties ------------------------------------------------------------- */

static int append_s(sd_bus_message *reply, const char *s) {
        return sd_bus_message_append(reply, "s", s ? s : "");
}

/* One getter per string property, each listed in the vtable: expr reads
 * the object o, its implementation impl and its model m (NULL for an
 * implementation without models); NULL is published as "". */
#define STRING_GETTER(fn, expr)                                                                        \
        static int fn(sd_bus *bus, const char *path, const char *interface, const char *property,    \
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {                    \
                const McRegistryObject *o = userdata;                                                  \
                const McImpl *impl = o->impl;                                                          \
                const McModel *m = obj_model(o);                                                       \
                (void) impl;                                                                           \
                (void) m;                                                                              \
                return append_s(reply, (expr));                                                        \
        }

STRING_GETTER(prop_id, impl->id)
STRING_GETTER(prop_kind, mc_kind_to_string(impl->kind))
STRING_GETTER(prop_model, m ? m->model : NULL)
STRING_GETTER(prop_preferred_version, m && m->versions->len ? m->versions->pdata[0] : NULL)
STRING_GETTER(prop_source, mc_facts_from_to_string(impl->facts_from))
STRING_GETTER(prop_source_file, impl->facts_file)
STRING_GETTER(prop_not_migratable_reason, mc_impl_migratable(impl) ? NULL : impl->not_migratable_reason)
STRING_GETTER(prop_parent, impl->parent)
STRING_GETTER(prop_type_id, impl->type_id)
STRING_GETTER(prop_driver, impl->driver)
STRING_GETTER(prop_name, impl->name)
STRING_GETTER(prop_description, impl->description)
STRING_GETTER(prop_device_api, impl->device_api)
STRING_GETTER(prop_descriptor, impl->descriptor)
STRING_GETTER(prop_binary, impl->binary)
STRING_GETTER(prop_address, mc_pairs_get(impl->identity, "address"))
STRING_GETTER(prop_physical_function, mc_pairs_get(impl->identity, "pf"))
STRING_GETTER(prop_iommu_group, mc_pairs_get(impl->identity, "iommu-group"))
STRING_GETTER(prop_derived_version_template, m ? m->derived_template : NULL)

static int prop_versions(sd_bus *bus, const char *path, const char *interface, const char *property,
                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const McModel *m = obj_model(userdata);
        g_autoptr(GPtrArray) v = g_ptr_array_new();

        for (guint i = 0; m && i < m->versions->len; i++)
                g_ptr_array_add(v, m->versions->pdata[i]);
        g_ptr_array_add(v, NULL);
        return sd_bus_message_append_strv(reply, (char **) v->pdata);
}

static int prop_arguments(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        char *empty[] = { NULL };
        return sd_bus_message_append_strv(reply, o->impl->args ? o->impl->args : empty);
}

static int append_value(sd_bus_message *reply, const McValue *v) {
        switch (v->type) {
        case MC_PARAM_BOOL:
                return sd_bus_message_append(reply, "v", "b", (int) v->b);
        case MC_PARAM_INT:
                return sd_bus_message_append(reply, "v", "x", v->i);
        case MC_PARAM_STR:
                return sd_bus_message_append(reply, "v", "s", v->s ? v->s : "");
        }
        return -EINVAL;
}

/* a(ssvbvass): name, type, init_value, has off_value, off_value (init_value
 * when there is none), allowed values as strings (empty: any), description. */
static int prop_parameters(sd_bus *bus, const char *path, const char *interface,
                           const char *property, sd_bus_message *reply, void *userdata,
                           sd_bus_error *error) {
        const McModel *m = obj_model(userdata);
        int r;

        r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "(ssvbvass)");
        if (r < 0)
                return r;
        for (guint i = 0; m && i < m->params->len; i++) {
                const McParam *p = m->params->pdata[i];
                g_autoptr(GPtrArray) allowed = mc_param_allowed_strv(p);

                g_ptr_array_add(allowed, NULL);
                r = sd_bus_message_open_container(reply, SD_BUS_TYPE_STRUCT, "ssvbvass");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "ss", p->name, mc_param_type_to_string(p->type));
                if (r >= 0)
                        r = append_value(reply, &p->init_value);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "b", (int) p->has_off);
                if (r >= 0)
                        r = append_value(reply, p->has_off ? &p->off_value : &p->init_value);
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, (char **) allowed->pdata);
                if (r >= 0)
                        r = append_s(reply, p->description);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int prop_capabilities(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        const McModel *m = obj_model(userdata);
        int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "s");

        if (r < 0)
                return r;
        for (unsigned c = 1; m && m->caps_known && c < MC_CAP_ALL; c <<= 1)
                if (m->caps & c) {
                        r = sd_bus_message_append(reply, "s", mc_cap_to_string(c));
                        if (r < 0)
                                return r;
                }
        return sd_bus_message_close_container(reply);
}

static int append_pairs(sd_bus_message *reply, const GPtrArray *pairs) {
        int r = sd_bus_message_open_container(reply, SD_BUS_TYPE_ARRAY, "{ss}");

        for (guint i = 0; r >= 0 && pairs && i < pairs->len; i++) {
                const McPair *p = pairs->pdata[i];
                r = sd_bus_message_append(reply, "{ss}", p->name, p->value);
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* Identity: a vfio-pci function's identity values (empty for other
 * kinds). */
static int prop_identity(sd_bus *bus, const char *path, const char *interface, const char *property,
                         sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        return append_pairs(reply, o->impl->identity);
}

/* DerivedFrom: the values this object's derived version was made of
 * (empty when its versions are not derived). */
static int prop_derived_from(sd_bus *bus, const char *path, const char *interface,
                             const char *property, sd_bus_message *reply, void *userdata,
                             sd_bus_error *error) {
        const McModel *m = obj_model(userdata);
        return append_pairs(reply, m ? m->derived_from : NULL);
}

static int prop_migratable(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        return sd_bus_message_append(reply, "b", (int) mc_impl_migratable(o->impl));
}

static int prop_capabilities_known(sd_bus *bus, const char *path, const char *interface,
                                   const char *property, sd_bus_message *reply, void *userdata,
                                   sd_bus_error *error) {
        const McModel *m = obj_model(userdata);
        return sd_bus_message_append(reply, "b", (int) (m && m->caps_known));
}

static int prop_available(sd_bus *bus, const char *path, const char *interface,
                          const char *property, sd_bus_message *reply, void *userdata,
                          sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        return sd_bus_message_append(reply, "x", o->impl->available);
}

/* ---- methods ----------------------------------------------------------------- */

/* A check against this implementation only: a source of another model is
 * told model-mismatch, one against a type without facts not-migratable. */
static int method_check(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        /* The vtable's slot carries the daemon; the object, only the
         * implementation, whose id restricts the registry's catalog. */
        McDaemon *d = sd_bus_slot_get_userdata(sd_bus_get_current_slot(sd_bus_message_get_bus(m)));
        McCheckOptions opts = { .only_impl = o->impl->id };
        const char *text;
        int r;

        r = sd_bus_message_read(m, "s", &text);
        if (r < 0)
                return r;
        return mc_bus_answer_check(d, m, text, "Check argument", &opts, error);
}

#define PROP(name, sig, getter) SD_BUS_PROPERTY(name, sig, getter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable impl_vtable[] = {
        SD_BUS_VTABLE_START(0),
        PROP("ID", "s", prop_id),
        PROP("Kind", "s", prop_kind),
        PROP("Model", "s", prop_model),
        PROP("Versions", "as", prop_versions),
        PROP("PreferredVersion", "s", prop_preferred_version),
        PROP("Parameters", "a(ssvbvass)", prop_parameters),
        PROP("Capabilities", "as", prop_capabilities),
        PROP("CapabilitiesKnown", "b", prop_capabilities_known),
        PROP("Source", "s", prop_source),
        PROP("SourceFile", "s", prop_source_file),
        PROP("AvailableInstances", "x", prop_available),
        PROP("Migratable", "b", prop_migratable),
        PROP("NotMigratableReason", "s", prop_not_migratable_reason),
        PROP("Parent", "s", prop_parent),
        PROP("TypeId", "s", prop_type_id),
        PROP("Driver", "s", prop_driver),
        PROP("Name", "s", prop_name),
        PROP("Description", "s", prop_description),
        PROP("DeviceAPI", "s", prop_device_api),
        PROP("Descriptor", "s", prop_descriptor),
        PROP("Binary", "s", prop_binary),
        PROP("Arguments", "as", prop_arguments),
        PROP("Address", "s", prop_address),
        PROP("PhysicalFunction", "s", prop_physical_function),
        PROP("IOMMUGroup", "s", prop_iommu_group),
        PROP("Identity", "a{ss}", prop_identity),
        PROP("DerivedVersionTemplate", "s", prop_derived_version_template),
        PROP("DerivedFrom", "a{ss}", prop_derived_from),
        SD_BUS_METHOD_WITH_ARGS("Check", SD_BUS_ARGS("s", source), SD_BUS_RESULT("s", result),
                                method_check, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int mc_bus_impl_register(McDaemon *d) {
        int r;

        r = sd_bus_add_fallback_vtable(d->bus, NULL, MC_BUS_IMPL_PREFIX, MC_BUS_IMPL_IFACE, impl_vtable,
                                       find_object, d);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(d->bus, NULL, MC_BUS_IMPL_PREFIX, enumerate_objects, d);
}
