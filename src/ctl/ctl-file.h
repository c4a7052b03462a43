/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Replacing a file that another program watches and reads at any moment
 * (NFD's features.d, a directory of host profiles): the new content goes
 * to a hidden file in the same directory (".NAME.XXXXXX", which NFD skips
 * and a glob of "*" does not match), is flushed to disk, and is renamed
 * over NAME. A reader sees the old file or the new one, never a part of
 * either; after a crash, one of the two is there. When anything fails the
 * old file is left as it was and the hidden file is removed. */

#include <glib.h>

/* Mode 0644 (less the umask), as a shell redirection would create it.
 * Returns false with error set (CTL_ERROR, CTL_EXIT_USAGE) naming path. */
gboolean ctl_file_replace(const char *path, const char *data, gsize len, GError **error);
