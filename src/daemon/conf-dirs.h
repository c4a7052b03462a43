/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Configuration file directories with override-by-name, in the manner of
 * QEMU's vhost-user descriptors and systemd drop-ins: the directories are
 * given lowest precedence first (/usr/share/... then /etc/...); a file in a
 * later directory replaces the file of the same name in an earlier one,
 * and a later symlink to /dev/null masks the name altogether. Files are
 * taken in file-name order. Missing directories are empty. */

#include <glib.h>
#include <stdbool.h>

typedef struct {
        char *name; /* "virtio-net.json" */
        char *path; /* the winning file */
} McConfFile;

void mc_conf_file_free(McConfFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McConfFile, mc_conf_file_free)

/* Whether a directory entry name is one of ours: not hidden, no '/',
 * ends in suffix (".json") with something before it, valid UTF-8 without
 * control characters. */
bool mc_conf_name_valid(const char *name, const char *suffix);

/* Every file across dirs (NULL-terminated, lowest precedence first),
 * McConfFile*, sorted by name. Non-regular files, hidden files and names
 * without the suffix are skipped; unreadable directories are logged and
 * treated as empty, so this cannot fail. */
GPtrArray *mc_conf_dirs_list(const char *const *dirs, const char *suffix);

/* The winning path for one name (for incremental re-reads after a change
 * notification), or NULL when no directory has it, or it is masked. */
char *mc_conf_dirs_find(const char *const *dirs, const char *name);

/* Read a whole regular file of at most max_size bytes (0 means
 * MC_MAX_DOCUMENT_SIZE); data is NUL-terminated. Errors are MC_ERROR
 * (MC_ERROR_NOT_FOUND, MC_ERROR_LIMIT, MC_ERROR_IO) and name the path. */
bool mc_conf_file_read(const char *path, gsize max_size, char **ret_data, gsize *ret_len,
                       GError **error);
/* The same for an open fd (not closed); origin names it in errors. */
bool mc_conf_fd_read(int fd, const char *origin, gsize max_size, char **ret_data, gsize *ret_len,
                     GError **error);
