/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Large simulated hosts for the benchmark: P parents x T types on the
 * umockdev testbed (mc_testbed_add_big_host), a chosen share of them with
 * the driver's migration attributes and the rest migratable through model
 * data files, plus K vfio-user descriptors. Type k of every parent offers
 * device model "big.example/vgpu-<k>" version v1, whichever way its facts
 * come: like a host with P identical GPUs (or SR-IOV functions), each
 * offering the same T vGPU types, so every model has about P candidates. */

#include <glib.h>

#include "harness.h"
#include "testbed.h"

#define BENCH_MODEL_FMT "big.example/vgpu-%u"

typedef struct {
        guint n_parents;
        guint n_types;
        guint migratable_percent; /* types with the driver's attributes; the rest use data files */
        guint n_descriptors;      /* K vfio-user descriptors (mc-probe-prog) */
        /* The program's arguments before --print-migration-info-json, with
         * "%u" replaced by the descriptor's index; NULL: "json
         * vendor-a.com/nic-%u". */
        const char *descriptor_args;
} BenchHostSpec;

/* Build the host; data files and descriptors go below the harness
 * directory (data/, descriptors/), where bench_daemon_spawn() points the
 * daemon. Returns the number of mdev types. */
guint bench_host_build(McTestbed *tb, McHarness *h, const BenchHostSpec *spec);

/* Write the K descriptors only (into descriptors/, replacing same names). */
void bench_host_write_descriptors(McHarness *h, guint n, const char *args_fmt);

/* Add one more parent (index i, beyond the generated ones) with n_types
 * types that publish the migration attributes, without a uevent; returns
 * its syspath. */
char *bench_host_add_parent(McTestbed *tb, guint i, guint n_types);

/* The source description the checks ask about: one device, id, of model k. */
char *bench_source_json(const char *id, guint k, const char *version);
