/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What OpenStack gets from a host profile (names: ctl-labels.h).
 *
 * Traits say what a compute node *is*: Placement never consumes them when
 * it places an instance, so they carry static facts only: one trait per
 * (device model, version) a migratable implementation offers, and one per
 * capability of each, whether or not an instance is free now. Free
 * capacity is inventory: a custom resource class per device model,
 * CUSTOM_MIGCOMPAT_<MODEL>_H<12 hex digits of SHA-256 of the model>.
 *
 * A provider's trait set is replaced as a whole (PUT
 * /resource_providers/{uuid}/traits, with the generation the provider had
 * when it was read). ctl_placement_merge() builds that body from what was
 * read: every trait that is not migcompat's (Nova's COMPUTE_*, HW_*, the
 * operator's own) kept, every CUSTOM_MIGCOMPAT_* replaced by this host's. */

#include "ctl.h"
#include "mc-parse.h"

#define CTL_PLACEMENT_PREFIX "CUSTOM_MIGCOMPAT_"

/* The static traits, sorted, once each (char*). */
GPtrArray *ctl_placement_traits(const McProfile *p);

/* current: the JSON answer of GET /resource_providers/{uuid}/traits.
 * Returns the JSON body of the PUT, or NULL with error (CTL_EXIT_USAGE). */
char *ctl_placement_merge(const char *current, gsize len, GPtrArray *traits, GError **error);

/* A Nova provider configuration file (a YAML file in /etc/nova/provider_config/,
 * schema 1.0) for the compute node ("$COMPUTE_NODE"): the static traits,
 * and an inventory of each device model with free instances (total: the
 * free instances now; unlimited implementations, vfio-user programs,
 * give none). */
char *ctl_nova_provider_config(const McProfile *p);
