/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon.h"

/* Register the org.migcompat.MigCompat1.Implementation objects under
 * MC_BUS_IMPL_PREFIX on d's bus: a fallback vtable and a node enumerator
 * served straight from the registry. */
int mc_bus_impl_register(McDaemon *d) __attribute__((nonnull));
