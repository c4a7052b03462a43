#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The install tree: what "cmake --install" lays out with prefix /usr, as a
# distribution package would ship it, must put every file where the system
# looks for it: the programs, the man pages, the data directories, the
# D-Bus policy, activation file and interface XML, the systemd unit and the
# libvirt hook; and the installed daemon must look for its files where they
# were installed.
#
# usage: test-install.sh BUILD_DIR SOURCE_DIR CMAKE
# and in the environment the build's configured values (tests/install.cmake):
# MC_CONF_PREFIX, MC_CONF_UNIT_DIR, MC_CONF_DBUS_SERVICES_DIR,
# MC_CONF_DBUS_POLICY_DIR, MC_CONF_DBUS_INTERFACES_DIR, MC_CONF_LIBVIRT_HOOKS_DIR.
#
# Two passes:
#  1. "cmake --install BUILD_DIR --prefix /usr": the ctest build itself.
#     Paths relative to the prefix (programs, man pages, data) follow
#     --prefix; paths computed at configure time (D-Bus, systemd, libvirt
#     directories, and the directories compiled into the daemon) cannot, so
#     those files are looked for where the build was configured to put them.
#  2. The complete /usr layout. If the build was configured with prefix /usr,
#     pass 1's tree is checked again in full; otherwise a second tree is
#     configured with -DCMAKE_INSTALL_PREFIX=/usr and built (programs only,
#     no sanitizers, no tests) under BUILD_DIR/tests/install-usr, so this
#     test checks the real layout however the build was configured.

set -u

build=$1
src=$2
cmake=$3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migcompat-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

failures=0
fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}
note() {
        echo "note: $*"
}

# file ROOT PATH [x]: PATH is installed under ROOT (and executable with x).
file() {
        if [ ! -f "$1$2" ]; then
                fail "$2 is not installed"
        elif [ "${3:-}" = x ] && [ ! -x "$1$2" ]; then
                fail "$2 is installed but not executable"
        else
                echo "ok: $2"
        fi
}
dir() {
        if [ -d "$1$2" ]; then echo "ok: $2/"; else fail "directory $2 is not installed"; fi
}
same() {
        if cmp -s "$1" "$2"; then echo "ok: $3 is identical to $1"; else fail "$3 differs from $1"; fi
}

pages="man1/migcompatctl.1 man5/migcompat-formats.5 man5/org.migcompat.MigCompat1.5 man8/migcompatd.8"

# ---- pass 0: the ctest build as configured (by default, prefix /usr/local) ------
# Every file another program reads must be where that program reads it,
# whatever the prefix, and every path those files name must be installed.
echo "== pass 0: $cmake --install $build (prefix $MC_CONF_PREFIX)"
root=$tmp/pass0
if ! DESTDIR=$root "$cmake" --install "$build" >"$tmp/install0.log" 2>&1; then
        cat "$tmp/install0.log"
        fail "cmake --install failed"
        exit 1
fi
# dbus-daemon's system bus reads policies from /usr/share/dbus-1/system.d
# and /etc/dbus-1/system.d only.
file "$root" /usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf
# libvirt reads hooks from /etc/libvirt/hooks only.
file "$root" /etc/libvirt/hooks/qemu.d/50-migcompat x
hook=$root/etc/libvirt/hooks/qemu.d/50-migcompat
if [ -f "$hook" ]; then
        grep -q '@[A-Z_]*@' "$hook" && fail "the installed hook has unconfigured @VARIABLES@"
        for v in ctl conf; do
                p=$(sed -n "s/^$v=\\\${[A-Z_]*:-\\(.*\\)}\$/\\1/p" "$hook")
                if [ -z "$p" ]; then
                        fail "the hook sets no default $v"
                elif [ -f "$root$p" ]; then
                        echo "ok: the hook's $v is $p, installed"
                else
                        fail "the hook's $v is $p, which is not installed"
                fi
        done
fi
# The activation file and the unit name an installed daemon.
for f in "$root$MC_CONF_DBUS_SERVICES_DIR/org.migcompat.MigCompat1.service" "$root$MC_CONF_UNIT_DIR/migcompatd.service"; do
        [ -f "$f" ] || continue
        exe=$(sed -n 's/^Exec\(Start\)\{0,1\}=\([^ ]*\).*/\2/p' "$f")
        case $exe in
        /bin/false) ;;
        *) [ -x "$root$exe" ] && echo "ok: ${f#"$root"} runs $exe, installed" ||
                fail "${f#"$root"} runs $exe, which is not installed" ;;
        esac
done
grep -q "restart libvirtd or virtqemud" "$tmp/install0.log" &&
        echo "ok: cmake --install says that libvirt must be restarted to run the hook" ||
        fail "cmake --install does not say that libvirt looks for hooks only when it starts"

# ---- pass 1: the ctest build with --prefix /usr ----------------------------------
echo "== pass 1: $cmake --install $build --prefix /usr (configured with prefix $MC_CONF_PREFIX)"
root=$tmp/pass1
if ! DESTDIR=$root "$cmake" --install "$build" --prefix /usr >"$tmp/install1.log" 2>&1; then
        cat "$tmp/install1.log"
        fail "cmake --install failed"
        exit 1
fi

file "$root" /usr/bin/migcompatctl x
file "$root" /usr/libexec/migcompatd x
for p in $pages; do
        file "$root" "/usr/share/man/$p"
        [ -f "$root/usr/share/man/$p" ] && same "$build/man/${p#*/}" "$root/usr/share/man/$p" "/usr/share/man/$p"
done
dir "$root" /usr/share/migcompat/mdev-models.d
dir "$root" /usr/share/migcompat/vfio-user.d
dir "$root" /usr/share/migcompat/vfio-pci-models.d
# Every shipped model data file, as it is in the source tree.
for d in mdev-models.d vfio-pci-models.d; do
        for f in "$src/data/$d"/*.json; do
                [ -e "$f" ] || continue
                file "$root" "/usr/share/migcompat/$d/${f##*/}"
                [ -f "$root/usr/share/migcompat/$d/${f##*/}" ] &&
                        same "$f" "$root/usr/share/migcompat/$d/${f##*/}" "/usr/share/migcompat/$d/${f##*/}"
        done
done

# Configure-time directories: where this build puts them.
file "$root" "$MC_CONF_DBUS_POLICY_DIR/org.migcompat.MigCompat1.conf"
file "$root" "$MC_CONF_DBUS_SERVICES_DIR/org.migcompat.MigCompat1.service"
file "$root" "$MC_CONF_DBUS_INTERFACES_DIR/org.migcompat.MigCompat1.xml"
if [ -f "$src/systemd/migcompatd.service.in" ]; then
        file "$root" "$MC_CONF_UNIT_DIR/migcompatd.service"
else
        note "systemd/migcompatd.service.in does not exist: no unit to check"
fi
if [ -d "$src/data/libvirt" ]; then
        file "$root" "$MC_CONF_LIBVIRT_HOOKS_DIR/50-migcompat" x
else
        note "data/libvirt does not exist: no libvirt hook to check"
fi
if [ "$MC_CONF_PREFIX" != /usr ]; then
        note "configured with prefix $MC_CONF_PREFIX: the D-Bus, systemd and libvirt files and the"
        note "daemon's compiled-in directories do not follow --prefix; pass 2 checks a /usr build"
fi

# ---- pass 2: the complete /usr layout -------------------------------------------
if [ "$MC_CONF_PREFIX" = /usr ]; then
        echo "== pass 2: the /usr layout of pass 1"
        usr_build=$build
        root=$tmp/pass1
else
        usr_build=$build/tests/install-usr
        echo "== pass 2: configure, build and install $usr_build with prefix /usr"
        root=$tmp/pass2
        if ! "$cmake" -S "$src" -B "$usr_build" -DCMAKE_INSTALL_PREFIX=/usr -DMC_BUILD_TESTS=OFF \
                      -DMC_SANITIZE=OFF >"$tmp/configure2.log" 2>&1 ||
           ! "$cmake" --build "$usr_build" -j2 --target migcompatd migcompatctl >"$tmp/build2.log" 2>&1 ||
           ! DESTDIR=$root "$cmake" --install "$usr_build" >"$tmp/install2.log" 2>&1; then
                cat "$tmp/configure2.log" "$tmp/build2.log" "$tmp/install2.log" 2>/dev/null | tail -n 40
                fail "the /usr build could not be configured, built or installed"
                exit 1
        fi
fi

unit_dir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
[ -n "$unit_dir" ] || unit_dir=/lib/systemd/system

file "$root" /usr/bin/migcompatctl x
file "$root" /usr/libexec/migcompatd x
for p in $pages; do
        file "$root" "/usr/share/man/$p"
done
dir "$root" /usr/share/migcompat/mdev-models.d
dir "$root" /usr/share/migcompat/vfio-user.d
# Where dbus-daemon and dbus-broker read them, whatever the prefix.
file "$root" /usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf
file "$root" /usr/share/dbus-1/system-services/org.migcompat.MigCompat1.service
file "$root" /usr/share/dbus-1/interfaces/org.migcompat.MigCompat1.xml
[ -f "$root/usr/share/dbus-1/interfaces/org.migcompat.MigCompat1.xml" ] &&
        same "$src/dbus/org.migcompat.MigCompat1.xml" "$root/usr/share/dbus-1/interfaces/org.migcompat.MigCompat1.xml" \
             /usr/share/dbus-1/interfaces/org.migcompat.MigCompat1.xml
[ -f "$root/usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf" ] &&
        same "$src/dbus/org.migcompat.MigCompat1.conf" "$root/usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf" \
             /usr/share/dbus-1/system.d/org.migcompat.MigCompat1.conf

activation=$root/usr/share/dbus-1/system-services/org.migcompat.MigCompat1.service
if [ -f "$activation" ]; then
        grep -qx 'Name=org.migcompat.MigCompat1' "$activation" || fail "the activation file does not name org.migcompat.MigCompat1"
        exec_line=$(sed -n 's/^Exec=//p' "$activation")
        case $exec_line in
        /bin/false | /usr/libexec/migcompatd | "/usr/libexec/migcompatd "*) echo "ok: activation Exec=$exec_line" ;;
        *) fail "the activation file's Exec=$exec_line is not the installed daemon" ;;
        esac
fi

if [ -f "$src/systemd/migcompatd.service.in" ]; then
        unit=$root$unit_dir/migcompatd.service
        file "$root" "$unit_dir/migcompatd.service"
        if [ -f "$unit" ]; then
                start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
                [ "$start" = /usr/libexec/migcompatd ] && echo "ok: ExecStart=$start" ||
                        fail "the unit's ExecStart=$start is not /usr/libexec/migcompatd"
                grep -qx 'BusName=org.migcompat.MigCompat1' "$unit" && echo "ok: BusName=" ||
                        fail "the unit has no BusName=org.migcompat.MigCompat1"
                if [ -f "$activation" ]; then
                        grep -qx 'SystemdService=migcompatd.service' "$activation" &&
                                echo "ok: the activation file starts migcompatd.service" ||
                                fail "the activation file does not name SystemdService=migcompatd.service"
                fi
        fi
else
        note "systemd/migcompatd.service.in does not exist: no unit to check"
fi

if [ -d "$src/data/libvirt" ]; then
        # libvirt (>= 6.5) runs every executable in this directory.
        file "$root" /etc/libvirt/hooks/qemu.d/50-migcompat x
        # and the hook reads its settings from here.
        file "$root" /etc/migcompat/libvirt-hook.conf
fi

# The installed daemon looks where the files were installed.
help=$("$root/usr/libexec/migcompatd" --help 2>&1)
for d in /usr/share/migcompat/mdev-models.d /etc/migcompat/mdev-models.d \
         /usr/share/migcompat/vfio-pci-models.d /etc/migcompat/vfio-pci-models.d \
         /usr/share/migcompat/vfio-user.d /etc/migcompat/vfio-user.d /var/cache/migcompat; do
        case $help in
        *"$d"*) echo "ok: the installed daemon uses $d" ;;
        *) fail "the installed daemon does not use $d; its --help says: $help" ;;
        esac
done
grep -q '/usr/share/migcompat/mdev-models.d' "$root/usr/share/man/man8/migcompatd.8" 2>/dev/null &&
        echo "ok: migcompatd(8) names the installed paths" ||
        fail "migcompatd(8) does not name /usr/share/migcompat/mdev-models.d"

# Nothing lands where a /usr system never looks (/usr/etc, /usr/local, /usr/var, ...).
(cd "$root" && find . ! -type d | sed 's/^\.//') >"$tmp/files"
while read -r f; do
        case $f in
        /usr/bin/* | /usr/libexec/* | /usr/share/* | /etc/* | "$unit_dir"/*) ;;
        *) fail "$f is installed outside the /usr and /etc layout" ;;
        esac
done <"$tmp/files"
for d in /usr/etc /usr/local /usr/var /usr/lib/dbus-1 /usr/etc/migcompat; do
        [ -e "$root$d" ] && fail "$d is installed: a /usr system never looks there"
done
echo "   $(wc -l <"$tmp/files") files installed"

if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s)"
        exit 1
fi
echo "install layout ok"
