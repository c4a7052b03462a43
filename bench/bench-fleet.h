/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The fleet benchmarks (bench/README.md): migcompatctl's check over a
 * directory of host profiles, and its what-if over a fleet and its VMs,
 * each timed against mc-fleet-parse (json-glib parsing the same files and
 * nothing else) in the same run, interleaved. */

#include <glib.h>

#include "bench-util.h"

typedef struct {
        guint hosts;          /* host profiles */
        guint impls;          /* implementations per profile */
        guint vms;            /* running VMs, spread over the hosts */
        guint replaced_every; /* every Nth host is upgraded in the what-if */
        guint pairs;          /* timed (reference, ours) pairs, order alternating */
} BenchFleetSizes;

void bench_fleet(BenchReport *report, const BenchFleetSizes *sizes);
