/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which files the daemon, running as root, may act on: vfio-user
 * descriptors, the programs they name (executed as root), model data
 * files. As sshd's StrictModes: the file and every directory on its path
 * must be owned by root, or by the user the daemon runs as (so that the
 * tests and an unprivileged daemon work; as root that is root again), and
 * must not be writable by group or others. One exception for directories
 * only: a sticky directory owned by root (/tmp) is crossed, since nobody
 * else can rename or remove an entry in it that they do not own, and that
 * entry is checked in turn. Symbolic links are followed, each resolved
 * from the directory it is in, so the directories of every link on the
 * way are checked too (/bin -> usr/bin).
 *
 * The check is made on what is opened (each step is openat() with
 * O_NOFOLLOW from the directory checked before it, then fstat()), and the
 * returned fd is the file that was checked: read it, or execute it with
 * execveat(fd, "", ..., AT_EMPTY_PATH), never the path again. */

#include <glib.h>

/* Open a regular file the daemon may trust, for reading (O_RDONLY,
 * O_CLOEXEC). Returns the fd, or -1 with error (MC_ERROR_IO) saying which
 * file or directory is not trusted and how to fix it:
 *   "/etc/x/y.json is not trusted: owned by uid 65534 and writable by
 *    group and others (mode 0777); fix: chown root:root /etc/x/y.json;
 *    chmod go-w /etc/x/y.json"
 * or MC_ERROR_NOT_FOUND / MC_ERROR_IO for a missing or unreadable path. */
int mc_trust_open(const char *path, GError **error);
