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

/* Build it into tb, with the data file and descriptor in h's directory.
 * Each ret_* (may be NULL) gets that parent's syspath (free it). */
void mc_test_host_build(McTestbed *tb, McHarness *h, char **ret_gvt, char **ret_acme, char **ret_mtty);
