/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The compatibility engine (docs/ARCHITECTURE.md, "How a check
 * travels"; migcompat-formats(5), CHECK RESULTS): pure
 * functions from a source description and a catalog to verdicts, ranked
 * candidates with instantiation recipes, and every reason for every
 * rejection. */

#include "mc-catalog.h"

typedef enum {
        MC_VERDICT_COMPATIBLE,
        MC_VERDICT_UNKNOWN,
        MC_VERDICT_INCOMPATIBLE,
} McVerdict;

const char *mc_verdict_to_string(McVerdict v);

typedef enum {
        MC_REASON_MODEL_MISMATCH,
        MC_REASON_VERSION_UNSUPPORTED,
        MC_REASON_PARAM_UNKNOWN,
        MC_REASON_PARAM_MISSING,
        MC_REASON_PARAM_TYPE,
        MC_REASON_PARAM_OUT_OF_RANGE,
        MC_REASON_CAPABILITY_MISSING,
        MC_REASON_CAPABILITY_UNKNOWN,
        MC_REASON_NO_FREE_INSTANCE,
        MC_REASON_NOT_MIGRATABLE,
        /* A note, never a rejection: the candidate is one device whose
         * use cannot be seen (MC_AVAILABLE_UNKNOWN, a PCI function on a
         * VFIO driver). Its facts were judged; whether a VM already holds
         * it is for whoever assigns it to find out (libvirt fails at once,
         * before any memory is copied, when the VFIO device is busy). */
        MC_REASON_AVAILABILITY_UNKNOWN,
        _MC_REASON_MAX,
} McReasonCode;

const char *mc_reason_code_to_string(McReasonCode c);

typedef struct {
        McReasonCode code;
        char *message;
} McReason;

typedef struct {
        char *attribute; /* relative to the new mdev's sysfs directory */
        char *value;
} McWrite;

/* How to instantiate the destination device. */
typedef struct {
        McKind kind;
        /* mdev */
        char *parent;
        char *type_id;
        char *create_path;  /* where to write a new UUID */
        GPtrArray *writes;  /* McWrite*, in order */
        /* vfio-user */
        GStrv argv;
        /* vfio-pci: the function to assign, and its driver */
        char *address;
        char *driver;
} McRecipe;

typedef struct {
        McImpl *impl;          /* owned reference */
        const McModel *model;  /* in impl->info; NULL when not migratable */
        McVerdict verdict;
        GPtrArray *reasons;    /* McReason*; empty when compatible */
        McRecipe *recipe;      /* when compatible or unknown */
        GPtrArray *notes;      /* McReason*: what a usable candidate leaves open */
} McCandidate;

typedef struct {
        char *id;
        char *model;
        char *version;         /* may be NULL */
        McVerdict verdict;
        int chosen;            /* index in candidates, -1 when none */
        GPtrArray *candidates; /* McCandidate*, ranked best first */
        GPtrArray *reasons;    /* McReason*: device-level (no candidate at all) */
        guint omitted;         /* usable candidates not listed (McCheckOptions.max_candidates) */
} McDeviceResult;

typedef struct {
        McVerdict verdict;     /* worst of the devices' verdicts */
        guint64 generation;    /* catalog generation the answer is for */
        GPtrArray *devices;    /* McDeviceResult*, in source order */
} McCheckResult;

/* Usable candidates listed per device unless asked otherwise: the chosen
 * one. The others are counted (McDeviceResult.omitted). A host with a
 * thousand identical GPUs has a thousand equally good candidates; listing
 * them costs what the thousand cost, on the bus and in every client,
 * where a scheduler needs the answer (bench/README.md has the figures). */
#define MC_CHECK_MAX_CANDIDATES_DEFAULT 1
/* Every usable candidate. */
#define MC_CHECK_ALL_CANDIDATES G_MAXUINT

typedef struct {
        /* Consider only this implementation (a targeted check): candidates
         * of another model are then rejected with model-mismatch. */
        const char *only_impl;
        /* How many usable (compatible or unknown) candidates to list per
         * device, best first, the chosen one included; 0 means
         * MC_CHECK_MAX_CANDIDATES_DEFAULT. Rejected candidates are always
         * listed, each with every reason. */
        guint max_candidates;
} McCheckOptions;

McCheckResult *mc_check(const McCatalog *cat, const McSource *src, const McCheckOptions *opts);
void mc_check_result_free(McCheckResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McCheckResult, mc_check_result_free)

/* Source side: describe a running instance of type impl. model/version are
 * the instance's migration/device_model and migration/version attributes
 * (NULL when the driver has none: then the type's only model and its
 * preferred version are used). raw_params maps parameter names to the
 * strings read from migration/<param> (NULL: every parameter at its
 * init_value). Only parameters whose value differs from off_value are
 * listed, as migcompat-formats(5) says. */
/* The source description carries the values a derived version was made of
 * (McModel.derived_from) when the device runs that version. */
McSrcDevice *mc_describe_instance(const char *id, const McImpl *impl, const char *model,
                                  const char *version, GHashTable *raw_params, GError **error);
