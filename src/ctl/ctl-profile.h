/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Host profiles (migcompat-formats(5), HOST PROFILES): read from a file for offline use, or
 * asked of the daemon; either way parsed strictly by the engine, so a
 * check or an export works the same on both. */

#include <systemd/sd-bus.h>

#include "ctl.h"
#include "mc-parse.h"

/* Returns 0, or an exit code with error set (CTL_EXIT_USAGE for a bad
 * file). ret_text (may be NULL) receives the document as read. */
int ctl_profile_load_file(const char *path, char **ret_text, McProfile **ret, GError **error);
/* GetHostProfile. CTL_EXIT_DAEMON when the daemon cannot be asked or its
 * answer does not parse. */
int ctl_profile_load_daemon(sd_bus *bus, char **ret_text, McProfile **ret, GError **error);
