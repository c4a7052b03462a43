/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers shared by the engine tests. */

#include "mc-assert.h"
#include "mc-test-main.h"
#include <check.h>
#include <string.h>

#include "mc-compat.h"
#include "mc-error.h"
#include "mc-parse.h"
#include "mc-serialize.h"


static inline McInfo *test_info(const char *json) {
        g_autoptr(GError) error = NULL;
        McInfo *info = mc_info_parse(json, strlen(json), "test", &error);
        ck_assert_msg(info, "info did not parse: %s", error ? error->message : "?");
        return info;
}

static inline McImpl *test_mdev(const char *parent, const char *type, int64_t available,
                                McFactsFrom facts, const char *info_json) {
        g_autofree char *id = mc_mdev_impl_id(parent, type);
        McImpl *impl = mc_impl_new(MC_KIND_MDEV, id);
        impl->parent = g_strdup(parent);
        impl->type_id = g_strdup(type);
        impl->driver = g_strdup("testdrv");
        impl->device_api = g_strdup("vfio-pci");
        impl->available = available;
        if (info_json) {
                impl->info = test_info(info_json);
                impl->facts_from = facts;
                if (facts == MC_FACTS_DATA_FILE)
                        impl->facts_file = g_strdup("/usr/share/migcompat/mdev-models.d/test.json");
        } else {
                impl->facts_from = MC_FACTS_NONE;
                impl->not_migratable_reason = g_strdup("driver testdrv publishes no migration facts");
        }
        return impl;
}

static inline McImpl *test_vfio_user(const char *name, const char *binary, const char *info_json) {
        g_autofree char *id = mc_vfio_user_impl_id(name);
        McImpl *impl = mc_impl_new(MC_KIND_VFIO_USER, id);
        impl->descriptor = g_strdup(name);
        impl->binary = g_strdup(binary);
        g_strfreev(impl->args);
        impl->args = g_strsplit("--socket-dir /run/vfio-user", " ", -1);
        impl->info = test_info(info_json);
        impl->facts_from = MC_FACTS_PROGRAM;
        return impl;
}

static inline void test_put(McCatalog *cat, McImpl *impl) {
        McImpl *old = mc_catalog_put(cat, impl);
        if (old)
                mc_impl_unref(old);
}

static inline McSource *test_source(const char *json) {
        g_autoptr(GError) error = NULL;
        McSource *src = mc_source_parse(json, strlen(json), "source", &error);
        ck_assert_msg(src, "source did not parse: %s", error ? error->message : "?");
        return src;
}

/* Parse with the given parser and expect an MC_ERROR of code, whose message
 * contains every string in the NULL-terminated list. */
typedef void *(*TestParseFunc)(const char *data, gsize len, const char *origin, GError **error);

static inline void test_parse_fails(TestParseFunc parse, void (*free_func)(void *), const char *data,
                                    gsize len, int code, const char *const *contains) {
        g_autoptr(GError) error = NULL;
        void *res = parse(data, len, "input.json", &error);
        if (res)
                free_func(res);
        ck_assert_msg(res == NULL, "parsed but should fail: %.200s", data);
        ck_assert_msg(error != NULL, "no error set");
        ck_assert_msg(error->domain == MC_ERROR, "wrong domain: %s", error->message);
        ck_assert_msg(error->code == code, "expected code %s, got %s: %s", mc_error_code_name(code),
                      mc_error_code_name(error->code), error->message);
        for (; contains && *contains; contains++)
                ck_assert_contains(error->message, *contains);
}

static inline const McCandidate *test_find_candidate(const McDeviceResult *d, const char *impl_id) {
        for (guint i = 0; i < d->candidates->len; i++) {
                const McCandidate *c = d->candidates->pdata[i];
                if (strcmp(c->impl->id, impl_id) == 0)
                        return c;
        }
        ck_abort_msg("candidate %s not in result", impl_id);
        return NULL;
}

static inline bool test_has_reason(GPtrArray *reasons, McReasonCode code) {
        for (guint i = 0; i < reasons->len; i++)
                if (((McReason *) reasons->pdata[i])->code == code)
                        return true;
        return false;
}

static inline const char *test_reason_message(GPtrArray *reasons, McReasonCode code) {
        for (guint i = 0; i < reasons->len; i++)
                if (((McReason *) reasons->pdata[i])->code == code)
                        return ((McReason *) reasons->pdata[i])->message;
        return NULL;
}
