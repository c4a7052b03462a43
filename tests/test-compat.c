/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The compatibility engine: every verdict, every reason code with the
 * values it names, recipes, ranking and whole-VM instance allocation. */

#include "mc-test.h"

#define NIC "vendor-a.com/my-nic"

static const char *const nic_info =
        "{\"models\": {\"" NIC "\": {"
        "\"versions\": [\"v2\", \"v1\"],"
        "\"params\": {"
        "  \"new-feature\":   {\"type\": \"bool\", \"init_value\": true, \"off_value\": false},"
        "  \"num-resources\": {\"type\": \"int\", \"init_value\": 64, \"allowed_values\": [64]},"
        "  \"queues\":        {\"type\": \"int\", \"init_value\": 1, \"off_value\": 1, \"allowed_values\": [\"1-8\", 16]},"
        "  \"mode\":          {\"type\": \"str\", \"init_value\": \"fast\", \"off_value\": \"fast\", \"allowed_values\": [\"fast\", \"safe\"]}"
        "},"
        "\"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"dirty-tracking\"]}}}";

/* The same model without caps, with one version and no num-resources. */
static const char *const nic_info_old =
        "{\"models\": {\"" NIC "\": {"
        "\"versions\": [\"v1\"],"
        "\"params\": {"
        "  \"queues\": {\"type\": \"int\", \"init_value\": 1, \"off_value\": 1, \"allowed_values\": [\"1-4\"]}"
        "}}}}";

static McCheckResult *check(McCatalog *cat, const char *source_json, const char *only) {
        g_autoptr(McSource) src = test_source(source_json);
        /* Every candidate: these tests look at the whole ranking. */
        McCheckOptions opts = { .only_impl = only, .max_candidates = MC_CHECK_ALL_CANDIDATES };
        return mc_check(cat, src, &opts);
}

static const McDeviceResult *device(const McCheckResult *r, guint i) {
        ck_assert_uint_gt(r->devices->len, i);
        return r->devices->pdata[i];
}

static const McCandidate *chosen(const McDeviceResult *d) {
        ck_assert_int_ge(d->chosen, 0);
        return d->candidates->pdata[d->chosen];
}

static McCatalog *nic_catalog(void) {
        McCatalog *cat = mc_catalog_new();
        test_put(cat, test_mdev("0000:3b:00.0", "nic-vf", 4, MC_FACTS_DRIVER, nic_info));
        test_put(cat, test_vfio_user("vnic.json", "/usr/libexec/vnic", nic_info));
        test_put(cat, test_mdev("0000:00:02.0", "i915-GVTg_V5_4", 2, MC_FACTS_NONE, NULL));
        mc_catalog_set_generation(cat, 7);
        return cat;
}

START_TEST(compatible_recipes) {
        g_autoptr(McCatalog) cat = nic_catalog();
        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"hostdev0\", \"model\": \"" NIC "\", \"version\": \"v1\", "
                "\"params\": {\"queues\": 4, \"new-feature\": \"on\", \"num-resources\": \"64\"}, "
                "\"requires\": [\"pre-copy\"]}]}", NULL);
        const McDeviceResult *d = device(r, 0);
        const McCandidate *c, *v;
        const McRecipe *rec;

        ck_assert_int_eq(r->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_uint_eq(r->generation, 7);
        ck_assert_int_eq(d->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_uint_eq(d->candidates->len, 2); /* the GVT-g type is not a candidate */
        ck_assert_uint_eq(d->reasons->len, 0);

        c = test_find_candidate(d, "mdev:0000:3b:00.0:nic-vf");
        ck_assert_int_eq(c->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_uint_eq(c->reasons->len, 0);
        rec = c->recipe;
        ck_assert_str_eq(rec->parent, "0000:3b:00.0");
        ck_assert_str_eq(rec->type_id, "nic-vf");
        ck_assert_str_eq(rec->create_path, "/sys/class/mdev_bus/0000:3b:00.0/mdev_supported_types/nic-vf/create");
        /* model, version, then each parameter once in name order: the
         * source's value, or the off_value when the source lacks it */
        static const char *const writes[][2] = {
                { "migration/device_model", NIC },
                { "migration/version", "v1" },
                { "migration/mode", "fast" },
                { "migration/new-feature", "on" },
                { "migration/num-resources", "64" },
                { "migration/queues", "4" },
        };
        ck_assert_uint_eq(rec->writes->len, G_N_ELEMENTS(writes));
        for (guint i = 0; i < G_N_ELEMENTS(writes); i++) {
                const McWrite *w = rec->writes->pdata[i];
                ck_assert_str_eq(w->attribute, writes[i][0]);
                ck_assert_str_eq(w->value, writes[i][1]);
        }

        v = test_find_candidate(d, "vfio-user:vnic");
        ck_assert_int_eq(v->verdict, MC_VERDICT_COMPATIBLE);
        g_autofree char *argv = g_strjoinv(" ", v->recipe->argv);
        ck_assert_str_eq(argv, "/usr/libexec/vnic --socket-dir /run/vfio-user --migration-model " NIC
                               " --migration-version v1 --m-mode=fast --m-new-feature=on"
                               " --m-num-resources=64 --m-queues=4");
}
END_TEST

/* Every subset of the parameters a source may leave out: each recipe, mdev
 * writes and vfio-user arguments alike, sets every parameter exactly once,
 * to the source's value or else to the off value. */
START_TEST(recipe_sets_each_param_once) {
        static const struct {
                const char *name, *json, *value, *off;
        } params[] = {
                { "mode", "\"safe\"", "safe", "fast" },
                { "new-feature", "true", "on", "off" },
                { "queues", "4", "4", "1" },
        };
        g_autoptr(McCatalog) cat = nic_catalog();

        for (guint set = 0; set < 1u << G_N_ELEMENTS(params); set++) {
                g_autoptr(GString) src = g_string_new("{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC
                                                      "\", \"version\": \"v1\", \"params\": {\"num-resources\": 64");
                g_autoptr(McCheckResult) r = NULL;
                const McDeviceResult *d;
                const McRecipe *mdev, *vu;
                g_autofree char *argv = NULL;

                for (guint i = 0; i < G_N_ELEMENTS(params); i++)
                        if (set & (1u << i))
                                g_string_append_printf(src, ", \"%s\": %s", params[i].name, params[i].json);
                g_string_append(src, "}}]}");
                r = check(cat, src->str, NULL);
                d = device(r, 0);
                ck_assert_msg(d->verdict == MC_VERDICT_COMPATIBLE, "%s", src->str);
                mdev = test_find_candidate(d, "mdev:0000:3b:00.0:nic-vf")->recipe;
                vu = test_find_candidate(d, "vfio-user:vnic")->recipe;
                argv = g_strjoinv(" ", vu->argv);

                /* model, version, and the four parameters: nothing more */
                ck_assert_msg(mdev->writes->len == 2 + G_N_ELEMENTS(params) + 1, "%s: %u writes", src->str,
                              mdev->writes->len);
                for (guint i = 0; i < G_N_ELEMENTS(params); i++) {
                        g_autofree char *attr = g_strconcat("migration/", params[i].name, NULL);
                        g_autofree char *arg = g_strdup_printf("--m-%s=", params[i].name);
                        const char *want = set & (1u << i) ? params[i].value : params[i].off;
                        g_autofree char *want_arg = g_strdup_printf(" --m-%s=%s", params[i].name, want);
                        guint n = 0;
                        const char *value = NULL;

                        for (guint w = 0; w < mdev->writes->len; w++) {
                                const McWrite *wr = mdev->writes->pdata[w];
                                if (strcmp(wr->attribute, attr) == 0) {
                                        n++;
                                        value = wr->value;
                                }
                        }
                        ck_assert_msg(n == 1, "%s: %s written %u times", src->str, attr, n);
                        ck_assert_msg(strcmp(value, want) == 0, "%s: %s = %s, want %s", src->str, attr, value,
                                      want);
                        ck_assert_msg(strstr(argv, arg) && strstr(argv, arg) == g_strrstr(argv, arg),
                                      "%s: %s not exactly once in %s", src->str, arg, argv);
                        ck_assert_msg(strstr(argv, want_arg), "%s: %s lacks%s", src->str, argv, want_arg);
                }
        }
}
END_TEST

START_TEST(data_file_recipe_writes_nothing) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("0000:00:02.0", "i915-GVTg_V5_4", 1, MC_FACTS_DATA_FILE,
                                "{\"models\": {\"intel.com/gvt-g/v5-4\": {\"versions\": [\"v1\"]}}}"));
        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"gpu\", \"model\": \"intel.com/gvt-g/v5-4\", \"version\": \"v1\"}]}", NULL);
        const McCandidate *c = chosen(device(r, 0));

        ck_assert_int_eq(r->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_str_eq(c->recipe->type_id, "i915-GVTg_V5_4");
        /* The type fixes model and state; the driver has no migration/ group. */
        ck_assert_uint_eq(c->recipe->writes->len, 0);
}
END_TEST

START_TEST(model_mismatch_device_level) {
        g_autoptr(McCatalog) cat = nic_catalog();
        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"gpu0\", \"model\": \"nvidia.com/vgpu/p4-1q\", \"version\": \"v1\"}]}", NULL);
        const McDeviceResult *d = device(r, 0);

        ck_assert_int_eq(r->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_int_eq(d->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_int_eq(d->chosen, -1);
        ck_assert_uint_eq(d->candidates->len, 0);
        ck_assert_contains(test_reason_message(d->reasons, MC_REASON_MODEL_MISMATCH),
                           "no implementation on this host offers device model nvidia.com/vgpu/p4-1q");
        /* The host has a type that says nothing: the admin is told. */
        ck_assert_contains(test_reason_message(d->reasons, MC_REASON_NOT_MIGRATABLE),
                           "1 implementation on this host publishes no migration facts");
}
END_TEST

START_TEST(targeted_check) {
        g_autoptr(McCatalog) cat = nic_catalog();
        g_autoptr(McCatalog) other = mc_catalog_new();
        test_put(cat, test_mdev("0000:41:00.0", "nvidia-63", 1, MC_FACTS_DATA_FILE,
                                "{\"models\": {\"nvidia.com/vgpu/p4-1q\": {\"versions\": [\"v1\"]}, "
                                "\"nvidia.com/vgpu/p4-1b\": {}}}"));
        const char *src = "{\"devices\": [{\"id\": \"nic\", \"model\": \"" NIC "\", \"version\": \"v1\", "
                          "\"params\": {\"num-resources\": 64}}]}";
        g_autoptr(McCheckResult) r1 = check(cat, src, "mdev:0000:41:00.0:nvidia-63");
        g_autoptr(McCheckResult) r2 = check(cat, src, "mdev:0000:00:02.0:i915-GVTg_V5_4");
        g_autoptr(McCheckResult) r3 = check(cat, src, "mdev:0000:3b:00.0:nic-vf");
        g_autoptr(McCheckResult) r4 = check(cat, src, "mdev:nope:nope");
        const McCandidate *c;

        c = device(r1, 0)->candidates->pdata[0];
        ck_assert_int_eq(c->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_uint_eq(c->reasons->len, 1);
        ck_assert_str_eq(test_reason_message(c->reasons, MC_REASON_MODEL_MISMATCH),
                         "source device model is " NIC "; this implementation offers nvidia.com/vgpu/p4-1q, nvidia.com/vgpu/p4-1b");

        c = device(r2, 0)->candidates->pdata[0];
        ck_assert_int_eq(c->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_str_eq(test_reason_message(c->reasons, MC_REASON_NOT_MIGRATABLE),
                         "driver testdrv publishes no migration facts");

        ck_assert_int_eq(r3->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_uint_eq(device(r3, 0)->candidates->len, 1);

        ck_assert_int_eq(r4->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_contains(test_reason_message(device(r4, 0)->reasons, MC_REASON_MODEL_MISMATCH),
                           "no implementation mdev:nope:nope");
        (void) other;
}
END_TEST

START_TEST(version_rules) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p", "t", 4, MC_FACTS_DRIVER,
                                "{\"models\": {\"" NIC "\": {\"versions\": [\"v2\", \"v1\"], \"params\": {\"queues\": "
                                "{\"type\": \"int\", \"init_value\": 1, \"off_value\": 1}}}}}"));
        test_put(cat, test_mdev("p", "v3only", 4, MC_FACTS_DRIVER,
                                "{\"models\": {\"" NIC "\": {\"params\": {\"queues\": "
                                "{\"type\": \"int\", \"init_value\": 1, \"off_value\": 1}}}}}"));

        g_autoptr(McCheckResult) r = check(cat, "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"v3\"}]}", NULL);
        const McDeviceResult *d = device(r, 0);
        ck_assert_int_eq(d->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_str_eq(test_reason_message(test_find_candidate(d, "mdev:p:t")->reasons, MC_REASON_VERSION_UNSUPPORTED),
                         "source state is version v3; this implementation loads v2, v1");
        ck_assert_contains(test_reason_message(test_find_candidate(d, "mdev:p:v3only")->reasons,
                                               MC_REASON_VERSION_UNSUPPORTED),
                           "publishes no version strings");

        /* A device that only uses parameters: any implementation of its model. */
        g_autoptr(McCheckResult) r2 = check(cat, "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\"}]}", NULL);
        ck_assert_int_eq(r2->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_uint_eq(device(r2, 0)->candidates->len, 2);
        ck_assert_int_eq(((McCandidate *) device(r2, 0)->candidates->pdata[1])->verdict, MC_VERDICT_COMPATIBLE);

        /* Exact strings only: "v1 " or "V1" are other versions. */
        g_autoptr(McCheckResult) r3 = check(cat, "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"V1\"}]}", NULL);
        ck_assert_int_eq(r3->verdict, MC_VERDICT_INCOMPATIBLE);
}
END_TEST

START_TEST(param_reasons) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p", "t", 4, MC_FACTS_DRIVER, nic_info));

        struct {
                const char *params;
                McReasonCode code;
                const char *message;
        } cases[] = {
                { "\"queues\": 32", MC_REASON_PARAM_OUT_OF_RANGE,
                  "source parameter queues=32 is outside the values allowed here: 1-8, 16" },
                { "\"queues\": \"0\"", MC_REASON_PARAM_OUT_OF_RANGE, "queues=0 is outside" },
                { "\"queues\": \"four\"", MC_REASON_PARAM_TYPE,
                  "source parameter queues=\"four\" is not of type int, as it is here" },
                { "\"queues\": true", MC_REASON_PARAM_TYPE, "queues=true is not of type int" },
                { "\"new-feature\": 1", MC_REASON_PARAM_TYPE, "new-feature=1 is not of type bool, as it is here (on/off, true/false)" },
                { "\"new-feature\": \"maybe\"", MC_REASON_PARAM_TYPE, "new-feature=\"maybe\"" },
                { "\"mode\": 3", MC_REASON_PARAM_TYPE, "mode=3 is not of type str" },
                { "\"mode\": \"slow\"", MC_REASON_PARAM_OUT_OF_RANGE, "mode=slow is outside the values allowed here: fast, safe" },
                { "\"num-resources\": 32", MC_REASON_PARAM_OUT_OF_RANGE, "num-resources=32 is outside the values allowed here: 64" },
                { "\"rss\": \"on\"", MC_REASON_PARAM_UNKNOWN,
                  "source parameter rss=\"on\" is unknown here; " NIC " takes mode, new-feature, num-resources, queues" },
        };
        for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *json = g_strdup_printf(
                        "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"params\": {\"num-resources\": 64, %s}}]}",
                        cases[i].params);
                /* num-resources appears twice in one case: use a plain source there */
                if (strstr(cases[i].params, "num-resources")) {
                        g_free(json);
                        json = g_strdup_printf("{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"params\": {%s}}]}",
                                               cases[i].params);
                }
                g_autoptr(McCheckResult) r = check(cat, json, NULL);
                const McCandidate *c = device(r, 0)->candidates->pdata[0];
                ck_assert_msg(c->verdict == MC_VERDICT_INCOMPATIBLE, "case %u compatible", i);
                ck_assert_uint_eq(c->reasons->len, 1);
                ck_assert_msg(test_has_reason(c->reasons, cases[i].code), "case %u: wrong code %s", i,
                              mc_reason_code_to_string(((McReason *) c->reasons->pdata[0])->code));
                ck_assert_contains(test_reason_message(c->reasons, cases[i].code), cases[i].message);
                ck_assert_ptr_null(c->recipe);
        }
}
END_TEST

START_TEST(param_missing) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p", "t", 4, MC_FACTS_DRIVER, nic_info));
        /* num-resources has no off_value: a source must say its value. */
        g_autoptr(McCheckResult) r = check(cat, "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"v2\"}]}", NULL);
        const McCandidate *c = device(r, 0)->candidates->pdata[0];

        ck_assert_int_eq(c->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_uint_eq(c->reasons->len, 1);
        ck_assert_str_eq(test_reason_message(c->reasons, MC_REASON_PARAM_MISSING),
                         "parameter num-resources is not set by the source and cannot be turned off here "
                         "(it has no off_value; its init_value is 64)");
}
END_TEST

START_TEST(every_reason_reported) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p", "old", 0, MC_FACTS_DRIVER,
                                "{\"models\": {\"" NIC "\": {\"versions\": [\"v1\"], \"params\": {"
                                "\"queues\": {\"type\": \"int\", \"init_value\": 1, \"allowed_values\": [\"1-4\"]},"
                                "\"mtu\": {\"type\": \"int\", \"init_value\": 1500}},"
                                "\"x-capabilities\": [\"stop-copy\"]}}}"));
        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"v2\", "
                "\"params\": {\"queues\": 8, \"rss\": true, \"mtu\": \"big\"}, \"requires\": [\"pre-copy\", \"p2p\"]}]}", NULL);
        const McCandidate *c = device(r, 0)->candidates->pdata[0];
        McReasonCode want[] = { MC_REASON_VERSION_UNSUPPORTED, MC_REASON_PARAM_TYPE,
                                MC_REASON_PARAM_OUT_OF_RANGE, MC_REASON_PARAM_UNKNOWN,
                                MC_REASON_CAPABILITY_MISSING };

        ck_assert_int_eq(c->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_uint_eq(c->reasons->len, G_N_ELEMENTS(want));
        for (guint i = 0; i < G_N_ELEMENTS(want); i++)
                ck_assert_msg(test_has_reason(c->reasons, want[i]), "missing %s",
                              mc_reason_code_to_string(want[i]));
        ck_assert_str_eq(test_reason_message(c->reasons, MC_REASON_CAPABILITY_MISSING),
                         "source requires pre-copy, p2p; this implementation lacks pre-copy, p2p (it has: stop-copy)");
        /* Incompatible already: instances are not even considered. */
        ck_assert(!test_has_reason(c->reasons, MC_REASON_NO_FREE_INSTANCE));
}
END_TEST

START_TEST(capability_unknown) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p", "old", 3, MC_FACTS_DRIVER, nic_info_old));
        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"v1\", \"requires\": [\"dirty-tracking\"]}]}", NULL);
        const McDeviceResult *d = device(r, 0);
        const McCandidate *c = chosen(d);

        /* Not known absent, not known present: unknown, with the recipe still given. */
        ck_assert_int_eq(r->verdict, MC_VERDICT_UNKNOWN);
        ck_assert_int_eq(d->verdict, MC_VERDICT_UNKNOWN);
        ck_assert_int_eq(c->verdict, MC_VERDICT_UNKNOWN);
        ck_assert_ptr_nonnull(c->recipe);
        ck_assert_contains(test_reason_message(c->reasons, MC_REASON_CAPABILITY_UNKNOWN),
                           "source requires dirty-tracking; this implementation does not say");

        /* A compatible candidate beats an unknown one. */
        test_put(cat, test_mdev("q", "new", 1, MC_FACTS_DRIVER, nic_info));
        g_autoptr(McCheckResult) r2 = check(cat,
                "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"v1\", \"requires\": [\"dirty-tracking\"], "
                "\"params\": {\"num-resources\": 64}}]}", NULL);
        ck_assert_int_eq(r2->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_str_eq(chosen(device(r2, 0))->impl->id, "mdev:q:new");
}
END_TEST

START_TEST(no_free_instance_single) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("0000:41:00.0", "nvidia-63", 0, MC_FACTS_DRIVER, nic_info_old));
        g_autoptr(McCheckResult) r = check(cat, "{\"devices\": [{\"id\": \"d\", \"model\": \"" NIC "\", \"version\": \"v1\"}]}", NULL);
        const McDeviceResult *d = device(r, 0);
        const McCandidate *c = d->candidates->pdata[0];

        ck_assert_int_eq(r->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_int_eq(d->chosen, -1);
        ck_assert_int_eq(c->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_str_eq(test_reason_message(c->reasons, MC_REASON_NO_FREE_INSTANCE),
                         "mdev type nvidia-63 on 0000:41:00.0 has no free instance");
        ck_assert_ptr_null(c->recipe);
}
END_TEST

START_TEST(vm_allocation_shares_instances) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p0", "t", 1, MC_FACTS_DRIVER, nic_info_old));
        const char *two = "{\"devices\": [{\"id\": \"hostdev0\", \"model\": \"" NIC "\", \"version\": \"v1\"}, "
                          "{\"id\": \"hostdev1\", \"model\": \"" NIC "\", \"version\": \"v1\"}]}";
        g_autoptr(McCheckResult) r = check(cat, two, NULL);

        /* One free instance, two devices: the second cannot land. */
        ck_assert_int_eq(r->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_int_eq(device(r, 0)->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_int_eq(device(r, 1)->verdict, MC_VERDICT_INCOMPATIBLE);
        ck_assert_str_eq(test_reason_message(((McCandidate *) device(r, 1)->candidates->pdata[0])->reasons,
                                             MC_REASON_NO_FREE_INSTANCE),
                         "mdev type t on p0 has 1 free instance, all needed by this VM's other devices (hostdev0)");

        /* A second parent with room: each device gets its own. */
        test_put(cat, test_mdev("p1", "t", 1, MC_FACTS_DRIVER, nic_info_old));
        g_autoptr(McCheckResult) r2 = check(cat, two, NULL);
        ck_assert_int_eq(r2->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_str_ne(chosen(device(r2, 0))->impl->id, chosen(device(r2, 1))->impl->id);

        /* Two instances on one type take both devices. */
        g_autoptr(McCatalog) cat2 = mc_catalog_new();
        test_put(cat2, test_mdev("p0", "t", 2, MC_FACTS_DRIVER, nic_info_old));
        g_autoptr(McCheckResult) r3 = check(cat2, two, NULL);
        ck_assert_int_eq(r3->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_str_eq(chosen(device(r3, 1))->impl->id, "mdev:p0:t");

        /* Programs have no instance limit. */
        g_autoptr(McCatalog) cat3 = mc_catalog_new();
        test_put(cat3, test_vfio_user("vnic.json", "/usr/libexec/vnic", nic_info_old));
        g_autoptr(McCheckResult) r4 = check(cat3, two, NULL);
        ck_assert_int_eq(r4->verdict, MC_VERDICT_COMPATIBLE);
}
END_TEST

START_TEST(vm_allocation_moves_devices) {
        /* "a" serves both models, "b" only the first. Device 0 prefers "a"
         * (by id); device 1 can only use "a"; one instance each. A greedy
         * pass fails; the matching moves device 0 to "b". */
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, test_mdev("p", "a", 1, MC_FACTS_DRIVER,
                                "{\"models\": {\"x.com/one\": {\"versions\": [\"v1\"]}, \"x.com/two\": {\"versions\": [\"v1\"]}}}"));
        test_put(cat, test_mdev("p", "b", 1, MC_FACTS_DRIVER,
                                "{\"models\": {\"x.com/one\": {\"versions\": [\"v1\"]}}}"));
        g_autoptr(McCheckResult) one = check(cat, "{\"devices\": [{\"id\": \"d0\", \"model\": \"x.com/one\", \"version\": \"v1\"}]}", NULL);
        ck_assert_str_eq(chosen(device(one, 0))->impl->id, "mdev:p:a");

        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"d0\", \"model\": \"x.com/one\", \"version\": \"v1\"}, "
                "{\"id\": \"d1\", \"model\": \"x.com/two\", \"version\": \"v1\"}]}", NULL);
        ck_assert_int_eq(r->verdict, MC_VERDICT_COMPATIBLE);
        ck_assert_str_eq(chosen(device(r, 0))->impl->id, "mdev:p:b");
        ck_assert_str_eq(chosen(device(r, 1))->impl->id, "mdev:p:a");
        /* The chosen candidate leads the list. */
        ck_assert_int_eq(device(r, 0)->chosen, 0);
}
END_TEST

START_TEST(ranking) {
        g_autoptr(McCatalog) cat = mc_catalog_new();
        const char *v12 = "{\"models\": {\"x.com/d\": {\"versions\": [\"v1\", \"v2\"]}}}";
        const char *v21 = "{\"models\": {\"x.com/d\": {\"versions\": [\"v2\", \"v1\"]}}}";
        test_put(cat, test_mdev("p", "datafile", 9, MC_FACTS_DATA_FILE, v21));
        test_put(cat, test_mdev("p", "driver-few", 1, MC_FACTS_DRIVER, v21));
        test_put(cat, test_mdev("p", "driver-many", 5, MC_FACTS_DRIVER, v21));
        test_put(cat, test_mdev("p", "driver-older-pref", 9, MC_FACTS_DRIVER, v12));
        test_put(cat, test_mdev("p", "full", 0, MC_FACTS_DRIVER, v21));
        test_put(cat, test_mdev("p", "wrong", 5, MC_FACTS_DRIVER, "{\"models\": {\"x.com/d\": {\"versions\": [\"v9\"]}}}"));

        g_autoptr(McCheckResult) r = check(cat, "{\"devices\": [{\"id\": \"d\", \"model\": \"x.com/d\", \"version\": \"v2\"}]}", NULL);
        const McDeviceResult *d = device(r, 0);
        const char *order[] = { "mdev:p:driver-many",  /* driver facts, v2 preferred, most room */
                                "mdev:p:driver-few",
                                "mdev:p:driver-older-pref", /* v2 is its second choice */
                                "mdev:p:datafile",    /* a data file's word comes after */
                                "mdev:p:full",        /* rejected: one reason each, by id */
                                "mdev:p:wrong" };
        ck_assert_uint_eq(d->candidates->len, G_N_ELEMENTS(order));
        for (guint i = 0; i < G_N_ELEMENTS(order); i++)
                ck_assert_str_eq(((McCandidate *) d->candidates->pdata[i])->impl->id, order[i]);
}
END_TEST

START_TEST(catalog_index) {
        g_autoptr(McCatalog) cat = nic_catalog();
        ck_assert_uint_eq(mc_catalog_size(cat), 3);
        ck_assert_uint_eq(mc_catalog_n_migratable(cat), 2);
        ck_assert_uint_eq(mc_catalog_n_not_migratable(cat), 1);
        ck_assert_uint_eq(mc_catalog_candidates(cat, NIC)->len, 2);

        /* Replace the mdev type with a not-migratable one: it leaves the index. */
        test_put(cat, test_mdev("0000:3b:00.0", "nic-vf", 4, MC_FACTS_NONE, NULL));
        ck_assert_uint_eq(mc_catalog_candidates(cat, NIC)->len, 1);
        ck_assert_uint_eq(mc_catalog_n_not_migratable(cat), 2);

        McImpl *gone = mc_catalog_take(cat, "vfio-user:vnic");
        ck_assert_ptr_nonnull(gone);
        mc_impl_unref(gone);
        ck_assert_ptr_null(mc_catalog_candidates(cat, NIC));
        ck_assert_uint_eq(mc_catalog_n_models(cat), 0);
        ck_assert_ptr_null(mc_catalog_take(cat, "vfio-user:vnic"));
        ck_assert_uint_eq(mc_catalog_bump_generation(cat), 8);
}
END_TEST

START_TEST(result_json) {
        g_autoptr(McCatalog) cat = nic_catalog();
        g_autoptr(McCheckResult) r = check(cat,
                "{\"devices\": [{\"id\": \"a\", \"model\": \"" NIC "\", \"version\": \"v3\"}]}", NULL);
        g_autofree char *json = mc_check_result_to_json(r, false);
        g_autoptr(JsonParser) p = json_parser_new();
        JsonObject *o, *dev, *cand, *reason;

        ck_assert(json_parser_load_from_data(p, json, -1, NULL));
        o = json_node_get_object(json_parser_get_root(p));
        ck_assert_str_eq(json_object_get_string_member(o, "verdict"), "incompatible");
        ck_assert_int_eq(json_object_get_int_member(o, "generation"), 7);
        dev = json_array_get_object_element(json_object_get_array_member(o, "devices"), 0);
        ck_assert_str_eq(json_object_get_string_member(dev, "id"), "a");
        ck_assert(json_node_is_null(json_object_get_member(dev, "implementation")));
        cand = json_array_get_object_element(json_object_get_array_member(dev, "candidates"), 0);
        ck_assert_str_eq(json_object_get_string_member(cand, "verdict"), "incompatible");
        ck_assert(json_node_is_null(json_object_get_member(cand, "recipe")));
        reason = json_array_get_object_element(json_object_get_array_member(cand, "reasons"), 0);
        ck_assert_str_eq(json_object_get_string_member(reason, "code"), "version-unsupported");
        /* Member order is fixed: verdict first, then generation, then devices. */
        ck_assert(g_str_has_prefix(json, "{\"verdict\":\"incompatible\",\"generation\":7,\"devices\":[{\"id\":\"a\""));
}
END_TEST

START_TEST(describe_instances) {
        g_autoptr(McImpl) impl = test_mdev("p", "t", 1, MC_FACTS_DRIVER, nic_info);
        g_autoptr(McImpl) none = test_mdev("p", "n", 1, MC_FACTS_NONE, NULL);
        g_autoptr(GHashTable) raw = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GError) error = NULL;
        g_autoptr(McSrcDevice) d = NULL, d2 = NULL;
        g_autoptr(McSource) src = mc_source_new();
        g_autofree char *json = NULL;

        g_hash_table_insert(raw, (char *) "queues", (char *) "4");
        g_hash_table_insert(raw, (char *) "new-feature", (char *) "Y");
        g_hash_table_insert(raw, (char *) "mode", (char *) "fast"); /* equals off_value: omitted */
        g_hash_table_insert(raw, (char *) "num-resources", (char *) "64");
        d = mc_describe_instance("hostdev0", impl, NIC, "v1", raw, &error);
        ck_assert_msg(d, "%s", error ? error->message : "");
        g_ptr_array_add(src->devices, g_steal_pointer(&d));
        json = mc_source_to_json(src, false);
        ck_assert_str_eq(json, "{\"devices\":[{\"id\":\"hostdev0\",\"model\":\"" NIC "\",\"version\":\"v1\","
                               "\"params\":{\"new-feature\":true,\"num-resources\":64,\"queues\":4}}]}");

        /* What describe prints, a check accepts, on a host like this one. */
        g_autoptr(McCatalog) cat = mc_catalog_new();
        test_put(cat, mc_impl_ref(impl));
        g_autoptr(McCheckResult) r = mc_check(cat, src, NULL);
        ck_assert_int_eq(r->verdict, MC_VERDICT_COMPATIBLE);

        /* No migration/ attributes: the only model, its preferred version, init values. */
        d2 = mc_describe_instance("x", impl, NULL, NULL, NULL, &error);
        ck_assert_ptr_nonnull(d2);
        ck_assert_str_eq(d2->version, "v2");
        ck_assert_uint_eq(d2->params->len, 2); /* new-feature=true, num-resources=64 */
        ck_assert_ptr_null(mc_src_device_find_param(d2, "queues"));

        g_hash_table_insert(raw, (char *) "queues", (char *) "lots");
        ck_assert_ptr_null(mc_describe_instance("x", impl, NIC, "v1", raw, &error));
        ck_assert_contains(error->message, "migration/queues holds \"lots\", which is not a int");
        g_clear_error(&error);
        ck_assert_ptr_null(mc_describe_instance("x", impl, "other.com/x", NULL, NULL, &error));
        ck_assert_contains(error->message, "reports model other.com/x, which its type mdev:p:t does not offer");
        g_clear_error(&error);
        ck_assert_ptr_null(mc_describe_instance("x", impl, NIC, "v7", NULL, &error));
        ck_assert_contains(error->message, "version v7");
        g_clear_error(&error);
        ck_assert_ptr_null(mc_describe_instance("x", none, NULL, NULL, NULL, &error));
        ck_assert_contains(error->message, "mdev:p:n is not migratable: driver testdrv publishes no migration facts");
}
END_TEST

static Suite *compat_suite(void) {
        Suite *s = suite_create("compat");
        TCase *tc = tcase_create("verdicts");
        tcase_add_test(tc, compatible_recipes);
        tcase_add_test(tc, recipe_sets_each_param_once);
        tcase_add_test(tc, data_file_recipe_writes_nothing);
        tcase_add_test(tc, model_mismatch_device_level);
        tcase_add_test(tc, targeted_check);
        tcase_add_test(tc, version_rules);
        tcase_add_test(tc, param_reasons);
        tcase_add_test(tc, param_missing);
        tcase_add_test(tc, every_reason_reported);
        tcase_add_test(tc, capability_unknown);
        suite_add_tcase(s, tc);

        tc = tcase_create("allocation");
        tcase_add_test(tc, no_free_instance_single);
        tcase_add_test(tc, vm_allocation_shares_instances);
        tcase_add_test(tc, vm_allocation_moves_devices);
        tcase_add_test(tc, ranking);
        suite_add_tcase(s, tc);

        tc = tcase_create("misc");
        tcase_add_test(tc, catalog_index);
        tcase_add_test(tc, result_json);
        tcase_add_test(tc, describe_instances);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(compat_suite)
