/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The reference of the fleet benchmarks (bench/README.md): read every
 * *.json file below the paths given (directories are walked, dot-files
 * left out, as migcompatctl does) and parse it with json-glib, nothing
 * else. What a fleet command costs beyond this is what it does with the
 * documents.
 *
 *   mc-fleet-parse PATH...
 *
 * Prints the number of files and bytes read; exits 1 when one does not
 * parse. */

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
        guint64 files, bytes;
        guint failed;
} Totals;

static void parse_file(const char *path, Totals *t) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autofree char *data = NULL;
        gsize len = 0;

        if (!g_file_get_contents(path, &data, &len, NULL) ||
            !json_parser_load_from_data(parser, data, (gssize) len, NULL)) {
                t->failed++;
                return;
        }
        t->files++;
        t->bytes += len;
}

static gint str_cmp(gconstpointer a, gconstpointer b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void walk(const char *path, Totals *t) {
        g_autoptr(GDir) dir = NULL;
        g_autoptr(GPtrArray) names = NULL;
        const char *name;
        struct stat st;

        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
                parse_file(path, t);
                return;
        }
        dir = g_dir_open(path, 0, NULL);
        if (!dir) {
                t->failed++;
                return;
        }
        names = g_ptr_array_new_with_free_func(g_free);
        while ((name = g_dir_read_name(dir)))
                if (name[0] != '.')
                        g_ptr_array_add(names, g_build_filename(path, name, NULL));
        g_ptr_array_sort(names, str_cmp);
        for (guint i = 0; i < names->len; i++) {
                const char *p = names->pdata[i];
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                        walk(p, t);
                else if (g_str_has_suffix(p, ".json"))
                        parse_file(p, t);
        }
}

int main(int argc, char *argv[]) {
        Totals t = { 0 };

        for (int i = 1; i < argc; i++)
                walk(argv[i], &t);
        printf("%" G_GUINT64_FORMAT " files, %" G_GUINT64_FORMAT " bytes parsed, %u failed\n", t.files, t.bytes,
               t.failed);
        return t.failed ? 1 : 0;
}
