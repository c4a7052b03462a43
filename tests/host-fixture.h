/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host most daemon and CLI tests run on: Intel GVT-g (a model data
 * file for i915-GVTg_V5_4 only), the acme driver (its own migration
 * attributes), the mtty sample (no facts) and one vfio-user program
 * (tests/mc-probe-prog answering as vendor-a.com/my-nic): 10
 * implementations, 5 of them migratable. */

#include "harness.h"
#include "testbed.h"

#define MC_TEST_GVT_PARENT "0000:00:02.0"
#define MC_TEST_ACME_PARENT "0000:5e:00.0"

/* The host with its harness, its bus started with policy (the daemon not
 * yet), and the parents' syspaths. bus is the test's client connection,
 * when it makes one; freed with the rest. */
typedef struct {
        McTestbed *tb;
        McHarness *h;
        sd_bus *bus;
        char *gvt;
        char *acme;
        char *mtty;
} McTestHost;

McTestHost *mc_test_host_new(McBusPolicy policy);
void mc_test_host_free(McTestHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(McTestHost, mc_test_host_free)
