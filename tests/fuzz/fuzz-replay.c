/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Without libFuzzer: run the target on every file named on the command
 * line (directories recursively), so every input once found stays a
 * regression test in every build. */

#include "fuzz.h"

static int replay(const char *path) {
        g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        int n = 0;

        if (dir) {
                const char *name;
                while ((name = g_dir_read_name(dir))) {
                        g_autofree char *child = g_build_filename(path, name, NULL);
                        n += replay(child);
                }
                return n;
        }
        if (!g_file_get_contents(path, &data, &len, NULL)) {
                fprintf(stderr, "cannot read %s\n", path);
                return 0;
        }
        LLVMFuzzerTestOneInput((const uint8_t *) data, len);
        return 1;
}

int main(int argc, char *argv[]) {
        int n = 0;
        for (int i = 1; i < argc; i++)
                n += replay(argv[i]);
        printf("replayed %d inputs\n", n);
        return n > 0 ? 0 : 1;
}
