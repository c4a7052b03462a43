/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Readers for the two kinds of configuration file: model data files (facts
 * for mdev drivers that publish none) and vfio-user descriptors. */

#include <fnmatch.h>
#include <string.h>

#include "mc-error.h"
#include "mc-info-parse.h"
#include "mc-json.h"
#include "mc-parse.h"

#define MC_MAX_ARGS 64
#define MC_MAX_PATH_LEN 4096

static const char *check_glob(const char *s) {
        size_t len = strlen(s);
        if (len == 0 || len > MC_MAX_ID_LEN)
                return "a match pattern is 1 to 255 characters";
        for (const char *p = s; *p; p++)
                if (*p <= 0x20 || *p > 0x7e)
                        return "a match pattern is printable ASCII without whitespace";
        return NULL;
}

static const char *check_abs_path(const char *s) {
        if (strlen(s) > MC_MAX_PATH_LEN)
                return "a path is at most 4096 bytes";
        if (s[0] != '/')
                return "the program must be named by an absolute path";
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return "a path holds no control characters";
        return NULL;
}

void mc_data_file_free(McDataFile *f) {
        if (!f)
                return;
        g_free(f->origin);
        g_free(f->match_driver);
        g_free(f->match_type);
        if (f->match_pci)
                g_ptr_array_unref(f->match_pci);
        g_free(f->description);
        if (f->info)
                mc_info_unref(f->info);
        g_free(f);
}

/* The models of a data file: derived-version templates allowed; a model
 * needs a version, fixed or derived, or parameters to be of any use. */
static bool data_file_read_models(McJsonCursor *c, JsonObject *o, McDataFile *f, GError **error) {
        gsize mark;

        f->info = mc_info_new();
        mark = mc_json_push_member(c, "models");
        if (!mc_info_parse_models_node_full(c, json_object_get_member(o, "models"), f->info,
                                            MC_MODELS_DERIVED_TEMPLATE, error))
                return false;
        if (f->info->models->len == 0)
                return mc_json_fail(c, error, MC_ERROR_VALUE, "expected at least one device model");
        for (guint i = 0; i < f->info->models->len; i++)
                if (((McModel *) f->info->models->pdata[i])->derived_template)
                        f->derived = true;
        mc_json_pop(c, mark);
        return true;
}

static McDataFile *data_file_read(McJsonCursor *c, JsonNode *root, GError **error) {
        static const char *const members[] = { "match", "models", "description", NULL };
        static const char *const required[] = { "match", "models", NULL };
        static const char *const match_members[] = { "driver", "type", NULL };
        g_autoptr(McDataFile) f = g_new0(McDataFile, 1);
        JsonObject *o, *mo;
        gsize mark;

        o = mc_json_expect_object(c, root, members, required, error);
        if (!o)
                return NULL;

        mark = mc_json_push_member(c, "match");
        mo = mc_json_expect_object(c, json_object_get_member(o, "match"), match_members, NULL, error);
        if (!mo)
                return NULL;
        if (!mc_json_member_string(c, mo, "driver", false, check_glob, &f->match_driver, error) ||
            !mc_json_member_string(c, mo, "type", false, check_glob, &f->match_type, error))
                return NULL;
        if (!f->match_driver && !f->match_type) {
                mc_json_fail(c, error, MC_ERROR_MISSING_MEMBER,
                             "expected \"driver\", \"type\" or both (a file matching every type is a mistake)");
                return NULL;
        }
        mc_json_pop(c, mark);

        if (!mc_json_member_string(c, o, "description", false, mc_check_text, &f->description, error))
                return NULL;
        if (!data_file_read_models(c, o, f, error))
                return NULL;
        return g_steal_pointer(&f);
}

/* The identity values a vfio-pci file may match on, besides driver. */
static const char *const pci_match_members[] = { "driver", "vendor", "device", "subsystem-vendor",
                                                 "subsystem-device", "class", "pf-driver", NULL };

static McDataFile *pci_data_file_read(McJsonCursor *c, JsonNode *root, GError **error) {
        static const char *const members[] = { "match", "models", "description", NULL };
        static const char *const required[] = { "match", "models", NULL };
        static const char *const match_required[] = { "driver", NULL };
        g_autoptr(McDataFile) f = g_new0(McDataFile, 1);
        JsonObject *o, *mo;
        gsize mark;

        o = mc_json_expect_object(c, root, members, required, error);
        if (!o)
                return NULL;

        mark = mc_json_push_member(c, "match");
        mo = mc_json_expect_object(c, json_object_get_member(o, "match"), pci_match_members,
                                   match_required, error);
        if (!mo)
                return NULL;
        f->match_pci = mc_pairs_new();
        for (guint i = 0; pci_match_members[i]; i++) {
                g_autofree char *glob = NULL;
                if (!mc_json_member_string(c, mo, pci_match_members[i], false, check_glob, &glob, error))
                        return NULL;
                if (glob)
                        mc_pairs_set(f->match_pci, pci_match_members[i], glob);
        }
        f->match_driver = g_strdup(mc_pairs_get(f->match_pci, "driver"));
        mc_json_pop(c, mark);

        if (!mc_json_member_string(c, o, "description", false, mc_check_text, &f->description, error))
                return NULL;
        if (!data_file_read_models(c, o, f, error))
                return NULL;
        return g_steal_pointer(&f);
}

static McDataFile *parse_with(McDataFile *(*reader)(McJsonCursor *, JsonNode *, GError **),
                              const char *data, gsize len, const char *origin, GError **error) {
        g_autoptr(JsonNode) root = mc_json_parse(data, len, origin, error);
        McJsonCursor c;
        McDataFile *f;

        if (!root)
                return NULL;
        mc_json_cursor_init(&c, origin);
        f = reader(&c, root, error);
        mc_json_cursor_clear(&c);
        if (f)
                f->origin = g_strdup(origin);
        return f;
}

McDataFile *mc_data_file_parse(const char *data, gsize len, const char *origin, GError **error) {
        return parse_with(data_file_read, data, len, origin, error);
}

McDataFile *mc_pci_data_file_parse(const char *data, gsize len, const char *origin,
                                   GError **error) {
        return parse_with(pci_data_file_read, data, len, origin, error);
}

bool mc_data_file_matches(const McDataFile *f, const char *driver, const char *type_id) {
        if (f->match_driver && (!driver || fnmatch(f->match_driver, driver, 0) != 0))
                return false;
        if (f->match_type && (!type_id || fnmatch(f->match_type, type_id, 0) != 0))
                return false;
        return true;
}

bool mc_pci_data_file_matches(const McDataFile *f, const GPtrArray *identity) {
        if (!f->match_pci)
                return false;
        for (guint i = 0; i < f->match_pci->len; i++) {
                const McPair *m = f->match_pci->pdata[i];
                const char *v = mc_pairs_get(identity, m->name);
                if (!v || fnmatch(m->value, v, 0) != 0)
                        return false;
        }
        return true;
}

/* ---- vfio-user descriptors ---------------------------------------------- */

void mc_descriptor_free(McDescriptor *d) {
        if (!d)
                return;
        g_free(d->description);
        g_free(d->binary);
        g_strfreev(d->args);
        g_free(d);
}

static McDescriptor *descriptor_read(McJsonCursor *c, JsonNode *root, GError **error) {
        static const char *const members[] = { "description", "binary", "args", NULL };
        static const char *const required[] = { "binary", NULL };
        g_autoptr(McDescriptor) d = g_new0(McDescriptor, 1);
        g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
        JsonObject *o;

        o = mc_json_expect_object(c, root, members, required, error);
        if (!o)
                return NULL;
        if (!mc_json_member_string(c, o, "description", false, mc_check_text, &d->description, error) ||
            !mc_json_member_string(c, o, "binary", false, check_abs_path, &d->binary, error))
                return NULL;

        if (json_object_has_member(o, "args")) {
                gsize mark = mc_json_push_member(c, "args");
                JsonArray *a = mc_json_expect_array(c, json_object_get_member(o, "args"),
                                                    MC_MAX_ARGS, error);
                if (!a)
                        return NULL;
                for (guint i = 0; i < json_array_get_length(a); i++) {
                        gsize imark = mc_json_push_index(c, i);
                        const char *s = mc_json_expect_string(c, json_array_get_element(a, i),
                                                              mc_check_str_value, error);
                        if (!s)
                                return NULL;
                        if (strcmp(s, "--print-migration-info-json") == 0 ||
                            g_str_has_prefix(s, "--migration-") || g_str_has_prefix(s, "--m-")) {
                                mc_json_fail(c, error, MC_ERROR_VALUE,
                                             "\"%s\" is added by migcompat itself; fixed arguments cannot hold it",
                                             s);
                                return NULL;
                        }
                        g_ptr_array_add(args, g_strdup(s));
                        mc_json_pop(c, imark);
                }
                mc_json_pop(c, mark);
        }
        g_ptr_array_add(args, NULL);
        d->args = (GStrv) g_ptr_array_free(g_steal_pointer(&args), false);
        return g_steal_pointer(&d);
}

McDescriptor *mc_descriptor_parse(const char *data, gsize len, const char *origin, GError **error) {
        g_autoptr(JsonNode) root = mc_json_parse(data, len, origin, error);
        McJsonCursor c;
        McDescriptor *d;

        if (!root)
                return NULL;
        mc_json_cursor_init(&c, origin);
        d = descriptor_read(&c, root, error);
        mc_json_cursor_clear(&c);
        return d;
}
