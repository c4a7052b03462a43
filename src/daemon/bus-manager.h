/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "daemon.h"

/* Register org.migcompat.MigCompat1.Manager at MC_BUS_PATH, with the
 * ObjectManager, on d's bus. */
int mc_bus_manager_register(McDaemon *d) __attribute__((nonnull));
