#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run a command inside an approximation of migcompatd.service's sandbox,
# without systemd (the tests have no service manager to ask):
#
#   ProtectSystem=strict + CacheDirectory=   every mount read-only but WRITABLE
#   ProtectProc=invisible + ProcSubset=pid   a /proc with hidepid=invisible,subset=pid
#   PrivateUsers=yes                         a user namespace mapping root to root
#   CapabilityBoundingSet= (empty)           setpriv --bounding-set=-all
#   NoNewPrivileges=yes                      setpriv --no-new-privs
#
# Not emulated: the seccomp filter, PrivateDevices, PrivateTmp, the
# cgroup device and IP filters. The command runs as the same process (each
# step execs the next), so its pid is this script's.
#
# Usage: service-sandbox.sh WRITABLE-DIR COMMAND [ARGS...]
set -eu

if [ "${1:-}" != "--inside" ]; then
        [ $# -ge 2 ] || { echo "usage: $0 WRITABLE-DIR COMMAND [ARGS...]" >&2; exit 2; }
        exec unshare --mount --propagation private -- /bin/sh "$0" --inside "$@"
fi
shift
writable=$1
shift

mount -t proc -o hidepid=invisible,subset=pid proc /proc
# The writable directory becomes a mount of its own, so it can stay
# read-write while everything else is remounted read-only.
mount --bind "$writable" "$writable"
findmnt -rn -o TARGET | while read -r target; do
        case "$target" in
        "$writable" | /proc | /proc/* | /dev | /dev/*) continue ;;
        *\\*) continue ;; # escaped names (spaces): none on a test machine
        esac
        mount -o remount,bind,ro "$target" 2>/dev/null || true
done
# Prove it: the directory holding WRITABLE must now refuse writes.
probe="$(dirname "$writable")/.sandbox-write-check.$$"
if (: >"$probe") 2>/dev/null; then
        rm -f "$probe"
        echo "service-sandbox: could not make the file system read-only" >&2
        exit 1
fi

exec unshare --user --map-root-user -- \
        setpriv --bounding-set=-all --inh-caps=-all --no-new-privs -- "$@"
