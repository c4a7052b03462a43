/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bounded, hardened reading of sysfs. Everything under /sys is input from
 * outside the daemon (a driver, or a mock in tests): files are opened
 * relative to an open directory (one path walk per directory, not per
 * attribute), never block (FIFOs and devices are refused), are read up to a
 * cap, and text is checked before anyone sees it. Errors are MC_ERROR and
 * name the full path:
 *   MC_ERROR_NOT_FOUND  the file or directory does not exist (callers decide
 *                       whether that is fine: most attributes are optional)
 *   MC_ERROR_IO         it exists but cannot be opened or read (permissions,
 *                       a symlink loop, a symlink where none belongs, ...)
 *   MC_ERROR_LIMIT      it is larger than the cap
 *   MC_ERROR_VALUE      its content is not what was asked for (NUL byte,
 *                       invalid UTF-8, not a number, not a symlink, ...) */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Cap for ordinary attributes; the kernel's own are at most a page. */
#define MC_SYSFS_ATTR_MAX (64 * 1024)

/* An open sysfs directory and its path (for messages). */
typedef struct McSysfsDir McSysfsDir;

/* Open an absolute directory path. The last component may be a symlink
 * (sysfs' class and bus views are symlinks to the device). */
McSysfsDir *mc_sysfs_dir_open(const char *path, GError **error);
/* Open a subdirectory; name is one component and must not be a symlink
 * (sysfs never puts a symlink where a kobject directory belongs). */
McSysfsDir *mc_sysfs_dir_open_at(const McSysfsDir *dir, const char *name, GError **error);
/* A handle for the subdirectory name (one component) that costs no
 * system call: what is read through it is resolved as name/attr below dir
 * in one call that refuses a symlink anywhere in it (openat2). Where the
 * kernel has no openat2 the directory is opened, as by
 * mc_sysfs_dir_open_at(), and errors come here; otherwise a problem with
 * the directory itself shows on the first read through the handle. */
McSysfsDir *mc_sysfs_dir_sub(const McSysfsDir *dir, const char *name, GError **error);
void mc_sysfs_dir_free(McSysfsDir *dir);
const char *mc_sysfs_dir_path(const McSysfsDir *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McSysfsDir, mc_sysfs_dir_free)

/* Whether name exists below dir (without following a final symlink). */
bool mc_sysfs_exists(const McSysfsDir *dir, const char *name);

/* The names in a subdirectory (name NULL: dir itself), sorted, without "."
 * and "..", at most max_entries (more is MC_ERROR_LIMIT). */
GPtrArray *mc_sysfs_list(const McSysfsDir *dir, const char *name, guint max_entries,
                         GError **error);

/* Read a text attribute of at most max bytes. A symlink is refused (sysfs
 * attributes are regular files). One trailing newline is removed (the
 * kernel's sysfs_emit("%s\n")); inner newlines are kept. NUL bytes and
 * invalid UTF-8 are MC_ERROR_VALUE. ret_len may be NULL. */
char *mc_sysfs_read_text(const McSysfsDir *dir, const char *name, gsize max, gsize *ret_len,
                         GError **error);

/* Read a decimal unsigned integer attribute ("3\n"), at most max. */
bool mc_sysfs_read_uint(const McSysfsDir *dir, const char *name, uint64_t max, uint64_t *ret,
                        GError **error);

/* A symlink's target as written; the link is not followed. */
char *mc_sysfs_read_link(const McSysfsDir *dir, const char *name, GError **error);

/* The last component of a symlink's target ("driver" -> "i915",
 * "mdev_type" -> "i915-GVTg_V5_4"); the link is not followed. */
char *mc_sysfs_read_link_basename(const McSysfsDir *dir, const char *name, GError **error);
