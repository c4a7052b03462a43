/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every reader of migcompat-formats(5), and every class of error each one gives. */

#include "mc-test.h"
#include "mc-json.h"
#include "mc-quote.h"

static const char *const design_example =
        "{\n"
        "  \"models\": {\n"
        "    \"vendor-a.com/my-nic\": {\n"
        "      \"versions\": [\"v2\", \"v1\"],\n"
        "      \"params\": {\n"
        "        \"new-feature\":   { \"type\": \"bool\", \"init_value\": true, \"off_value\": false,\n"
        "                           \"description\": \"New feature that old devices lack\" },\n"
        "        \"num-resources\": { \"type\": \"int\", \"init_value\": 64, \"allowed_values\": [64] },\n"
        "        \"queues\":        { \"type\": \"int\", \"init_value\": 1, \"off_value\": 1,\n"
        "                           \"allowed_values\": [\"1-8\", 16] }\n"
        "      },\n"
        "      \"x-capabilities\": [\"stop-copy\", \"pre-copy\", \"dirty-tracking\"]\n"
        "    }\n"
        "  }\n"
        "}\n";

static void *info_parse(const char *d, gsize l, const char *o, GError **e) {
        return mc_info_parse(d, l, o, e);
}
static void info_free(void *p) {
        mc_info_unref(p);
}
static void *text_parse(const char *d, gsize l, const char *o, GError **e) {
        return mc_info_parse_device_models(d, l, o, e);
}
static void *datafile_parse(const char *d, gsize l, const char *o, GError **e) {
        return mc_data_file_parse(d, l, o, e);
}
static void datafile_free(void *p) {
        mc_data_file_free(p);
}
static void *descriptor_parse(const char *d, gsize l, const char *o, GError **e) {
        return mc_descriptor_parse(d, l, o, e);
}
static void descriptor_free(void *p) {
        mc_descriptor_free(p);
}
static void *source_parse(const char *d, gsize l, const char *o, GError **e) {
        return mc_source_parse(d, l, o, e);
}
static void source_free(void *p) {
        mc_source_free(p);
}
static void *profile_parse(const char *d, gsize l, const char *o, GError **e) {
        return mc_profile_parse(d, l, o, e);
}
static void profile_free(void *p) {
        mc_profile_free(p);
}

#define INFO_FAILS(json, code, ...)                                                             \
        do {                                                                                    \
                const char *const _c[] = { __VA_ARGS__, NULL };                                 \
                test_parse_fails(info_parse, info_free, json, strlen(json), code, _c);          \
        } while (0)

/* A model wrapper: the body of one parameter or of one model. */
#define MODEL(body) "{\"models\": {\"a.com/dev\": " body "}}"
#define PARAM(body) MODEL("{\"params\": {\"p\": " body "}}")

/* ---- migration information ---------------------------------------------- */

START_TEST(info_design_example) {
        g_autoptr(McInfo) info = test_info(design_example);
        const McModel *m;
        const McParam *p;
        g_autofree char *allowed = NULL;

        ck_assert_uint_eq(info->models->len, 1);
        m = mc_info_find_model(info, "vendor-a.com/my-nic");
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(m->versions->len, 2);
        ck_assert_str_eq(m->versions->pdata[0], "v2"); /* preferred first, order kept */
        ck_assert_str_eq(m->versions->pdata[1], "v1");
        ck_assert_uint_eq(m->params->len, 3);
        /* sorted by name for lookups */
        ck_assert_str_eq(((McParam *) m->params->pdata[0])->name, "new-feature");
        ck_assert_str_eq(((McParam *) m->params->pdata[2])->name, "queues");

        p = mc_model_find_param(m, "new-feature");
        ck_assert_int_eq(p->type, MC_PARAM_BOOL);
        ck_assert(p->init_value.b);
        ck_assert(p->has_off && !p->off_value.b);
        ck_assert(!p->has_allowed);
        ck_assert_str_eq(p->description, "New feature that old devices lack");

        p = mc_model_find_param(m, "num-resources");
        ck_assert(!p->has_off);
        ck_assert_int_eq(p->init_value.i, 64);

        p = mc_model_find_param(m, "queues");
        allowed = mc_param_allowed_to_string(p);
        ck_assert_str_eq(allowed, "1-8, 16");
        for (int64_t v = -1; v <= 20; v++) {
                McValue val = { .type = MC_PARAM_INT, .i = v };
                ck_assert_msg(mc_param_allows(p, &val) == ((v >= 1 && v <= 8) || v == 16),
                              "queues=%" G_GINT64_FORMAT, v);
        }
        ck_assert(m->caps_known);
        ck_assert_uint_eq(m->caps, MC_CAP_STOP_COPY | MC_CAP_PRE_COPY | MC_CAP_DIRTY_TRACKING);
        ck_assert_ptr_null(mc_model_find_param(m, "nope"));
}
END_TEST

START_TEST(info_ranges_normalized) {
        g_autoptr(McInfo) info = test_info(PARAM("{\"type\": \"int\", \"init_value\": 3, "
                                                 "\"allowed_values\": [\"10-20\", 3, \"4-6\", \"-5--2\", \"15-30\", 7]}"));
        const McParam *p = mc_model_find_param(info->models->pdata[0], "p");
        g_autofree char *s = mc_param_allowed_to_string(p);
        /* 3, 4-6 and 7 touch: one range; 10-20 and 15-30 overlap: one range. */
        ck_assert_str_eq(s, "-5--2, 3-7, 10-30");
        McValue v = { .type = MC_PARAM_INT, .i = -3 };
        ck_assert(mc_param_allows(p, &v));
        v.i = 8;
        ck_assert(!mc_param_allows(p, &v));
        v.i = 30;
        ck_assert(mc_param_allows(p, &v));
        v.i = 31;
        ck_assert(!mc_param_allows(p, &v));
}
END_TEST

START_TEST(info_str_and_bool_allowed) {
        g_autoptr(McInfo) info = test_info(
                MODEL("{\"params\": {\"mode\": {\"type\": \"str\", \"init_value\": \"fast\", "
                      "\"allowed_values\": [\"fast\", \"safe\"]}, "
                      "\"ecc\": {\"type\": \"bool\", \"init_value\": true, \"allowed_values\": [true]}}}"));
        const McModel *m = info->models->pdata[0];
        McValue s = { .type = MC_PARAM_STR, .s = (char *) "safe" };
        McValue b = { .type = MC_PARAM_BOOL, .b = false };

        ck_assert(mc_param_allows(mc_model_find_param(m, "mode"), &s));
        s.s = (char *) "slow";
        ck_assert(!mc_param_allows(mc_model_find_param(m, "mode"), &s));
        ck_assert(!mc_param_allows(mc_model_find_param(m, "ecc"), &b));
        b.b = true;
        ck_assert(mc_param_allows(mc_model_find_param(m, "ecc"), &b));
        /* A value of another type is never allowed. */
        McValue i = { .type = MC_PARAM_INT, .i = 1 };
        ck_assert(!mc_param_allows(mc_model_find_param(m, "ecc"), &i));
}
END_TEST

START_TEST(info_vendor_members_ignored) {
        g_autoptr(McInfo) info = test_info(
                "{\"x-vendor\": {\"anything\": [1, 2]}, \"models\": {\"a.com/dev\": "
                "{\"x-firmware\": \"1.2\", \"versions\": [\"v1\"], \"params\": {\"q\": "
                "{\"type\": \"int\", \"init_value\": 1, \"x-note\": true}}}}}");
        ck_assert_uint_eq(info->models->len, 1);
        ck_assert_ptr_nonnull(mc_model_find_param(info->models->pdata[0], "q"));
}
END_TEST

START_TEST(info_errors_syntax) {
        INFO_FAILS("{", MC_ERROR_SYNTAX, "input.json");
        INFO_FAILS("", MC_ERROR_SYNTAX, "input.json");
        INFO_FAILS("{\"models\": {}} trailing", MC_ERROR_SYNTAX, "input.json");
        INFO_FAILS("{\"models\": [}", MC_ERROR_SYNTAX, "unexpected '}'");
        INFO_FAILS("{\"models\": \"abc}", MC_ERROR_SYNTAX, "unterminated string");
        INFO_FAILS("{\"models\": \"a\nb\"}", MC_ERROR_SYNTAX, "control character");
        {
                /* Invalid UTF-8 and an embedded NUL. */
                const char *const c1[] = { "UTF-8", NULL };
                /* Text that is not Unicode is a value error, as a lone surrogate escape. */
                test_parse_fails(info_parse, info_free, "{\"models\": \"\xff\"}", 15, MC_ERROR_VALUE, c1);
                test_parse_fails(info_parse, info_free, "{\"models\": {}}\0", 15, MC_ERROR_SYNTAX, c1);
        }
}
END_TEST

START_TEST(info_errors_duplicates) {
        INFO_FAILS("{\"models\": {}, \"models\": {}}", MC_ERROR_DUPLICATE, "\"models\" appears twice", "$");
        INFO_FAILS(MODEL("{\"versions\": [\"v1\"], \"versions\": [\"v9\"]}"), MC_ERROR_DUPLICATE,
                   "$.models[\"a.com/dev\"]", "\"versions\" appears twice", ":1:");
        /* The same name spelled with an escape is still the same member. */
        INFO_FAILS(MODEL("{\"versions\": [\"v1\"], \"\\u0076ersions\": [\"v9\"]}"), MC_ERROR_DUPLICATE,
                   "\"versions\" appears twice");
        INFO_FAILS(MODEL("{\"versions\": [\"v1\", \"v1\"]}"), MC_ERROR_DUPLICATE,
                   "$.models[\"a.com/dev\"].versions[1]", "\"v1\" is listed twice");
        INFO_FAILS(MODEL("{\"x-capabilities\": [\"p2p\", \"p2p\"]}"), MC_ERROR_DUPLICATE, "p2p");
        INFO_FAILS(PARAM("{\"type\": \"str\", \"init_value\": \"a\", \"allowed_values\": [\"a\", \"a\"]}"),
                   MC_ERROR_DUPLICATE, "allowed_values[1]");
}
END_TEST

START_TEST(info_errors_limits) {
        g_autoptr(GString) deep = g_string_new("{\"models\": ");
        for (int i = 0; i < 40; i++)
                g_string_append_c(deep, '[');
        INFO_FAILS(deep->str, MC_ERROR_LIMIT, "nested deeper than 32");

        g_autoptr(GString) big = g_string_new("{\"models\": {\"a.com/b\": {\"x-pad\": \"");
        while (big->len < MC_MAX_DOCUMENT_SIZE)
                g_string_append(big, "0123456789abcdef");
        g_string_append(big, "\"}}}");
        INFO_FAILS(big->str, MC_ERROR_LIMIT, "more than the limit of 1048576 bytes");

        g_autoptr(GString) many = g_string_new("{\"models\": {");
        for (int i = 0; i < MC_MAX_MODELS + 1; i++)
                g_string_append_printf(many, "%s\"a.com/m%d\": {}", i ? "," : "", i);
        g_string_append(many, "}}");
        INFO_FAILS(many->str, MC_ERROR_LIMIT, "65 device models", "limit of 64");

        g_autoptr(GString) vers = g_string_new("{\"models\": {\"a.com/b\": {\"versions\": [");
        for (int i = 0; i < MC_MAX_VERSIONS + 1; i++)
                g_string_append_printf(vers, "%s\"v%d\"", i ? "," : "", i);
        g_string_append(vers, "]}}}");
        INFO_FAILS(vers->str, MC_ERROR_LIMIT, "versions", "65 entries");

        g_autoptr(GString) params = g_string_new("{\"models\": {\"a.com/b\": {\"params\": {");
        for (int i = 0; i < MC_MAX_PARAMS + 1; i++)
                g_string_append_printf(params, "%s\"p%d\": {\"type\": \"bool\", \"init_value\": true}",
                                       i ? "," : "", i);
        g_string_append(params, "}}}}");
        INFO_FAILS(params->str, MC_ERROR_LIMIT, "257 parameters");

        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 99999999999999999999}"), MC_ERROR_VALUE,
                   "out of the 64-bit range");
        g_autofree char *longv = g_strdup_printf(MODEL("{\"versions\": [\"%0129d\"]}"), 0);
        INFO_FAILS(longv, MC_ERROR_VALUE, "1 to 128");
}
END_TEST

START_TEST(info_errors_members) {
        INFO_FAILS("{}", MC_ERROR_MISSING_MEMBER, "\"models\" is missing", "input.json: $:");
        INFO_FAILS("{\"models\": {}, \"version\": 1}", MC_ERROR_UNKNOWN_MEMBER, "unknown member \"version\"");
        INFO_FAILS(MODEL("{\"version\": [\"v1\"]}"), MC_ERROR_UNKNOWN_MEMBER,
                   "$.models[\"a.com/dev\"]", "unknown member \"version\"", "\"versions\", \"params\"");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"default\": 1}"), MC_ERROR_UNKNOWN_MEMBER,
                   "$.models[\"a.com/dev\"].params.p", "\"default\"");
        INFO_FAILS(PARAM("{\"init_value\": 1}"), MC_ERROR_MISSING_MEMBER, "\"type\" is missing");
        INFO_FAILS(PARAM("{\"type\": \"int\"}"), MC_ERROR_MISSING_MEMBER, "\"init_value\" is missing");
}
END_TEST

START_TEST(info_errors_types) {
        INFO_FAILS("[]", MC_ERROR_TYPE, "expected an object, got array");
        INFO_FAILS("{\"models\": []}", MC_ERROR_TYPE, "$.models", "got array");
        INFO_FAILS(MODEL("[]"), MC_ERROR_TYPE, "$.models[\"a.com/dev\"]: expected an object");
        INFO_FAILS(MODEL("{\"versions\": \"v1\"}"), MC_ERROR_TYPE, ".versions: expected an array, got string");
        INFO_FAILS(MODEL("{\"versions\": [1]}"), MC_ERROR_TYPE, ".versions[0]: expected a string, got integer");
        INFO_FAILS(MODEL("{\"params\": []}"), MC_ERROR_TYPE, ".params: expected an object");
        INFO_FAILS(PARAM("{\"type\": 3, \"init_value\": 1}"), MC_ERROR_TYPE, ".p.type: expected a string");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": \"1\"}"), MC_ERROR_TYPE,
                   ".p.init_value: expected an integer, got string");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1.5}"), MC_ERROR_TYPE, "got number");
        INFO_FAILS(PARAM("{\"type\": \"bool\", \"init_value\": \"on\"}"), MC_ERROR_TYPE,
                   "expected true or false, got string");
        INFO_FAILS(PARAM("{\"type\": \"str\", \"init_value\": null}"), MC_ERROR_TYPE, "got null");
        INFO_FAILS(PARAM("{\"type\": \"bool\", \"init_value\": true, \"off_value\": 0}"), MC_ERROR_TYPE,
                   ".p.off_value");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"allowed_values\": [true]}"), MC_ERROR_TYPE,
                   "allowed_values[0]", "integer or a \"<min>-<max>\" string");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"allowed_values\": 1}"), MC_ERROR_TYPE,
                   "expected an array");
        INFO_FAILS(MODEL("{\"x-capabilities\": \"p2p\"}"), MC_ERROR_TYPE, "x-capabilities");
}
END_TEST

START_TEST(info_errors_values) {
        INFO_FAILS("{\"models\": {}}", MC_ERROR_VALUE, "at least one device model");
        INFO_FAILS("{\"models\": {\"nodomain\": {}}}", MC_ERROR_VALUE, "invalid device model");
        INFO_FAILS("{\"models\": {\"localhost/dev\": {}}}", MC_ERROR_VALUE, "needs a dot");
        INFO_FAILS("{\"models\": {\"a.com/\": {}}}", MC_ERROR_VALUE, "empty component");
        INFO_FAILS("{\"models\": {\"a.com//x\": {}}}", MC_ERROR_VALUE, "empty component");
        INFO_FAILS("{\"models\": {\"a_b.com/x\": {}}}", MC_ERROR_VALUE, "domain part");
        INFO_FAILS("{\"models\": {\"a.com/x y\": {}}}", MC_ERROR_VALUE, "path takes");
        INFO_FAILS("{\"models\": {\"-a.com/x\": {}}}", MC_ERROR_VALUE, "malformed label");
        INFO_FAILS("{\"models\": {\"a.com./x\": {}}}", MC_ERROR_VALUE, "ends with '.'");
        INFO_FAILS("{\"models\": {\"caf\xc3\xa9.com/x\": {}}}", MC_ERROR_VALUE, "domain part");
        INFO_FAILS(MODEL("{\"versions\": []}"), MC_ERROR_VALUE, "at least one version");
        INFO_FAILS(MODEL("{\"versions\": [\"\"]}"), MC_ERROR_VALUE, "1 to 128");
        INFO_FAILS(MODEL("{\"versions\": [\" v1\"]}"), MC_ERROR_VALUE, "start or end with a space");
        INFO_FAILS(MODEL("{\"versions\": [\"v1\\n\"]}"), MC_ERROR_VALUE, "without newlines");
        INFO_FAILS(MODEL("{\"versions\": [\"v1:\"]}"), MC_ERROR_VALUE, "model line");
        INFO_FAILS(MODEL("{\"versions\": [\"v\\u0000\"]}"), MC_ERROR_VALUE, "\\u0000");
        INFO_FAILS(MODEL("{\"params\": {\"a=b\": {\"type\": \"int\", \"init_value\": 1}}}"), MC_ERROR_VALUE,
                   "invalid parameter name");
        INFO_FAILS(MODEL("{\"params\": {\"a/b\": {\"type\": \"int\", \"init_value\": 1}}}"), MC_ERROR_VALUE,
                   "without '=', '/'");
        INFO_FAILS(MODEL("{\"params\": {\"a b\": {\"type\": \"int\", \"init_value\": 1}}}"), MC_ERROR_VALUE,
                   "whitespace");
        INFO_FAILS(PARAM("{\"type\": \"float\", \"init_value\": 1}"), MC_ERROR_VALUE,
                   "expected \"bool\", \"int\" or \"str\", got \"float\"");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"allowed_values\": []}"), MC_ERROR_VALUE,
                   "allows nothing");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"allowed_values\": [\"8-1\"]}"), MC_ERROR_VALUE,
                   "min above max");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"allowed_values\": [\"1..8\"]}"), MC_ERROR_VALUE,
                   "is not a \"<min>-<max>\" range");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"allowed_values\": [\"5\"]}"), MC_ERROR_VALUE,
                   "range");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 9, \"allowed_values\": [\"1-8\"]}"), MC_ERROR_VALUE,
                   ".p.init_value: 9 is not among allowed_values (1-8)");
        INFO_FAILS(PARAM("{\"type\": \"int\", \"init_value\": 1, \"off_value\": 0, \"allowed_values\": [\"1-8\"]}"),
                   MC_ERROR_VALUE, ".p.off_value: 0 is not among");
        INFO_FAILS(PARAM("{\"type\": \"str\", \"init_value\": \"a\\nb\"}"), MC_ERROR_VALUE, "no newlines");
        INFO_FAILS(MODEL("{\"x-capabilities\": [\"teleport\"]}"), MC_ERROR_VALUE, "unknown capability \"teleport\"");
}
END_TEST

/* ---- RFC v4 text -------------------------------------------------------- */

#define TEXT_FAILS(text, code, ...)                                                             \
        do {                                                                                    \
                const char *const _c[] = { __VA_ARGS__, NULL };                                 \
                test_parse_fails(text_parse, info_free, text, strlen(text), code, _c);          \
        } while (0)

START_TEST(text_models) {
        const char *text = "intel.com/gvt-g/v5-4:\nv2\nv1\n\nqemu.org/pci/10ec/8139:\nq64-v2\n";
        g_autoptr(GError) error = NULL;
        g_autoptr(McInfo) info = mc_info_parse_device_models(text, strlen(text), "attr", &error);
        const McModel *m;

        ck_assert_msg(info, "%s", error ? error->message : "");
        ck_assert_uint_eq(info->models->len, 2);
        m = info->models->pdata[0];
        ck_assert_str_eq(m->model, "intel.com/gvt-g/v5-4");
        ck_assert_uint_eq(m->versions->len, 2);
        ck_assert_str_eq(m->versions->pdata[0], "v2");
        ck_assert_uint_eq(m->params->len, 0);
        ck_assert(!m->caps_known);
        m = info->models->pdata[1];
        ck_assert_str_eq(m->versions->pdata[0], "q64-v2");
}
END_TEST

START_TEST(text_errors) {
        TEXT_FAILS("v1\n", MC_ERROR_SYNTAX, "input.json:1:", "before version \"v1\"");
        TEXT_FAILS("a.com/x:\n", MC_ERROR_SYNTAX, "\"a.com/x\" lists no version");
        TEXT_FAILS("a.com/x:\nb.com/y:\nv1\n", MC_ERROR_SYNTAX, ":1:", "a.com/x\" lists no version");
        TEXT_FAILS("a.com/x:\nv1\na.com/x:\nv2\n", MC_ERROR_SYNTAX, ":3:", "appears twice");
        TEXT_FAILS("a.com/x:\nv1\nv1\n", MC_ERROR_SYNTAX, ":3:", "listed twice");
        TEXT_FAILS("a.com/x:\nv1 \n", MC_ERROR_SYNTAX, ":2:", "space");
        TEXT_FAILS("a.com/x:\r\nv1\r\n", MC_ERROR_SYNTAX, "invalid");
        TEXT_FAILS("nodomain:\nv1\n", MC_ERROR_SYNTAX, "invalid device model");
        TEXT_FAILS("", MC_ERROR_VALUE, "lists no device model");
        TEXT_FAILS("\n\n", MC_ERROR_VALUE, "lists no device model");
        {
                const char *const c[] = { "not ASCII text", NULL };
                test_parse_fails(text_parse, info_free, "a.com/x:\nv\0\n", 11, MC_ERROR_SYNTAX, c);
        }
}
END_TEST

START_TEST(merge_driver_attributes) {
        const char *text = "a.com/x:\nv2\nv1\nb.com/y:\nv1\n";
        g_autoptr(McInfo) t = mc_info_parse_device_models(text, strlen(text), "t", NULL);
        g_autoptr(McInfo) j = test_info("{\"models\": {\"a.com/x\": {\"params\": {\"q\": "
                                        "{\"type\": \"int\", \"init_value\": 1, \"off_value\": 1}}}}}");
        g_autoptr(McInfo) jv = test_info("{\"models\": {\"a.com/x\": {\"versions\": [\"v1\", \"v2\"]}}}");
        g_autoptr(McInfo) jbad = test_info("{\"models\": {\"a.com/x\": {\"versions\": [\"v3\"]}}}");
        g_autoptr(GError) error = NULL;
        g_autoptr(McInfo) m = mc_info_merge(j, t, "dir", &error);
        g_autoptr(McInfo) m2 = NULL, m3 = NULL, only = NULL;
        const McModel *x;

        ck_assert_ptr_nonnull(m);
        ck_assert_uint_eq(m->models->len, 2);
        x = mc_info_find_model(m, "a.com/x");
        ck_assert_uint_eq(x->versions->len, 2); /* from the text attribute */
        ck_assert_str_eq(x->versions->pdata[0], "v2");
        ck_assert_ptr_nonnull(mc_model_find_param(x, "q")); /* from the JSON attribute */
        ck_assert_ptr_nonnull(mc_info_find_model(m, "b.com/y"));

        /* Both list versions: the same set in another order is fine. */
        m2 = mc_info_merge(jv, t, "dir", &error);
        ck_assert_ptr_nonnull(m2);
        m3 = mc_info_merge(jbad, t, "dir", &error);
        ck_assert_ptr_null(m3);
        ck_assert_contains(error->message, "migration_device_models lists versions v2, v1 but migration_info.json lists v3");

        only = mc_info_merge(NULL, t, "dir", NULL);
        ck_assert_ptr_eq(only, t);
}
END_TEST

/* ---- data files and descriptors ----------------------------------------- */

#define DATAFILE_FAILS(json, code, ...)                                                         \
        do {                                                                                    \
                const char *const _c[] = { __VA_ARGS__, NULL };                                 \
                test_parse_fails(datafile_parse, datafile_free, json, strlen(json), code, _c);  \
        } while (0)

START_TEST(datafile_match) {
        const char *json = "{\"description\": \"GVT-g\", \"match\": {\"driver\": \"i915\", \"type\": "
                           "\"i915-GVTg_V5_[48]\"}, \"models\": {\"intel.com/gvt-g\": {\"versions\": [\"v1\"]}}}";
        g_autoptr(GError) error = NULL;
        g_autoptr(McDataFile) f = mc_data_file_parse(json, strlen(json), "/etc/x.json", &error);

        ck_assert_msg(f, "%s", error ? error->message : "");
        ck_assert_str_eq(f->origin, "/etc/x.json");
        ck_assert(mc_data_file_matches(f, "i915", "i915-GVTg_V5_4"));
        ck_assert(mc_data_file_matches(f, "i915", "i915-GVTg_V5_8"));
        ck_assert(!mc_data_file_matches(f, "i915", "i915-GVTg_V5_2"));
        ck_assert(!mc_data_file_matches(f, "nvidia", "i915-GVTg_V5_4"));
        ck_assert(!mc_data_file_matches(f, NULL, "i915-GVTg_V5_4"));

        const char *json2 = "{\"match\": {\"type\": \"nvidia-*\"}, \"models\": {\"nvidia.com/vgpu\": {}}}";
        g_autoptr(McDataFile) f2 = mc_data_file_parse(json2, strlen(json2), "y", &error);
        ck_assert(mc_data_file_matches(f2, NULL, "nvidia-63"));
        ck_assert(mc_data_file_matches(f2, "nvidia", "nvidia-63"));
}
END_TEST

START_TEST(datafile_errors) {
        DATAFILE_FAILS("{\"models\": {\"a.com/x\": {}}}", MC_ERROR_MISSING_MEMBER, "\"match\" is missing");
        DATAFILE_FAILS("{\"match\": {}, \"models\": {\"a.com/x\": {}}}", MC_ERROR_MISSING_MEMBER,
                       "$.match", "expected \"driver\", \"type\" or both");
        DATAFILE_FAILS("{\"match\": {\"vendor\": \"x\"}, \"models\": {\"a.com/x\": {}}}",
                       MC_ERROR_UNKNOWN_MEMBER, "\"vendor\"");
        DATAFILE_FAILS("{\"match\": {\"driver\": \"a b\"}, \"models\": {\"a.com/x\": {}}}", MC_ERROR_VALUE,
                       "$.match.driver", "whitespace");
        DATAFILE_FAILS("{\"match\": {\"driver\": \"x\"}, \"models\": {}}", MC_ERROR_VALUE, "at least one");
        DATAFILE_FAILS("{\"match\": {\"driver\": \"x\"}, \"models\": {\"a.com/x\": {\"versions\": 1}}}",
                       MC_ERROR_TYPE, "$.models[\"a.com/x\"].versions");
}
END_TEST

#define DESCRIPTOR_FAILS(json, code, ...)                                                       \
        do {                                                                                    \
                const char *const _c[] = { __VA_ARGS__, NULL };                                 \
                test_parse_fails(descriptor_parse, descriptor_free, json, strlen(json), code, _c); \
        } while (0)

START_TEST(descriptor_read) {
        const char *json = "{\"description\": \"virtio-net\", \"binary\": \"/usr/libexec/vnet\", "
                           "\"args\": [\"--queues\", \"4\"]}";
        g_autoptr(McDescriptor) d = mc_descriptor_parse(json, strlen(json), "d", NULL);
        ck_assert_ptr_nonnull(d);
        ck_assert_str_eq(d->binary, "/usr/libexec/vnet");
        ck_assert_uint_eq(g_strv_length(d->args), 2);
        ck_assert_str_eq(d->args[1], "4");

        const char *bare = "{\"binary\": \"/bin/x\"}";
        g_autoptr(McDescriptor) d2 = mc_descriptor_parse(bare, strlen(bare), "d", NULL);
        ck_assert_ptr_nonnull(d2->args);
        ck_assert_uint_eq(g_strv_length(d2->args), 0);

        DESCRIPTOR_FAILS("{\"binary\": \"bin/x\"}", MC_ERROR_VALUE, "$.binary", "absolute path");
        DESCRIPTOR_FAILS("{\"args\": []}", MC_ERROR_MISSING_MEMBER, "\"binary\" is missing");
        DESCRIPTOR_FAILS("{\"binary\": \"/x\", \"args\": [1]}", MC_ERROR_TYPE, "$.args[0]");
        DESCRIPTOR_FAILS("{\"binary\": \"/x\", \"args\": [\"--print-migration-info-json\"]}", MC_ERROR_VALUE,
                         "added by migcompat");
        DESCRIPTOR_FAILS("{\"binary\": \"/x\", \"type\": \"net\"}", MC_ERROR_UNKNOWN_MEMBER, "\"type\"");
}
END_TEST

/* ---- source descriptions ------------------------------------------------ */

#define SOURCE_FAILS(json, code, ...)                                                           \
        do {                                                                                    \
                const char *const _c[] = { __VA_ARGS__, NULL };                                 \
                test_parse_fails(source_parse, source_free, json, strlen(json), code, _c);      \
        } while (0)

START_TEST(source_read) {
        g_autoptr(McSource) src = test_source(
                "{\"devices\": [{\"id\": \"hostdev0\", \"model\": \"vendor-a.com/my-nic\", \"version\": \"v1\", "
                "\"params\": {\"queues\": 4, \"new-feature\": \"on\", \"ecc\": false}, \"requires\": [\"pre-copy\"]}, "
                "{\"id\": \"net1\", \"model\": \"a.com/b\"}]}");
        const McSrcDevice *d = src->devices->pdata[0];
        const McSrcParam *p;

        ck_assert_uint_eq(src->devices->len, 2);
        ck_assert_str_eq(d->id, "hostdev0");
        ck_assert_str_eq(d->version, "v1");
        ck_assert_uint_eq(d->requires, MC_CAP_PRE_COPY);
        ck_assert_uint_eq(d->params->len, 3);
        p = mc_src_device_find_param(d, "queues");
        ck_assert_int_eq(p->kind, MC_SRC_INT);
        ck_assert_int_eq(p->i, 4);
        p = mc_src_device_find_param(d, "new-feature");
        ck_assert_int_eq(p->kind, MC_SRC_STR);
        ck_assert_int_eq(mc_src_device_find_param(d, "ecc")->kind, MC_SRC_BOOL);
        d = src->devices->pdata[1];
        ck_assert_ptr_null(d->version);
        ck_assert_uint_eq(d->params->len, 0);
}
END_TEST

START_TEST(source_errors) {
        SOURCE_FAILS("{\"devices\": []}", MC_ERROR_VALUE, "at least one device");
        SOURCE_FAILS("{\"device\": []}", MC_ERROR_UNKNOWN_MEMBER, "\"device\"");
        SOURCE_FAILS("{\"devices\": [{\"model\": \"a.com/b\"}]}", MC_ERROR_MISSING_MEMBER,
                     "$.devices[0]", "\"id\" is missing");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\"}, {\"id\": \"a\", \"model\": \"a.com/b\"}]}",
                     MC_ERROR_DUPLICATE, "$.devices[1]", "\"a\" is used twice");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"ab\"}]}", MC_ERROR_VALUE, "$.devices[0].model");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a b\", \"model\": \"a.com/b\"}]}", MC_ERROR_VALUE, ".id");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"params\": {\"q\": null}}]}",
                     MC_ERROR_TYPE, "$.devices[0].params.q", "boolean, an integer or a string, got null");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"params\": {\"q\": 1.5}}]}",
                     MC_ERROR_TYPE, "got number");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"params\": {\"q\": {}}}]}",
                     MC_ERROR_TYPE, "got object");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"params\": {\"q\": 1, \"q\": 2}}]}",
                     MC_ERROR_DUPLICATE, "\"q\" appears twice");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"requires\": [\"warp\"]}]}",
                     MC_ERROR_VALUE, "$.devices[0].requires[0]", "unknown capability");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"requires\": \"p2p\"}]}",
                     MC_ERROR_TYPE, "expected an array");
        SOURCE_FAILS("{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"version\": 2}]}",
                     MC_ERROR_TYPE, ".version: expected a string");
        g_autoptr(GString) many = g_string_new("{\"devices\": [");
        for (int i = 0; i <= MC_MAX_DEVICES; i++)
                g_string_append_printf(many, "%s{\"id\": \"d%d\", \"model\": \"a.com/b\"}", i ? "," : "", i);
        g_string_append(many, "]}");
        SOURCE_FAILS(many->str, MC_ERROR_LIMIT, "257 entries");
}
END_TEST

START_TEST(source_round_trip) {
        const char *json = "{\"devices\": [{\"id\": \"d\", \"model\": \"a.com/b\", \"version\": \"v1\", "
                           "\"params\": {\"b\": true, \"i\": -3, \"s\": \"x y\"}, \"requires\": [\"p2p\", \"stop-copy\"]}]}";
        g_autoptr(McSource) a = test_source(json);
        g_autofree char *out = mc_source_to_json(a, false);
        g_autoptr(McSource) b = test_source(out);
        g_autofree char *out2 = mc_source_to_json(b, false);

        ck_assert_str_eq(out, out2);
        ck_assert_str_eq(out, "{\"devices\":[{\"id\":\"d\",\"model\":\"a.com/b\",\"version\":\"v1\","
                              "\"params\":{\"b\":true,\"i\":-3,\"s\":\"x y\"},\"requires\":[\"stop-copy\",\"p2p\"]}]}");
}
END_TEST

/* ---- host profiles ------------------------------------------------------- */

static McCatalog *sample_catalog(void) {
        McCatalog *cat = mc_catalog_new();
        test_put(cat, test_mdev("0000:00:02.0", "i915-GVTg_V5_4", 2, MC_FACTS_DATA_FILE,
                                "{\"models\": {\"intel.com/gvt-g/v5-4\": {\"versions\": [\"v1\"]}}}"));
        test_put(cat, test_mdev("0000:41:00.0", "nvidia-63", 8, MC_FACTS_DRIVER, design_example));
        test_put(cat, test_mdev("mtty", "mtty-1", 24, MC_FACTS_NONE, NULL));
        test_put(cat, test_vfio_user("virtio-net.json", "/usr/libexec/vnet", design_example));
        mc_catalog_set_generation(cat, 42);
        return cat;
}

START_TEST(profile_round_trip) {
        g_autoptr(McCatalog) cat = sample_catalog();
        g_autofree char *json = mc_profile_to_json(cat, "host1", "0123abcd", "0.1.0", true);
        g_autoptr(GError) error = NULL;
        g_autoptr(McProfile) p = mc_profile_parse(json, strlen(json), "profile.json", &error);
        g_autoptr(McCatalog) cat2 = NULL;
        g_autofree char *json2 = NULL;

        ck_assert_msg(p, "%s", error ? error->message : "");
        ck_assert_str_eq(p->hostname, "host1");
        ck_assert_str_eq(p->machine_id, "0123abcd");
        ck_assert_uint_eq(p->generation, 42);
        ck_assert_uint_eq(p->impls->len, 4);
        cat2 = mc_profile_to_catalog(p);
        json2 = mc_profile_to_json(cat2, "host1", "0123abcd", "0.1.0", true);
        ck_assert_str_eq(json, json2);

        /* Every implementation survives unchanged, field by field. */
        g_autoptr(GPtrArray) l1 = mc_catalog_list(cat), l2 = mc_catalog_list(cat2);
        ck_assert_uint_eq(l1->len, l2->len);
        for (guint i = 0; i < l1->len; i++)
                ck_assert_msg(mc_impl_equal(l1->pdata[i], l2->pdata[i]), "%s differs",
                              ((McImpl *) l1->pdata[i])->id);
        ck_assert_int_eq(mc_catalog_get(cat2, "vfio-user:virtio-net")->available, -1);
        ck_assert_str_eq(mc_catalog_get(cat2, "mdev:mtty:mtty-1")->not_migratable_reason,
                         "driver testdrv publishes no migration facts");
}
END_TEST

#define PROFILE_FAILS(json, code, ...)                                                          \
        do {                                                                                    \
                const char *const _c[] = { __VA_ARGS__, NULL };                                 \
                test_parse_fails(profile_parse, profile_free, json, strlen(json), code, _c);    \
        } while (0)

#define HOST "\"host\": {\"hostname\": \"h\", \"machine-id\": \"m\", \"generation\": 1, \"daemon-version\": \"0\"}"
#define IMPL(extra) "{" HOST ", \"implementations\": [{\"id\": \"mdev:p:t\", \"kind\": \"mdev\", " \
        "\"identity\": {\"parent\": \"p\", \"type-id\": \"t\"}, \"available-instances\": 1" extra "}]}"

START_TEST(profile_errors) {
        PROFILE_FAILS("{" HOST "}", MC_ERROR_MISSING_MEMBER, "\"implementations\" is missing");
        PROFILE_FAILS(IMPL(", \"models\": {}, \"facts-from\": \"driver\""), MC_ERROR_VALUE,
                      "$.implementations[0].facts-from", "does not fit an empty device model list");
        PROFILE_FAILS(IMPL(", \"models\": {}, \"facts-from\": \"none\""), MC_ERROR_MISSING_MEMBER,
                      "must say why");
        PROFILE_FAILS(IMPL(", \"models\": {}, \"facts-from\": \"guess\""), MC_ERROR_VALUE, "\"guess\"");
        PROFILE_FAILS(IMPL(", \"models\": {}, \"facts-from\": \"none\", \"not-migratable-reason\": \"x\", \"extra\": 1"),
                      MC_ERROR_UNKNOWN_MEMBER, "\"extra\"");
        PROFILE_FAILS("{" HOST ", \"implementations\": [{\"id\": \"x\", \"kind\": \"pci\", \"identity\": {}, "
                      "\"models\": {}, \"available-instances\": 1, \"facts-from\": \"none\"}]}",
                      MC_ERROR_VALUE, "$.implementations[0].kind");
        PROFILE_FAILS(IMPL(", \"models\": {\"a.com/b\": {}}, \"facts-from\": \"driver\", \"available-instances\": -2"),
                      MC_ERROR_DUPLICATE, "\"available-instances\" appears twice");
        PROFILE_FAILS("{\"host\": {\"hostname\": \"h\", \"machine-id\": \"m\", \"generation\": -1, \"daemon-version\": \"0\"}, "
                      "\"implementations\": []}",
                      MC_ERROR_VALUE, "$.host.generation");
}
END_TEST

/* ---- strict JSON: numbers and Unicode, through every reader ------------ */

/* RFC 8259's numbers and nothing else: what json-glib would read another
 * way (03000 as octal 1536, 0x400 and $400 as 1024) is a named error. */
static const char *const bad_numbers[] = {
        "03000", "0x400", "$400", "+1", ".5", "1.", "-", "--1", "0400", "00", "-01", "1e", "1e+",
        "1.e3", "0b101", "1_024", "-Infinity", "1.5.2", "0e", "01.5", "1e3x",
        "0X1F", "-.5", "1ee3", "$", "0x",
};
static const char *const out_of_range[] = { "99999999999999999999", "9223372036854775808",
                                            "-9223372036854775809", "18446744073709551616" };
static const char *const good_ints[] = { "0", "-0", "1024", "-1", "9223372036854775807",
                                         "-9223372036854775808" };
static const char *const good_floats[] = { "1e3", "1E3", "1.5", "-0.0", "0.5", "1e-3", "1E+2",
                                           "1E400", "0e0", "-1.25e-7" };

static void assert_utf8_message(const GError *e) {
        ck_assert_msg(g_utf8_validate(e->message, -1, NULL), "message is not UTF-8: %s", e->message);
}

START_TEST(json_numbers_rfc8259) {
        for (gsize i = 0; i < G_N_ELEMENTS(bad_numbers) + G_N_ELEMENTS(out_of_range); i++) {
                bool range = i >= G_N_ELEMENTS(bad_numbers);
                const char *tok = range ? out_of_range[i - G_N_ELEMENTS(bad_numbers)] : bad_numbers[i];
                const char *const frames[][2] = { { "[", "]" }, { "{\"a\": ", "}" }, { "", "" }, { " [1, ", " ] " } };
                int64_t v;
                for (gsize k = 0; k < G_N_ELEMENTS(frames); k++) {
                        g_autofree char *doc = g_strconcat(frames[k][0], tok, frames[k][1], NULL);
                        g_autoptr(GError) e = NULL;
                        g_autoptr(JsonNode) n = mc_json_parse(doc, strlen(doc), "t.json", &e);
                        ck_assert_msg(!n, "%s was read", doc);
                        ck_assert_msg(e->code == MC_ERROR_VALUE, "%s: %s", doc, e->message);
                        ck_assert_contains(e->message, range ? "out of the 64-bit range" : "is not a JSON number");
                        assert_utf8_message(e);
                }
                ck_assert_msg(!mc_json_int_from_string(tok, &v), "%s read as an integer", tok);
        }
        for (gsize i = 0; i < G_N_ELEMENTS(good_ints); i++) {
                g_autofree char *doc = g_strdup_printf("[%s]", good_ints[i]);
                g_autoptr(GError) e = NULL;
                g_autoptr(JsonNode) n = mc_json_parse(doc, strlen(doc), "t.json", &e);
                int64_t v = 1;
                ck_assert_msg(n, "%s: %s", doc, e ? e->message : "");
                JsonNode *el = json_array_get_element(json_node_get_array(n), 0);
                ck_assert(mc_json_node_is_int(el));
                /* The other readers of integers take the same ones, as the same value. */
                ck_assert(mc_json_int_from_string(good_ints[i], &v));
                ck_assert_int_eq(v, json_node_get_int(el));
                ck_assert_int_eq(v, g_ascii_strtoll(good_ints[i], NULL, 10));
        }
        for (gsize i = 0; i < G_N_ELEMENTS(good_floats); i++) {
                g_autofree char *doc = g_strdup_printf("[%s]", good_floats[i]);
                g_autoptr(GError) e = NULL;
                g_autoptr(JsonNode) n = mc_json_parse(doc, strlen(doc), "t.json", &e);
                int64_t v;
                ck_assert_msg(n, "%s: %s", doc, e ? e->message : "");
                ck_assert(!mc_json_node_is_int(json_array_get_element(json_node_get_array(n), 0)));
                ck_assert(!mc_json_int_from_string(good_floats[i], &v));
        }
        /* Literals are exact too. */
        const char *const bad_words[] = { "[tru]", "[True]", "[nul]", "[falsey]", "[undefined]", "[NaN]", "[Infinity]" };
        for (gsize i = 0; i < G_N_ELEMENTS(bad_words); i++) {
                g_autoptr(GError) e = NULL;
                g_autoptr(JsonNode) n = mc_json_parse(bad_words[i], strlen(bad_words[i]), "t.json", &e);
                ck_assert_msg(!n, "%s was read", bad_words[i]);
        }
}
END_TEST

/* Every reader goes through the same check: 03000 is refused by each. */
START_TEST(json_numbers_every_reader) {
        const char *const tokens[] = { "03000", "0x400", "$400", "+1", "99999999999999999999" };
        for (gsize i = 0; i < G_N_ELEMENTS(tokens); i++) {
                const char *t = tokens[i];
                g_autofree char *info = g_strdup_printf(PARAM("{\"type\": \"int\", \"init_value\": %s}"), t);
                g_autofree char *datafile = g_strdup_printf(
                        "{\"match\": {\"driver\": \"d\"}, \"models\": {\"a.com/d\": {\"params\": {\"p\": "
                        "{\"type\": \"int\", \"init_value\": %s}}}}}", t);
                g_autofree char *descriptor = g_strdup_printf("{\"binary\": \"/bin/x\", \"x-n\": %s}", t);
                g_autofree char *source = g_strdup_printf(
                        "{\"devices\": [{\"id\": \"a\", \"model\": \"a.com/b\", \"params\": {\"q\": %s}}]}", t);
                g_autofree char *profile = g_strdup_printf(
                        "{\"host\": {\"hostname\": \"h\", \"machine-id\": \"m\", \"generation\": %s, "
                        "\"daemon-version\": \"0\"}, \"implementations\": []}", t);
                const char *const c[] = { "input.json", i == G_N_ELEMENTS(tokens) - 1 ? "64-bit" : "not a JSON number", NULL };
                test_parse_fails(info_parse, info_free, info, strlen(info), MC_ERROR_VALUE, c);
                test_parse_fails(datafile_parse, datafile_free, datafile, strlen(datafile), MC_ERROR_VALUE, c);
                test_parse_fails(descriptor_parse, descriptor_free, descriptor, strlen(descriptor), MC_ERROR_VALUE, c);
                test_parse_fails(source_parse, source_free, source, strlen(source), MC_ERROR_VALUE, c);
                test_parse_fails(profile_parse, profile_free, profile, strlen(profile), MC_ERROR_VALUE, c);
        }
}
END_TEST

START_TEST(json_unicode_strict) {
        const char *const bad[] = {
                "\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"", "\"\\ud800\\u0041\"", "\"\\udbff\\udbff\"",
                "\"\\ud800\\n\"", "\"\\ud800\\\"", "\"x\\uDFFF\"", "\"\xc3\"", "\"\xc3\x28\"",
                "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xc0\xaf\"", "\"\xff\"", "\"\xe2\x82\"",
        };
        for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
                const char *const frames[][2] = { { "[", "]" }, { "{", ": 1}" }, { "{\"a\": {\"b\": [", "]}}" } };
                for (gsize k = 0; k < G_N_ELEMENTS(frames); k++) {
                        g_autofree char *doc = g_strconcat(frames[k][0], bad[i], frames[k][1], NULL);
                        g_autoptr(GError) e = NULL;
                        g_autoptr(JsonNode) n = mc_json_parse(doc, strlen(doc), "t.json", &e);
                        g_autofree char *shown = mc_quote(doc, 100);
                        ck_assert_msg(!n, "%s was read", shown);
                        ck_assert_msg(e->code == MC_ERROR_VALUE, "%s: %s", shown, e->message);
                        assert_utf8_message(e);
                }
        }
        /* A pair is one character, and a member name spelled with one is
         * the same name as written in UTF-8. */
        {
                const char doc[] = "[\"\\ud83d\\ude00\", \"\\u00e9\\u20ac\"]";
                g_autoptr(GError) e = NULL;
                g_autoptr(JsonNode) n = mc_json_parse(doc, strlen(doc), "t.json", &e);
                ck_assert_msg(n, "%s", e ? e->message : "");
                ck_assert_str_eq(json_array_get_string_element(json_node_get_array(n), 0), "\xf0\x9f\x98\x80");
                ck_assert_str_eq(json_array_get_string_element(json_node_get_array(n), 1), "é€");
                INFO_FAILS("{\"\\ud83d\\ude00\": 1, \"\xf0\x9f\x98\x80\": 2}", MC_ERROR_DUPLICATE, "appears twice");
        }
        /* Only RFC 8259's escapes. */
        INFO_FAILS("{\"models\": \"\\x41\"}", MC_ERROR_SYNTAX, "invalid escape");
        INFO_FAILS("{\"models\": \"\\'\"}", MC_ERROR_SYNTAX, "invalid escape");
        /* And through a reader, as a value error naming where. */
        {
                const char src[] = "{\"devices\": [{\"id\": \"\\ud800\", \"model\": \"a.com/b\"}]}";
                const char *const c[] = { "input.json", "$.devices[0].id", "surrogate", NULL };
                test_parse_fails(source_parse, source_free, src, strlen(src), MC_ERROR_VALUE, c);
        }
}
END_TEST

/* Messages quote input through mc_quote(): valid UTF-8, cut at a
 * character boundary, whatever the input and wherever the limit falls. */
START_TEST(quote_cuts_characters) {
        const char *const chars[] = { "é", "€", "\xf0\x9f\x98\x80" };
        const gsize limits[] = { 32, 64, MC_MAX_PARAM_NAME_LEN, MC_MAX_VERSION_LEN, MC_MAX_MODEL_LEN };
        for (gsize c = 0; c < G_N_ELEMENTS(chars); c++)
                for (gsize l = 0; l < G_N_ELEMENTS(limits); l++)
                        for (gsize n = limits[l] > 5 ? limits[l] - 5 : 0; n <= limits[l] + 1; n++) {
                                g_autofree char *a = g_strnfill(n, 'a');
                                g_autofree char *s = g_strconcat(a, chars[c], "z", NULL);
                                g_autofree char *q = mc_quote(s, limits[l]);
                                bool cut = strlen(s) > limits[l];
                                ck_assert_msg(g_utf8_validate(q, -1, NULL), "%zu+%s: not UTF-8", n, chars[c]);
                                ck_assert_uint_le(strlen(q), limits[l] + strlen("…"));
                                if (cut) {
                                        ck_assert(g_str_has_suffix(q, "…"));
                                        ck_assert(strncmp(q, s, strlen(q) - strlen("…")) == 0);
                                } else {
                                        ck_assert_str_eq(q, s);
                                }
                        }
        {
                g_autofree char *q = mc_quote("a\xff" "b\x01\\\xc3", 64);
                ck_assert_str_eq(q, "a\\xffb\\x01\\\\\\xc3");
        }
        {
                g_autofree char *q = mc_quote_len("ab\0c", 4, 64);
                ck_assert_str_eq(q, "ab\\x00c");
        }
        {
                g_autofree char *q = mc_text_sanitize("line 1\nline\t2 \x1b[31m\xfe");
                ck_assert_str_eq(q, "line 1\nline\t2 \\x1b[31m\\xfe");
        }
}
END_TEST

static Suite *parsers_suite(void) {
        Suite *s = suite_create("parsers");
        TCase *tc = tcase_create("info");
        tcase_add_test(tc, info_design_example);
        tcase_add_test(tc, info_ranges_normalized);
        tcase_add_test(tc, info_str_and_bool_allowed);
        tcase_add_test(tc, info_vendor_members_ignored);
        tcase_add_test(tc, info_errors_syntax);
        tcase_add_test(tc, info_errors_duplicates);
        tcase_add_test(tc, info_errors_limits);
        tcase_add_test(tc, info_errors_members);
        tcase_add_test(tc, info_errors_types);
        tcase_add_test(tc, info_errors_values);
        suite_add_tcase(s, tc);

        tc = tcase_create("device-models-text");
        tcase_add_test(tc, text_models);
        tcase_add_test(tc, text_errors);
        tcase_add_test(tc, merge_driver_attributes);
        suite_add_tcase(s, tc);

        tc = tcase_create("files");
        tcase_add_test(tc, datafile_match);
        tcase_add_test(tc, datafile_errors);
        tcase_add_test(tc, descriptor_read);
        suite_add_tcase(s, tc);

        tc = tcase_create("source");
        tcase_add_test(tc, source_read);
        tcase_add_test(tc, source_errors);
        tcase_add_test(tc, source_round_trip);
        suite_add_tcase(s, tc);

        tc = tcase_create("profile");
        tcase_add_test(tc, profile_round_trip);
        tcase_add_test(tc, profile_errors);
        tcase_add_test(tc, json_numbers_rfc8259);
        tcase_add_test(tc, json_numbers_every_reader);
        tcase_add_test(tc, json_unicode_strict);
        tcase_add_test(tc, quote_cuts_characters);
        suite_add_tcase(s, tc);
        return s;
}

MC_TEST_MAIN(parsers_suite)
