/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus layer over the daemon core, as a D-Bus daemon connects to its
 * engine's signals: it installs the registry's listener (signals for the
 * objects that appear, go and change) and the core's ready callback
 * (register the objects, take the name). The core never calls into it. */

#include "daemon.h"

/* Call before mc_daemon_start(). */
void mc_bus_attach(McDaemon *d) __attribute__((nonnull));
