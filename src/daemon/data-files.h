/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The model data files (migcompat-formats(5)): facts for mdev drivers that publish
 * none, from mdev-models.d directories with override-by-name. The first
 * file in file-name order whose match fits a (driver, type) wins. A file
 * that does not parse is logged with its error and left out; the others
 * keep working. */

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

const McDataFile *mc_data_files_lookup(const McDataFiles *df, const char *driver,
                                       const char *type_id);
/* vfio-pci files: the first whose match fits a PCI function's identity
 * (McPair*: driver, vendor, device, ...). */
const McDataFile *mc_data_files_lookup_pci(const McDataFiles *df, const GPtrArray *identity);
/* Whether some file's match names this driver. */
bool mc_data_files_names_driver(const McDataFiles *df, const char *driver);
const char *const *mc_data_files_dirs(const McDataFiles *df);
guint mc_data_files_n_loaded(const McDataFiles *df);
guint mc_data_files_n_failed(const McDataFiles *df);
