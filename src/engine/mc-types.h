/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The engine's data model (docs/ARCHITECTURE.md; the formats:
 * migcompat-formats(5)). Everything here is plain
 * memory: no I/O. Migration information and implementations are immutable
 * once built and reference counted, so the registry can swap an
 * implementation while a D-Bus reply or a check result still holds the old
 * one, and types that share a data file share one McInfo. */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Bounds on everything read from outside (see migcompat-formats(5)). */
#define MC_MAX_DOCUMENT_SIZE (1024 * 1024)
#define MC_MAX_PROFILE_SIZE (64 * 1024 * 1024)
#define MC_MAX_PROFILE_IMPLS 100000
#define MC_MAX_JSON_DEPTH 32
#define MC_MAX_MODEL_LEN 255
#define MC_MAX_VERSION_LEN 128
#define MC_MAX_PARAM_NAME_LEN 64
#define MC_MAX_STRING_LEN 4096
#define MC_MAX_MODELS 64
#define MC_MAX_VERSIONS 64
#define MC_MAX_PARAMS 256
#define MC_MAX_ALLOWED 1024
#define MC_MAX_DEVICES 256
#define MC_MAX_ID_LEN 255

typedef enum {
        MC_PARAM_BOOL,
        MC_PARAM_INT,
        MC_PARAM_STR,
} McParamType;

const char *mc_param_type_to_string(McParamType t);

/* A typed parameter value. */
typedef struct {
        McParamType type;
        bool b;
        int64_t i;
        char *s; /* owned, MC_PARAM_STR only */
} McValue;

void mc_value_clear(McValue *v);
void mc_value_copy(McValue *dst, const McValue *src);
bool mc_value_equal(const McValue *a, const McValue *b);
/* The form sysfs and command lines use: "on"/"off", decimal, the string. */
char *mc_value_to_string(const McValue *v);

typedef struct {
        int64_t min, max;
} McIntRange;

typedef struct {
        char *name;
        McParamType type;
        McValue init_value;
        bool has_off;
        McValue off_value;
        /* allowed_values; has_allowed false means any value of the type. */
        bool has_allowed;
        GArray *allowed_ranges;   /* McIntRange, MC_PARAM_INT, sorted */
        GPtrArray *allowed_strs;  /* char*, MC_PARAM_STR */
        unsigned allowed_bools;   /* bit 0: false allowed, bit 1: true allowed */
        char *description;        /* may be NULL */
} McParam;

McParam *mc_param_new(const char *name, McParamType type);
void mc_param_unref_generic(gpointer p); /* frees an McParam (GDestroyNotify) */
bool mc_param_allows(const McParam *p, const McValue *v);
/* "1-8, 16" / "on" / "any": for messages and D-Bus. */
char *mc_param_allowed_to_string(const McParam *p);
/* Each allowed entry as a string ("1-8", "16", "on"); empty when any. */
GPtrArray *mc_param_allowed_strv(const McParam *p);

typedef enum {
        MC_CAP_STOP_COPY = 1u << 0,
        MC_CAP_PRE_COPY = 1u << 1,
        MC_CAP_P2P = 1u << 2,
        MC_CAP_DIRTY_TRACKING = 1u << 3,
        MC_CAP_ALL = (1u << 4) - 1,
} McCap;

const char *mc_cap_to_string(McCap c);
/* 0 when unknown. */
McCap mc_cap_from_string(const char *s);
/* "stop-copy, pre-copy" */
char *mc_caps_to_string(unsigned caps);

/* A name and a value: the identity values a version was derived from,
 * the identity of a PCI function. Kept in arrays sorted by name. */
typedef struct {
        char *name;
        char *value;
} McPair;

GPtrArray *mc_pairs_new(void);
/* Set (add or replace) name; keeps the array sorted. */
void mc_pairs_set(GPtrArray *pairs, const char *name, const char *value);
const char *mc_pairs_get(const GPtrArray *pairs, const char *name);
/* NULL and empty are equal. */
bool mc_pairs_equal(const GPtrArray *a, const GPtrArray *b);
GPtrArray *mc_pairs_copy(const GPtrArray *pairs); /* NULL for NULL */

/* One device model an implementation offers. */
typedef struct {
        char *model;
        GPtrArray *versions;  /* char*, preferred first; may be empty (RFC v3) */
        GPtrArray *params;    /* McParam*, sorted by name */
        bool caps_known;      /* x-capabilities present */
        unsigned caps;        /* McCap bits, meaningful when caps_known */
        /* A derived version (migcompat-formats(5)): in a model data file the
         * template; once expanded on a host, versions[0] is its result and
         * derived_from the values it was made of (McPair*, placeholder
         * name -> value). NULL when the model has no derived version. */
        char *derived_template;
        GPtrArray *derived_from;
} McModel;

McModel *mc_model_new(const char *model);
McModel *mc_model_copy(const McModel *m); /* deep */
void mc_model_free(McModel *m);
/* Call after adding params: lookups binary-search them by name. */
void mc_model_sort_params(McModel *m);
const McParam *mc_model_find_param(const McModel *m, const char *name);
/* Index of version in versions, -1 when absent. */
int mc_model_version_index(const McModel *m, const char *version);

/* Migration information: what a driver, a data file or a program says. */
typedef struct {
        gint ref;
        GPtrArray *models; /* McModel*, in document order */
} McInfo;

McInfo *mc_info_new(void);
McInfo *mc_info_ref(McInfo *info);
void mc_info_unref(McInfo *info);
const McModel *mc_info_find_model(const McInfo *info, const char *model);
bool mc_info_equal(const McInfo *a, const McInfo *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McInfo, mc_info_unref)

typedef enum {
        MC_KIND_MDEV,
        MC_KIND_VFIO_USER,
        MC_KIND_VFIO_PCI,
} McKind;

const char *mc_kind_to_string(McKind k);
int mc_kind_from_string(const char *s); /* -1 when unknown */

typedef enum {
        MC_FACTS_NONE,      /* not migratable / probe failed */
        MC_FACTS_DRIVER,    /* the mdev type's migration attributes */
        MC_FACTS_DATA_FILE, /* a model data file */
        MC_FACTS_PROGRAM,   /* a vfio-user program's --print-migration-info-json */
} McFactsFrom;

const char *mc_facts_from_to_string(McFactsFrom f);
int mc_facts_from_from_string(const char *s); /* -1 when unknown */

/* McImpl.available: a count, or one of these. */
#define MC_AVAILABLE_UNLIMITED (-1) /* a program can run many times */
/* One device whose use cannot be seen (a PCI function on a VFIO driver:
 * sysfs does not show whether a VM holds it). Never counted as free: a
 * check names it in a note (see mc-compat.h). */
#define MC_AVAILABLE_UNKNOWN (-2)

/* A device implementation on this host: an mdev type, a vfio-user
 * program or a PCI function on a VFIO driver. Immutable once published;
 * replace to change. */
typedef struct {
        gint ref;
        char *id;       /* "mdev:<parent>:<type-id>", "vfio-user:<descriptor name>",
                           "vfio-pci:<address>" */
        McKind kind;

        /* mdev identity */
        char *parent;      /* parent device name, e.g. "0000:00:02.0" */
        char *type_id;     /* e.g. "i915-GVTg_V5_4" */
        char *driver;      /* parent's driver, may be NULL */
        char *name;        /* type's name attribute, may be NULL */
        char *description; /* may be NULL */
        char *device_api;  /* e.g. "vfio-pci", may be NULL */

        /* vfio-user identity */
        char *descriptor;  /* descriptor file name, e.g. "virtio-net.json" */
        char *binary;      /* absolute path */
        GStrv args;        /* fixed arguments, never NULL for vfio-user */

        /* vfio-pci identity (McPair*, sorted by name: address, vendor,
         * device, ..., see migcompat-formats(5)); NULL for other kinds.
         * driver above holds the bound driver. */
        GPtrArray *identity;

        /* Free instances, MC_AVAILABLE_UNLIMITED or MC_AVAILABLE_UNKNOWN. */
        int64_t available;

        McInfo *info;             /* NULL: not migratable */
        McFactsFrom facts_from;
        char *facts_file;         /* data file path, when from a data file */
        char *not_migratable_reason; /* set when info == NULL */
} McImpl;

McImpl *mc_impl_new(McKind kind, const char *id);
McImpl *mc_impl_ref(McImpl *impl);
void mc_impl_unref(McImpl *impl);
/* A new implementation equal to impl (info shared), for copy-on-write. */
McImpl *mc_impl_copy(const McImpl *impl);
/* Deep equality of everything published (used to skip no-op updates). */
bool mc_impl_equal(const McImpl *a, const McImpl *b);
bool mc_impl_migratable(const McImpl *impl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McImpl, mc_impl_unref)

/* "mdev:<parent>:<type>" */
char *mc_mdev_impl_id(const char *parent, const char *type_id);
/* "vfio-user:<descriptor name without .json>" */
char *mc_vfio_user_impl_id(const char *descriptor_name);
/* "vfio-pci:<PCI address>" */
char *mc_vfio_pci_impl_id(const char *address);
/* The names a vfio-pci implementation's identity may hold, NULL-terminated
 * (migcompat-formats(5), HOST PROFILES). */
extern const char *const mc_pci_identity_names[];

/* A source parameter value as given: JSON bool/int/string. Strings are
 * how sysfs holds values ("4", "on"); they are interpreted against the
 * destination's parameter type. */
typedef enum {
        MC_SRC_BOOL,
        MC_SRC_INT,
        MC_SRC_STR,
} McSrcValueKind;

typedef struct {
        char *name;
        McSrcValueKind kind;
        bool b;
        int64_t i;
        char *s;
} McSrcParam;

/* Interpret a source value as type t. false when it is not of that type. */
bool mc_src_param_to_value(const McSrcParam *p, McParamType t, McValue *out);
/* The value as the source gave it, for messages: 4, "4", true. */
char *mc_src_param_to_string(const McSrcParam *p);

typedef struct {
        char *id;
        char *model;
        char *version;       /* may be NULL */
        GPtrArray *params;   /* McSrcParam*, sorted by name */
        unsigned requires;   /* McCap bits */
        /* The values the source's derived version was made of (McPair*),
         * NULL when absent: lets a destination say what differs. */
        GPtrArray *derived_from;
} McSrcDevice;

typedef struct {
        GPtrArray *devices; /* McSrcDevice*, in document order, ids unique */
} McSource;

McSource *mc_source_new(void);
void mc_source_free(McSource *src);
McSrcDevice *mc_src_device_new(const char *id, const char *model, const char *version);
void mc_src_device_free(McSrcDevice *d);
/* Add a parameter (takes a copy); keeps params sorted; false on duplicate. */
bool mc_src_device_add_param(McSrcDevice *d, const McSrcParam *p);
const McSrcParam *mc_src_device_find_param(const McSrcDevice *d, const char *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McSource, mc_source_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McSrcDevice, mc_src_device_free)

/* Validation of the words of migcompat-formats(5); each returns NULL when valid,
 * else a static description of what is expected. */
const char *mc_check_model_string(const char *s);
const char *mc_check_version_string(const char *s);
const char *mc_check_param_name(const char *s);
const char *mc_check_str_value(const char *s);
/* Descriptions: like str values but newline and tab are allowed. */
const char *mc_check_text(const char *s);
const char *mc_check_id_string(const char *s);
