/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Cross-check against mdevctl, the reference tool: on a testbed with every
 * parent family, `mdevctl types --dumpjson` and `mdevctl list --dumpjson`
 * (run as a child, so it inherits the umockdev preload and sees the same
 * fake /sys) must report what our enumeration reports. Exits 77 (ctest:
 * skipped) with the reason when mdevctl is not installed. */

#include <check.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc-error.h"
#include "mc-test-main.h"
#include "mdev-source.h"
#include "testbed.h"

static const char *mdevctl_path(void) {
        static const char *const candidates[] = { "/usr/sbin/mdevctl", "/usr/bin/mdevctl", NULL };
        for (guint i = 0; candidates[i]; i++)
                if (g_file_test(candidates[i], G_FILE_TEST_IS_EXECUTABLE))
                        return candidates[i];
        return NULL;
}

static void rec_put(void *ud, McImpl *impl) {
        g_hash_table_replace(ud, g_strdup(impl->id), impl);
}

static void rec_remove(void *ud, const char *id) {
        g_hash_table_remove(ud, id);
}

static JsonNode *run_mdevctl(const char *const *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        g_autofree char *out = NULL, *err = NULL;
        int status;
        JsonNode *root;

        g_ptr_array_add(argv, (char *) mdevctl_path());
        for (; *args; args++)
                g_ptr_array_add(argv, (char *) *args);
        g_ptr_array_add(argv, NULL);
        /* The child inherits LD_PRELOAD and UMOCKDEV_DIR: it sees the
         * testbed, as any program started under umockdev does. */
        ck_assert_msg(g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error),
                      "cannot run mdevctl: %s", error ? error->message : "?");
        ck_assert_msg(g_spawn_check_wait_status(status, &error), "mdevctl failed: %s\n%s",
                      error->message, err);
        /* mdevctl prints nothing at all when there is nothing to list. */
        if (!*g_strstrip(out))
                return json_node_init_array(json_node_alloc(), json_array_new());
        root = json_from_string(out, &error);
        ck_assert_msg(root, "mdevctl printed no JSON: %s\n%s", error ? error->message : "?", out);
        return root;
}

/* mdevctl joins the lines of a multi-line description with ", ". */
static char *mdevctl_description(const char *d) {
        g_auto(GStrv) lines = g_strsplit(d, "\n", -1);
        return g_strjoinv(", ", lines);
}

static void build_host(McTestbed *tb) {
        g_autofree char *gvt = mc_testbed_add_gvt(tb, "0000:00:02.0");
        g_autofree char *acme = mc_testbed_add_acme(tb, "0000:5e:00.0");
        const char *const mig[] = { "device_model", MC_TESTBED_ACME_MODEL, "version", "v1", NULL };

        g_free(mc_testbed_add_mtty(tb));
        g_free(mc_testbed_add_mdpy(tb));
        g_free(mc_testbed_add_mbochs(tb));
        g_free(mc_testbed_add_nvidia(tb, "0000:3b:00.0"));
        g_free(mc_testbed_add_vfio_ap(tb));
        g_free(mc_testbed_add_vfio_ccw(tb, "0.0.0313"));
        g_free(mc_testbed_add_instance(tb, gvt, "i915-GVTg_V5_4",
                                       "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", NULL, false));
        g_free(mc_testbed_add_instance(tb, acme, "acme_vgpu-2",
                                       "4b20d080-1b54-4048-85b3-a6a62d165c01", mig, false));
}

static void check_type(GHashTable *published, const char *parent, const char *type_id,
                       JsonObject *attrs) {
        g_autofree char *id = mc_mdev_impl_id(parent, type_id);
        const McImpl *impl = g_hash_table_lookup(published, id);

        ck_assert_msg(impl, "mdevctl lists %s, we do not", id);
        ck_assert_int_eq(json_object_get_int_member(attrs, "available_instances"),
                         impl->available);
        ck_assert_pstr_eq(json_object_get_string_member(attrs, "device_api"), impl->device_api);
        if (json_object_has_member(attrs, "name"))
                ck_assert_pstr_eq(json_object_get_string_member(attrs, "name"), impl->name);
        else
                ck_assert_ptr_null(impl->name);
        if (json_object_has_member(attrs, "description")) {
                g_autofree char *d = NULL;
                ck_assert_ptr_nonnull(impl->description);
                d = mdevctl_description(impl->description);
                ck_assert_str_eq(json_object_get_string_member(attrs, "description"), d);
        } else {
                ck_assert_ptr_null(impl->description);
        }
}

static void check_instance(McMdevSource *src, GHashTable *published, const char *parent,
                           const char *uuid, JsonObject *attrs) {
        const char *type_id = json_object_get_string_member(attrs, "mdev_type");
        g_autofree char *id = mc_mdev_impl_id(parent, type_id);
        g_autoptr(McSrcDevice) d = NULL;
        g_autoptr(GError) error = NULL;

        ck_assert_msg(g_hash_table_contains(published, id), "%s", id);
        /* We know the instance: describing it either works or says why its
         * type is not migratable, never "no such instance". */
        d = mc_mdev_source_describe(src, uuid, &error);
        if (!d)
                ck_assert_msg(g_error_matches(error, MC_ERROR, MC_ERROR_VALUE), "%s: %s", uuid,
                              error->message);
        else
                ck_assert_str_eq(d->model, MC_TESTBED_ACME_MODEL);
}

START_TEST(test_types_match_mdevctl) {
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(GHashTable) published = g_hash_table_new_full(
                g_str_hash, g_str_equal, g_free, (GDestroyNotify) mc_impl_unref);
        g_autoptr(McMdevSource) src = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) root = NULL;
        const McMdevSourceOps ops = { .put = rec_put, .remove = rec_remove };
        const char *const args[] = { "types", "--dumpjson", NULL };
        guint n_parents = 0, n_types = 0;
        JsonArray *parents;

        build_host(tb);
        src = mc_mdev_source_new(&ops, published, &error);
        ck_assert_ptr_nonnull(src);
        mc_mdev_source_rescan_all(src);

        /* [ { "<parent>": [ { "<type-id>": { "available_instances": N,
         *     "device_api": "...", "name": "...", "description": "..." } } ],
         *     "<parent>": ... } ]: every level may hold several members. */
        root = run_mdevctl(args);
        ck_assert(JSON_NODE_HOLDS_ARRAY(root));
        parents = json_node_get_array(root);
        for (guint i = 0; i < json_array_get_length(parents); i++) {
                JsonObject *po = json_array_get_object_element(parents, i);
                g_autoptr(GList) pnames = json_object_get_members(po);

                for (GList *pl = pnames; pl; pl = pl->next) {
                        const char *parent = pl->data;
                        JsonArray *types = json_object_get_array_member(po, parent);

                        n_parents++;
                        for (guint k = 0; k < json_array_get_length(types); k++) {
                                JsonObject *to = json_array_get_object_element(types, k);
                                g_autoptr(GList) tnames = json_object_get_members(to);

                                for (GList *tl = tnames; tl; tl = tl->next) {
                                        check_type(published, parent, tl->data,
                                                   json_object_get_object_member(to, tl->data));
                                        n_types++;
                                }
                        }
                }
        }
        /* ... and nothing that mdevctl does not list. */
        ck_assert_uint_eq(n_parents, 8);
        ck_assert_uint_eq(n_parents, mc_mdev_source_n_parents(src));
        ck_assert_uint_eq(n_types, g_hash_table_size(published));
        ck_assert_uint_eq(n_types, 21);
}
END_TEST

START_TEST(test_instances_match_mdevctl) {
        g_autoptr(McTestbed) tb = mc_testbed_new();
        g_autoptr(GHashTable) published = g_hash_table_new_full(
                g_str_hash, g_str_equal, g_free, (GDestroyNotify) mc_impl_unref);
        g_autoptr(McMdevSource) src = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) root = NULL;
        const McMdevSourceOps ops = { .put = rec_put, .remove = rec_remove };
        const char *const args[] = { "list", "--dumpjson", NULL };
        guint n = 0;
        JsonArray *parents;

        build_host(tb);
        src = mc_mdev_source_new(&ops, published, &error);
        mc_mdev_source_rescan_all(src);

        /* [ { "<parent>": [ { "<uuid>": { "mdev_type": "...", ... } } ], ... } ] */
        root = run_mdevctl(args);
        parents = json_node_get_array(root);
        for (guint i = 0; i < json_array_get_length(parents); i++) {
                JsonObject *po = json_array_get_object_element(parents, i);
                g_autoptr(GList) pnames = json_object_get_members(po);

                for (GList *pl = pnames; pl; pl = pl->next) {
                        JsonArray *devs = json_object_get_array_member(po, pl->data);

                        for (guint k = 0; k < json_array_get_length(devs); k++) {
                                JsonObject *dobj = json_array_get_object_element(devs, k);
                                g_autoptr(GList) unames = json_object_get_members(dobj);

                                for (GList *ul = unames; ul; ul = ul->next) {
                                        check_instance(src, published, pl->data, ul->data,
                                                       json_object_get_object_member(dobj,
                                                                                     ul->data));
                                        n++;
                                }
                        }
                }
        }
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(n, mc_mdev_source_n_instances(src));
}
END_TEST

int main(void) {
        Suite *s = suite_create("mdevctl");
        TCase *tc = tcase_create("mdevctl");

        if (!mdevctl_path()) {
                printf("SKIP: mdevctl is not installed (looked for /usr/sbin/mdevctl and "
                       "/usr/bin/mdevctl; Debian package mdevctl)\n");
                return 77;
        }
        tcase_add_test(tc, test_types_match_mdevctl);
        tcase_add_test(tc, test_instances_match_mdevctl);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
