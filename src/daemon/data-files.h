/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The model data files (migcompat-formats(5)): facts for mdev drivers that publish
 * none, from mdev-models.d directories with override-by-name. The first
 * file in file-name order whose match fits a (driver, type) wins. A file
 * that does not parse is logged with its error and left out; the others
 * keep working.
 *
 * A file that is not trusted (trust.h: it, or a directory on its path, is
 * not root's or is writable by group or others) is still read, for its
 * match rules only: it keeps its place in the file-name order and, as any
 * file, replaces the one of the same name in a directory of lower
 * precedence. What it matches gets no facts but the reason it is not
 * trusted, so what an admin sees names the file and the fix instead of
 * silently falling back to another file (or to "none matches"). Whether it
 * is trusted is decided again on every load or reload of its name: a chown
 * or chmod (IN_ATTRIB) takes effect on the next change notification. */

#include <glib.h>

#include "mc-parse.h"

typedef struct McDataFiles McDataFiles;

/* dirs: lowest precedence first, NULL-terminated (copied). */
McDataFiles *mc_data_files_new(const char *const *dirs);
/* The same for vfio-pci-models.d (mc_pci_data_file_parse()). */
McDataFiles *mc_data_files_new_pci(const char *const *dirs);
void mc_data_files_free(McDataFiles *df);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDataFiles, mc_data_files_free)

/* Read every file again. Returns whether anything changed. */
bool mc_data_files_load(McDataFiles *df);
/* Re-read only these file names (from a directory watch). */
bool mc_data_files_reload_names(McDataFiles *df, const GPtrArray *names);

/* The file whose facts a (driver, type) takes, or NULL. untrusted (may be
 * NULL) is set to NULL, or, when the file that matches is not trusted, to
 * the not-migratable reason ("model data file P is not trusted: ...; fix:
 * ..."; owned by df, valid until the next load) and NULL is returned. */
const McDataFile *mc_data_files_lookup(const McDataFiles *df, const char *driver,
                                       const char *type_id, const char **untrusted);
/* vfio-pci files: the first whose match fits a PCI function's identity
 * (McPair*: driver, vendor, device, ...); untrusted as above. */
const McDataFile *mc_data_files_lookup_pci(const McDataFiles *df, const GPtrArray *identity,
                                           const char **untrusted);
/* Whether some file's match names this driver (an untrusted file's too:
 * what it would match is listed, as not migratable). */
bool mc_data_files_names_driver(const McDataFiles *df, const char *driver);
const char *const *mc_data_files_dirs(const McDataFiles *df);
/* Files in use, and the rest (that do not parse or are not trusted). */
guint mc_data_files_n_loaded(const McDataFiles *df);
guint mc_data_files_n_failed(const McDataFiles *df);
