/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The model data files the project ships (data/mdev-models.d,
 * data/vfio-pci-models.d) load with the engine's strict readers, say where
 * their facts come from, and derive versions that are version strings.
 *
 * The vfio-pci reader and derived-version templates arrive with the vfio-pci
 * source; until the engine has them (CMake defines MC_HAVE_PCI_DATA_FILES
 * and MC_HAVE_TEMPLATES when it does), the files that need them are reported
 * as not checked and everything else still is. */

#include "mc-test.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

#ifdef MC_HAVE_TEMPLATES
#include "mc-template.h"
#endif

typedef enum { KIND_MDEV, KIND_PCI } Kind;

/* text with the first occurrence of old replaced by new. */
static char *replace_once(const char *text, const char *old, const char *new) {
        const char *at = strstr(text, old);
        ck_assert_msg(at, "\"%s\" not found", old);
        return g_strdup_printf("%.*s%s%s", (int) (at - text), text, new, at + strlen(old));
}

static const char *const capability_words[] = { "stop-copy", "pre-copy", "p2p", "dirty-tracking",
                                                NULL };

static gint by_path(gconstpointer a, gconstpointer b) {
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The shipped files of one directory, sorted, as full paths. */
static GPtrArray *shipped(const char *subdir) {
        const char *top = g_getenv("MC_SOURCE_DIR");
        g_autofree char *dir = NULL;
        g_autoptr(GDir) d = NULL;
        g_autoptr(GError) error = NULL;
        GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        ck_assert_msg(top, "MC_SOURCE_DIR is not set (run through ctest)");
        dir = g_build_filename(top, "data", subdir, NULL);
        d = g_dir_open(dir, 0, &error);
        ck_assert_msg(d, "%s: %s", dir, error ? error->message : "?");
        while ((name = g_dir_read_name(d))) {
                if (strcmp(name, "README") == 0)
                        continue;
                /* Only NN-name.json is ever loaded; anything else here is a mistake. */
                ck_assert_msg(g_str_has_suffix(name, ".json") && g_ascii_isdigit(name[0]) &&
                                      g_ascii_isdigit(name[1]) && name[2] == '-',
                              "%s/%s: shipped files are named NN-name.json", dir, name);
                g_ptr_array_add(files, g_build_filename(dir, name, NULL));
        }
        g_ptr_array_sort(files, by_path);
        return files;
}

static JsonNode *read_json(const char *path, char **text, gsize *len) {
        g_autoptr(GError) error = NULL;
        JsonNode *root;

        ck_assert_msg(g_file_get_contents(path, text, len, &error), "%s: %s", path,
                      error ? error->message : "?");
        root = json_from_string(*text, &error);
        ck_assert_msg(root && JSON_NODE_HOLDS_OBJECT(root), "%s: not a JSON object: %s", path,
                      error ? error->message : "?");
        return root;
}

/* Every file says where its facts come from: "x-sources", a non-empty list
 * of non-empty strings. The readers ignore x- members, so this is checked
 * here. */
static void check_sources(const char *path, JsonObject *o) {
        JsonArray *a;

        ck_assert_msg(json_object_has_member(o, "x-sources"), "%s: no \"x-sources\"", path);
        ck_assert_msg(JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "x-sources")),
                      "%s: \"x-sources\" is not a list", path);
        a = json_object_get_array_member(o, "x-sources");
        ck_assert_msg(json_array_get_length(a) > 0, "%s: \"x-sources\" is empty", path);
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *n = json_array_get_element(a, i);
                ck_assert_msg(JSON_NODE_HOLDS_VALUE(n) &&
                                      json_node_get_value_type(n) == G_TYPE_STRING &&
                                      strlen(json_node_get_string(n)) > 10,
                              "%s: x-sources[%u] is not a citation", path, i);
        }
}

/* Each model gives a version, fixed or derived, and only known capability
 * words. Returns whether some model has a derived version. */
static bool check_models(const char *path, JsonObject *o) {
        JsonObject *models;
        g_autoptr(GList) names = NULL;
        bool derived = false;

        ck_assert_msg(JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "models")),
                      "%s: \"models\" is not an object", path);
        models = json_object_get_object_member(o, "models");
        names = json_object_get_members(models);
        ck_assert_msg(names, "%s: no model", path);
        for (GList *l = names; l; l = l->next) {
                JsonObject *m = json_object_get_object_member(models, l->data);
                ck_assert_msg(m, "%s: model %s is not an object", path, (char *) l->data);
                ck_assert_msg(json_object_has_member(m, "versions") ||
                                      json_object_has_member(m, "derived-version"),
                              "%s: model %s has neither versions nor a derived version", path,
                              (char *) l->data);
                if (json_object_has_member(m, "derived-version"))
                        derived = true;
                if (json_object_has_member(m, "x-capabilities")) {
                        JsonArray *caps = json_object_get_array_member(m, "x-capabilities");
                        ck_assert_msg(caps, "%s: x-capabilities is not a list", path);
                        for (guint i = 0; i < json_array_get_length(caps); i++) {
                                const char *c = json_array_get_string_element(caps, i);
                                ck_assert_msg(c && g_strv_contains(capability_words, c),
                                              "%s: unknown capability \"%s\"", path,
                                              c ? c : "(not a string)");
                        }
                }
        }
        return derived;
}

#ifdef MC_HAVE_TEMPLATES
/* Expanding each derived template with plausible values gives a version
 * string, and each placeholder changes it: two hosts that differ in any
 * value the file names get different versions. */
static void check_templates(const char *path, JsonObject *o) {
        JsonObject *models = json_object_get_object_member(o, "models");
        g_autoptr(GList) names = json_object_get_members(models);

        for (GList *l = names; l; l = l->next) {
                JsonObject *m = json_object_get_object_member(models, l->data);
                const char *tmpl;
                g_autoptr(GPtrArray) placeholders = NULL;
                g_autoptr(GPtrArray) values = NULL;
                g_autoptr(GError) error = NULL;
                g_autofree char *version = NULL;

                if (!json_object_has_member(m, "derived-version"))
                        continue;
                tmpl = json_object_get_string_member(m, "derived-version");
                ck_assert_msg(mc_template_check(tmpl, &error), "%s: %s", path,
                              error ? error->message : "?");
                placeholders = mc_template_names(tmpl);
                ck_assert_msg(placeholders->len > 0, "%s: template \"%s\" derives from nothing",
                              path, tmpl);
                values = mc_pairs_new();
                for (guint i = 0; i < placeholders->len; i++)
                        mc_pairs_set(values, placeholders->pdata[i], "A1.2");
                version = mc_template_expand(tmpl, values, &error);
                ck_assert_msg(version, "%s: \"%s\" does not expand: %s", path, tmpl,
                              error ? error->message : "?");
                for (guint i = 0; i < placeholders->len; i++) {
                        g_autoptr(GPtrArray) other = mc_pairs_copy(values);
                        g_autofree char *v2 = NULL;
                        mc_pairs_set(other, placeholders->pdata[i], "B3.4");
                        v2 = mc_template_expand(tmpl, other, NULL);
                        ck_assert_msg(v2 && strcmp(v2, version) != 0,
                                      "%s: {%s} does not change the version of \"%s\"", path,
                                      (char *) placeholders->pdata[i], tmpl);
                }
        }
}
#endif

/* Check one file, and load it with the reader the daemon uses for its
 * directory; a file this engine has no reader for is added to pending. */
static void check_file(const char *path, Kind kind, GString *pending) {
        g_autofree char *text = NULL;
        gsize len = 0;
        g_autoptr(JsonNode) root = read_json(path, &text, &len);
        JsonObject *o = json_node_get_object(root);
        JsonObject *match;
        bool derived;
        g_autoptr(GError) error = NULL;
        McDataFile *f = NULL;

        check_sources(path, o);
        derived = check_models(path, o);
        match = json_object_get_object_member(o, "match");
        ck_assert_msg(match, "%s: no \"match\" object", path);
        if (kind == KIND_PCI) {
                const char *drv = json_object_get_string_member_with_default(match, "driver", "");
                ck_assert_msg(*drv, "%s: a vfio-pci file matches a driver", path);
                /* Plain vfio-pci has no migration support (vfio_pci.c sets no
                 * migration ops): a file claiming it would be a lie. */
                ck_assert_msg(strcmp(drv, "vfio-pci") != 0 && strcmp(drv, "vfio*") != 0,
                              "%s: plain vfio-pci does not migrate", path);
        }

#ifdef MC_HAVE_PCI_DATA_FILES
        if (kind == KIND_PCI)
                f = mc_pci_data_file_parse(text, len, path, &error);
        else
                f = mc_data_file_parse(text, len, path, &error);
        ck_assert_msg(f, "%s does not load: %s", path, error ? error->message : "?");
        ck_assert_msg(f->derived == derived, "%s: the reader %s a derived version", path,
                      f->derived ? "found" : "missed");
#else
        if (kind == KIND_PCI || derived) {
                g_string_append_printf(pending, " %s", path);
        } else {
                f = mc_data_file_parse(text, len, path, &error);
                ck_assert_msg(f, "%s does not load: %s", path, error ? error->message : "?");
        }
#endif
#ifdef MC_HAVE_TEMPLATES
        check_templates(path, o);
#endif
        mc_data_file_free(f);
}

static void check_dir(const char *subdir, Kind kind, guint at_least) {
        g_autoptr(GPtrArray) files = shipped(subdir);
        g_autoptr(GString) pending = g_string_new(NULL);

        ck_assert_msg(files->len >= at_least, "data/%s: %u files, expected at least %u", subdir,
                      files->len, at_least);
        for (guint i = 0; i < files->len; i++)
                check_file(files->pdata[i], kind, pending);
        if (pending->len)
                printf("not checked (this engine reads no derived versions / vfio-pci files):%s\n",
                       pending->str);
}

START_TEST(mdev_files) {
        /* mtty-1, mtty-2, NVIDIA vGPU */
        check_dir("mdev-models.d", KIND_MDEV, 3);
}
END_TEST

START_TEST(pci_files) {
        /* one per VF device model of the six variant drivers */
        check_dir("vfio-pci-models.d", KIND_PCI, 11);
}
END_TEST

/* The readers used above are strict: the same shipped file with one unknown
 * member or a bad capability does not load. Without this, "loads" would
 * prove little. */
START_TEST(readers_are_strict) {
        const char *top = g_getenv("MC_SOURCE_DIR");
        g_autofree char *path = g_build_filename(top, "data", "mdev-models.d", "10-mtty-1.json", NULL);
        g_autofree char *text = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *bad_member = NULL;
        g_autofree char *bad_cap = NULL;
        McDataFile *f;

        ck_assert(g_file_get_contents(path, &text, NULL, NULL));
        ck_assert(strstr(text, "\"match\""));
        bad_member = replace_once(text, "\"match\"", "\"matches\": {}, \"match\"");
        f = mc_data_file_parse(bad_member, strlen(bad_member), "bad-member", &error);
        ck_assert_msg(!f, "an unknown member was accepted");
        g_clear_error(&error);
        bad_cap = replace_once(text, "\"p2p\"", "\"teleport\"");
        f = mc_data_file_parse(bad_cap, strlen(bad_cap), "bad-cap", &error);
        ck_assert_msg(!f, "an unknown capability was accepted");
}
END_TEST

int main(void) {
        Suite *s = suite_create("shipped-data");
        TCase *tc = tcase_create("files");

        tcase_add_test(tc, mdev_files);
        tcase_add_test(tc, pci_files);
        tcase_add_test(tc, readers_are_strict);
        suite_add_tcase(s, tc);
        return mc_test_run(s);
}
