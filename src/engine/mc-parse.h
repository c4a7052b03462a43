/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Strict readers for every format of migcompat-formats(5). "origin" names the
 * input in error messages: a file path, "D-Bus argument", "stdin". Errors
 * are MC_ERROR and read "ORIGIN: $.json.path: what was expected". */

#include "mc-types.h"

/* Migration information JSON (--print-migration-info-json, the mdev type
 * attribute migration_info.json). */
McInfo *mc_info_parse(const char *data, gsize len, const char *origin, GError **error);

/* RFC v4 text attribute migration_device_models: "<model>:" lines each
 * followed by one version string per line. */
McInfo *mc_info_parse_device_models(const char *data, gsize len, const char *origin,
                                    GError **error);

/* What a driver publishes may come in both attributes: versions from the
 * text one, parameters and capabilities from the JSON one. Either may be
 * NULL (not both). Models listed in both must agree on versions. */
McInfo *mc_info_merge(McInfo *json_info, McInfo *text_info, const char *origin, GError **error);

/* Model data file: {"match": {"driver": GLOB, "type": GLOB}, "models": {...}}
 * (mdev-models.d), or {"match": {"driver": GLOB, "vendor": GLOB, ...},
 * "models": {...}} (vfio-pci-models.d). A model may give a
 * "derived-version" template (McModel.derived_template; its versions then
 * hold only the further, listed ones): the daemon expands it per device. */
typedef struct {
        char *origin;       /* path it was read from */
        char *match_driver; /* NULL: any */
        char *match_type;   /* NULL: any (mdev files) */
        /* vfio-pci files: identity name ("vendor", "device",
         * "subsystem-vendor", "subsystem-device", "class", "pf-driver") ->
         * glob, McPair*; NULL for mdev files. */
        GPtrArray *match_pci;
        char *description;  /* may be NULL */
        McInfo *info;
        bool derived;       /* some model has a derived-version template */
} McDataFile;

McDataFile *mc_data_file_parse(const char *data, gsize len, const char *origin, GError **error);
bool mc_data_file_matches(const McDataFile *f, const char *driver, const char *type_id);
/* A vfio-pci-models.d file. */
McDataFile *mc_pci_data_file_parse(const char *data, gsize len, const char *origin,
                                   GError **error);
/* identity: a PCI function's identity (McPair*: driver, vendor, ...). A
 * member the identity lacks never matches. */
bool mc_pci_data_file_matches(const McDataFile *f, const GPtrArray *identity);
void mc_data_file_free(McDataFile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDataFile, mc_data_file_free)

/* vfio-user descriptor: {"description": "...", "binary": "/abs", "args": [...]} */
typedef struct {
        char *description; /* may be NULL */
        char *binary;
        GStrv args; /* never NULL */
} McDescriptor;

McDescriptor *mc_descriptor_parse(const char *data, gsize len, const char *origin, GError **error);
void mc_descriptor_free(McDescriptor *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McDescriptor, mc_descriptor_free)

/* Source description: {"devices": [{"id", "model", "version", "params", "requires"}]} */
McSource *mc_source_parse(const char *data, gsize len, const char *origin, GError **error);

/* Host profile (export). */
typedef struct {
        char *hostname;
        char *machine_id;
        guint64 generation;
        char *daemon_version;
        /* When the daemon answered (host.exported-at), seconds since the
         * epoch; -1 when the profile does not say (an older daemon). */
        gint64 exported_at;
        GPtrArray *impls; /* McImpl*, owned refs, in document order */
} McProfile;

McProfile *mc_profile_parse(const char *data, gsize len, const char *origin, GError **error);
void mc_profile_free(McProfile *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McProfile, mc_profile_free)

/* Read a whole file of at most max_size bytes, or "-" for stdin: the one
 * helper with I/O here, for the CLI and the tests. */
bool mc_read_document(const char *path, gsize max_size, char **ret_data, gsize *ret_len,
                      GError **error);
