#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Debian package, built and used as an administrator would: build it
# with dpkg-buildpackage from a copy of this tree, check it with lintian
# (no error or warning), install it with apt, and check what the install
# gives: the files (programs, D-Bus policy, activation file, unit, libvirt
# hook, man pages), the service enabled by deb-systemd-helper (this machine
# may have no systemd to start it), the maintainer script's note that a
# running libvirt must be restarted, and the daemon as its unit starts it,
# on a bus configured like the system bus with the installed policy,
# answering an unprivileged user and refusing what the policy reserves for
# root. Then remove it (no hook may be left for libvirt to run) and purge it.
#
#   tools/test-deb.sh        (as root; CI runs it from .ci/run)
#
# It refuses to run where migcompat is installed already: it would remove it.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)

[ "$(id -u)" -eq 0 ] || { echo "test-deb: run as root (it installs and removes the package)" >&2; exit 2; }
if dpkg-query -W -f='${Status}\n' migcompat 2>/dev/null | grep -q "install ok installed"; then
        echo "test-deb: the package migcompat is installed here; not touching it" >&2
        exit 2
fi

WORK=$(mktemp -d /tmp/migcompat-deb.XXXXXX)
BUS_PID=
DAEMON_PID=
MC_PID=
FAKE_PID=
failures=0
ok() { echo "ok: $*"; }
fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}
cleanup() {
        for p in $MC_PID $DAEMON_PID $BUS_PID $FAKE_PID; do kill "$p" 2>/dev/null || true; done
        if dpkg-query -W -f='${Status}\n' migcompat 2>/dev/null | grep -q "ok installed\|config-files"; then
                dpkg --purge migcompat >/dev/null 2>&1 || true
        fi
        rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
now() { date +%s; }
t_all=$(now)

# ---- build ------------------------------------------------------------------------
# From a copy (the build writes into the tree and next to it).
t=$(now)
mkdir "$WORK/migcompat"
if [ -d .git ] || git rev-parse --git-dir >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard |
                xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
                tar --null -cf - -T - | tar -xf - -C "$WORK/migcompat"
else
        tar --exclude='./build*' -cf - . | tar -xf - -C "$WORK/migcompat"
fi
if ! (cd "$WORK/migcompat" && DEB_BUILD_OPTIONS="parallel=$(nproc) noautodbgsym" \
        dpkg-buildpackage -b -us -uc >"$WORK/build.log" 2>&1); then
        tail -n 40 "$WORK/build.log"
        echo "FAIL: dpkg-buildpackage -b -us -uc failed"
        exit 1
fi
deb=$(ls "$WORK"/migcompat_*.deb)
ok "dpkg-buildpackage -b -us -uc built $(basename "$deb") ($(($(now) - t)) s)"

t=$(now)
if lintian --fail-on error,warning "$WORK"/migcompat_*.changes >"$WORK/lintian.log" 2>&1; then
        ok "lintian: no error or warning ($(($(now) - t)) s)"
else
        cat "$WORK/lintian.log"
        fail "lintian reports errors or warnings"
fi

# ---- install -------------------------------------------------------------------------
# A libvirtd that runs while the package is installed (a stand-in of that
# name: the maintainer script only asks whether one runs).
mkdir "$WORK/fake"
cp /bin/sleep "$WORK/fake/libvirtd"
"$WORK/fake/libvirtd" 600 &
FAKE_PID=$!

t=$(now)
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >"$WORK/install.log" 2>&1; then
        cat "$WORK/install.log"
        echo "FAIL: apt-get install $deb failed"
        exit 1
fi
ok "installed with apt-get ($(($(now) - t)) s)"
kill "$FAKE_PID"
FAKE_PID=
grep -q "libvirtd is running and looks for hooks only when it starts" "$WORK/install.log" &&
        ok "the package says that the running libvirtd must be restarted" ||
        fail "installing beside a running libvirtd says nothing about restarting it"

installed() { # installed PATH [x]
        if [ ! -e "$1" ]; then
                fail "$1 is not installed"
        elif [ "${2:-}" = x ] && [ ! -x "$1" ]; then
                fail "$1 is not executable"
        else
                ok "$1"
        fi
}
installed /usr/libexec/migcompatd x
installed /usr/bin/migcompatctl x
installed /usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf
installed /usr/share/dbus-1/system-services/org.migcompat.MigCompat1.service
installed /lib/systemd/system/migcompatd.service
installed /etc/libvirt/hooks/qemu.d/50-migcompat x
installed /etc/migcompat/libvirt-hook.conf
for p in man1/migcompatctl.1 man5/migcompat-formats.5 man5/org.migcompat.MigCompat1.5 man8/migcompatd.8; do
        installed "/usr/share/man/$p.gz"
done
# The hook names the installed programs and settings.
grep -q 'ctl=${MIGCOMPATCTL:-/usr/bin/migcompatctl}' /etc/libvirt/hooks/qemu.d/50-migcompat &&
        grep -q 'conf=${MIGCOMPAT_HOOK_CONF:-/etc/migcompat/libvirt-hook.conf}' /etc/libvirt/hooks/qemu.d/50-migcompat &&
        ok "the hook uses /usr/bin/migcompatctl and /etc/migcompat/libvirt-hook.conf" ||
        fail "the installed hook does not name the installed migcompatctl and settings"

# Enabled, as systemd would start it at boot.
# (deb-systemd-helper answers only maintainer scripts, which dpkg marks so.)
if DPKG_MAINTSCRIPT_PACKAGE=migcompat deb-systemd-helper is-enabled migcompatd.service; then
        ok "migcompatd.service is enabled (deb-systemd-helper)"
else
        fail "migcompatd.service is not enabled"
fi
# The NFD exporter ships disabled: only where the admin enables it.
if DPKG_MAINTSCRIPT_PACKAGE=migcompat deb-systemd-helper is-enabled migcompat-nfd.service; then
        fail "migcompat-nfd.service is enabled by the package"
else
        ok "migcompat-nfd.service is installed disabled"
fi
for f in /lib/systemd/system/migcompat-nfd.service /usr/share/migcompat/openstack/migcompat-placement-sync; do
        [ -e "$f" ] && ok "$f" || fail "$f is not installed"
done
# ...and started by the maintainer script where systemd runs (not here).
grep -q "deb-systemd-invoke \$_dh_action 'migcompatd.service'" /var/lib/dpkg/info/migcompat.postinst &&
        ok "the postinst starts migcompatd.service where systemd runs" ||
        fail "the postinst does not start migcompatd.service"
[ -L /etc/systemd/system/multi-user.target.wants/migcompatd.service ] &&
        ok "/etc/systemd/system/multi-user.target.wants/migcompatd.service" ||
        fail "no multi-user.target.wants link for migcompatd.service"

# ---- the service on a system-like bus with the installed policy ---------------------
# Debian's system bus configuration, on a socket of its own: it reads the
# installed policy from /usr/share/dbus-1/system.d and runs as messagebus.
mkdir -p "$WORK/bus"
chmod 755 "$WORK" "$WORK/bus"
sed -e "s|<listen>.*</listen>|<listen>unix:path=$WORK/bus/socket</listen>|" \
    -e "s|<pidfile>.*</pidfile>||" \
    -e "s|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>|" \
    /usr/share/dbus-1/system.conf >"$WORK/system.conf"
dbus-daemon --config-file="$WORK/system.conf" --fork --print-pid=1 >"$WORK/bus.pid" 2>"$WORK/bus.log"
BUS_PID=$(cat "$WORK/bus.pid")
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$WORK/bus/socket
export DBUS_SYSTEM_BUS_ADDRESS

# The daemon as the installed unit starts it (its ExecStart=, %C being
# /var/cache), over the simulated demo host and its data files.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/migcompatd.service | sed 's|%C|/var/cache|g')
mkdir -p /var/cache/migcompat
# shellcheck disable=SC2086
umockdev-run -d "$TOP/data/demo/host.umockdev" -- $exec_start --data-dir="$TOP/data/demo/mdev-models.d" \
        >"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
i=0
until busctl --system get-property org.migcompat.MigCompat1 /org/migcompat/MigCompat1 \
        org.migcompat.MigCompat1.Manager Version >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 150 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
                cat "$WORK/daemon.log" "$WORK/bus.log"
                echo "FAIL: the installed migcompatd did not start"
                exit 1
        fi
        sleep 0.1
done
MC_PID=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        GetConnectionUnixProcessID s org.migcompat.MigCompat1 | sed -n 's/^u //p')
ok "the installed migcompatd runs as its unit starts it: $exec_start"

nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$@"; }
if nobody migcompatctl list >"$WORK/list.out" 2>&1 && grep -q "acme.example/vgpu" "$WORK/list.out"; then
        ok "an unprivileged user asks the installed daemon (migcompatctl list)"
else
        cat "$WORK/list.out"
        fail "an unprivileged user cannot ask the installed daemon"
fi
if nobody migcompatctl describe 4b20d080-1b54-4048-85b3-a6a62d165c01 >"$WORK/describe.out" 2>&1 &&
        grep -q '"model" : "acme.example/vgpu"' "$WORK/describe.out"; then
        ok "an unprivileged user has a running device described"
else
        cat "$WORK/describe.out"
        fail "an unprivileged describe failed"
fi
# (dbus-send prints the bus's own words: who refused is then plain.)
if nobody dbus-send --system --print-reply --dest=org.migcompat.MigCompat1 /org/migcompat/MigCompat1 \
        org.migcompat.MigCompat1.Manager.Rescan >"$WORK/rescan.out" 2>&1; then
        fail "an unprivileged user may Rescan: the installed policy is not in force"
else
        # dbus-daemon's own refusal, not the daemon's.
        grep -q "Rejected send message" "$WORK/rescan.out" &&
                ok "the installed policy keeps Rescan for root" ||
                fail "an unprivileged Rescan failed for another reason: $(cat "$WORK/rescan.out")"
fi
kill "$MC_PID"
wait "$DAEMON_PID" 2>/dev/null || true
MC_PID=
DAEMON_PID=

# ---- remove, purge -------------------------------------------------------------------
t=$(now)
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q migcompat >"$WORK/remove.log" 2>&1 ||
        { cat "$WORK/remove.log"; fail "apt-get remove migcompat failed"; }
for f in /etc/libvirt/hooks/qemu.d/50-migcompat /usr/libexec/migcompat/libvirt-qemu-hook /usr/bin/migcompatctl \
         /usr/libexec/migcompatd /usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf; do
        if [ -e "$f" ] || [ -L "$f" ]; then fail "$f is left after removing the package"; else ok "removed: $f"; fi
done
[ -f /etc/migcompat/libvirt-hook.conf ] && ok "the hook's settings stay until purge" ||
        fail "removing the package removed the settings"
dpkg --purge migcompat >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "dpkg --purge migcompat failed"; }
for f in /etc/migcompat /var/cache/migcompat /etc/systemd/system/multi-user.target.wants/migcompatd.service; do
        if [ -e "$f" ] || [ -L "$f" ]; then fail "$f is left after purging the package"; else ok "purged: $f"; fi
done
ok "removed and purged ($(($(now) - t)) s)"

echo "   $(($(now) - t_all)) s in all"
if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s)"
        exit 1
fi
echo "Debian package ok"
