/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* org.migcompat.MigCompat1.Implementation: one object per (implementation,
 * device model), served by a fallback vtable straight from the registry, so
 * 10,000 implementations cost no per-object bus state. */

#include <string.h>

#include "bus-util.h"
#include "daemon.h"
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

static int prop_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                       sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        const McImpl *impl = o->impl;
        const McModel *m = obj_model(o);

        if (strcmp(property, "ID") == 0)
                return append_s(reply, impl->id);
        if (strcmp(property, "Kind") == 0)
                return append_s(reply, mc_kind_to_string(impl->kind));
        if (strcmp(property, "Model") == 0)
                return append_s(reply, m ? m->model : NULL);
        if (strcmp(property, "PreferredVersion") == 0)
                return append_s(reply, m && m->versions->len ? m->versions->pdata[0] : NULL);
        if (strcmp(property, "Source") == 0)
                return append_s(reply, mc_facts_from_to_string(impl->facts_from));
        if (strcmp(property, "SourceFile") == 0)
                return append_s(reply, impl->facts_file);
        if (strcmp(property, "NotMigratableReason") == 0)
                return append_s(reply, mc_impl_migratable(impl) ? NULL : impl->not_migratable_reason);
        if (strcmp(property, "Parent") == 0)
                return append_s(reply, impl->parent);
        if (strcmp(property, "TypeId") == 0)
                return append_s(reply, impl->type_id);
        if (strcmp(property, "Driver") == 0)
                return append_s(reply, impl->driver);
        if (strcmp(property, "Name") == 0)
                return append_s(reply, impl->name);
        if (strcmp(property, "Description") == 0)
                return append_s(reply, impl->description);
        if (strcmp(property, "DeviceAPI") == 0)
                return append_s(reply, impl->device_api);
        if (strcmp(property, "Descriptor") == 0)
                return append_s(reply, impl->descriptor);
        if (strcmp(property, "Binary") == 0)
                return append_s(reply, impl->binary);
        if (strcmp(property, "Address") == 0)
                return append_s(reply, mc_pairs_get(impl->identity, "address"));
        if (strcmp(property, "PhysicalFunction") == 0)
                return append_s(reply, mc_pairs_get(impl->identity, "pf"));
        if (strcmp(property, "IOMMUGroup") == 0)
                return append_s(reply, mc_pairs_get(impl->identity, "iommu-group"));
        if (strcmp(property, "DerivedVersionTemplate") == 0)
                return append_s(reply, m ? m->derived_template : NULL);
        return -EINVAL;
}

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
 * kinds); DerivedFrom: the values this object's derived version was made
 * of (empty when its versions are not derived). */
static int prop_pairs(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        const McModel *m = obj_model(o);

        if (strcmp(property, "Identity") == 0)
                return append_pairs(reply, o->impl->identity);
        return append_pairs(reply, m ? m->derived_from : NULL);
}

static int prop_bool(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        const McRegistryObject *o = userdata;
        const McModel *m = obj_model(o);

        if (strcmp(property, "Migratable") == 0)
                return sd_bus_message_append(reply, "b", (int) mc_impl_migratable(o->impl));
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

#define STRING_PROP(name) \
        SD_BUS_PROPERTY(name, "s", prop_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable impl_vtable[] = {
        SD_BUS_VTABLE_START(0),
        STRING_PROP("ID"),
        STRING_PROP("Kind"),
        STRING_PROP("Model"),
        SD_BUS_PROPERTY("Versions", "as", prop_versions, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        STRING_PROP("PreferredVersion"),
        SD_BUS_PROPERTY("Parameters", "a(ssvbvass)", prop_parameters, 0,
                        SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Capabilities", "as", prop_capabilities, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("CapabilitiesKnown", "b", prop_bool, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        STRING_PROP("Source"),
        STRING_PROP("SourceFile"),
        SD_BUS_PROPERTY("AvailableInstances", "x", prop_available, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Migratable", "b", prop_bool, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        STRING_PROP("NotMigratableReason"),
        STRING_PROP("Parent"),
        STRING_PROP("TypeId"),
        STRING_PROP("Driver"),
        STRING_PROP("Name"),
        STRING_PROP("Description"),
        STRING_PROP("DeviceAPI"),
        STRING_PROP("Descriptor"),
        STRING_PROP("Binary"),
        SD_BUS_PROPERTY("Arguments", "as", prop_arguments, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        STRING_PROP("Address"),
        STRING_PROP("PhysicalFunction"),
        STRING_PROP("IOMMUGroup"),
        SD_BUS_PROPERTY("Identity", "a{ss}", prop_pairs, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        STRING_PROP("DerivedVersionTemplate"),
        SD_BUS_PROPERTY("DerivedFrom", "a{ss}", prop_pairs, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
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
