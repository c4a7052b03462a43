#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The libvirt hook in real live migrations: two session-mode libvirtd on
# this machine (one unprivileged user in group kvm, each daemon with its
# own HOME and XDG directories and its own host_uuid), a diskless 64 MiB
# guest migrated between them over tcp://127.0.0.1, migcompatd on a private
# system bus over the simulated host of data/demo/host.umockdev, and the
# hook installed in /etc/libvirt/hooks/qemu.d/ before the daemons start, so
# that libvirt finds it and runs it as it runs every hook: with a clean
# environment. The hook finds the private bus through its configuration
# file (system_bus_address=).
#
#  1. The metadata round trip: "describe --domain-metadata=virsh" through
#     "virsh metadata --set", stored by libvirt as the prefixed element
#     "describe --domain-metadata" prints, read back as given.
#  2. A device model this host does not have: refused, and the guest keeps
#     running on the source.
#  3. Compatible metadata: migrates.
#  4. "virsh migrate --offline": checked like a live migration.
#  5. migcompatd stopped: refused, the guest keeps running.
#
# usage: test-libvirt.sh BUILD_DIR SOURCE_DIR
# Needs root (to install the hook and to run the daemons as another user),
# libvirtd, virsh, qemu-system-x86_64, umockdev-run, dbus-daemon, setpriv.
# Without them it is skipped (exit status 77), except in CI (CI=true), where
# a missing program is a failure. Everything it puts in /etc (the hook, the
# test user) is removed when it ends.

set -u
build=$1
src=$2

skip() {
        if [ "${CI:-}" = true ]; then
                echo "FAIL: $*"
                exit 1
        fi
        echo "SKIP: $*"
        exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root: cannot install the hook into /etc/libvirt/hooks/qemu.d"
for p in libvirtd virsh qemu-system-x86_64 umockdev-run dbus-daemon setpriv busctl useradd; do
        PATH=$PATH:/usr/sbin:/sbin command -v "$p" >/dev/null 2>&1 || skip "$p is not installed"
done
PATH=$PATH:/usr/sbin:/sbin

NS=https://migcompat.org/xmlns/libvirt-domain/1
UUID=4b20d080-1b54-4048-85b3-a6a62d165c01 # an acme vGPU instance of the demo host
USER_NAME=migcompat-e2e
HOOK_DIR=/etc/libvirt/hooks/qemu.d
HOOK=$HOOK_DIR/50-migcompat-e2e-$$ # not the installed name: never replace a real install
GUEST=mc-e2e-$$
# Ports of this run's own (the machine may be shared).
PORT=$((49152 + $$ % 8000))

WORK=$(mktemp -d /tmp/migcompat-e2e.XXXXXX) || exit 1
chmod 755 "$WORK"
failures=0
created_user=
created_dirs=
BUS_PID=
DAEMON_PID=
started=$(date +%s)

fail() {
        echo "FAIL: $*"
        failures=$((failures + 1))
}
ok() { echo "ok: $*"; }

as_user() { # as_user SIDE COMMAND...: in that side's environment
        side=$1
        shift
        d=$WORK/$side
        setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups \
                env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$d/home" XDG_CONFIG_HOME="$d/config" \
                XDG_CACHE_HOME="$d/cache" XDG_DATA_HOME="$d/data" XDG_RUNTIME_DIR="$d/run" \
                DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/bus/socket" ASAN_OPTIONS=verify_asan_link_order=0 "$@"
}
uri() { echo "qemu+unix:///session?socket=$WORK/$1/run/libvirt/libvirt-sock"; }
virsh_on() { # virsh_on SIDE ARGS...
        s=$1
        shift
        as_user "$s" virsh -q -c "$(uri "$s")" "$@"
}
state_on() { virsh_on "$1" domstate "$GUEST" 2>/dev/null | head -n 1; }

cleanup() {
        for s in src dst; do
                [ -S "$WORK/$s/run/libvirt/libvirt-sock" ] || continue
                virsh_on "$s" destroy "$GUEST" >/dev/null 2>&1
                virsh_on "$s" undefine "$GUEST" >/dev/null 2>&1
        done
        for s in src dst; do
                # A QEMU that outlived its domain, by the pid libvirt wrote.
                for f in "$WORK/$s"/run/libvirt/qemu/run/*.pid; do
                        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
                done
                [ -f "$WORK/$s/run/libvirt/libvirtd.pid" ] && kill "$(cat "$WORK/$s/run/libvirt/libvirtd.pid")" 2>/dev/null
        done
        [ -n "$MC_PID" ] && kill "$MC_PID" 2>/dev/null
        [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null
        [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
        rm -f "$HOOK"
        for d in $created_dirs; do rmdir "$d" 2>/dev/null; done
        if [ -n "$created_user" ]; then
                # Once the last of the user's processes is gone.
                i=0
                until userdel "$USER_NAME" 2>/dev/null; do
                        i=$((i + 1))
                        if [ $i -gt 50 ]; then
                                echo "FAIL: the user $USER_NAME still runs processes; not removed:"
                                ps -u "$USER_NAME" -o pid,args
                                break
                        fi
                        sleep 0.2
                done
        fi
        rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the user, the hook, the bus, migcompatd ------------------------------------
if ! id "$USER_NAME" >/dev/null 2>&1; then
        getent group kvm >/dev/null || groupadd --system kvm
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
                --groups kvm "$USER_NAME" || skip "cannot create the user $USER_NAME"
        created_user=1
fi

# The programs, where the user can run them (the build tree may be in a
# private home directory).
mkdir -p "$WORK/bin" "$WORK/etc" "$WORK/bus" "$WORK/cache" "$WORK/empty"
cp "$build/src/migcompatctl" "$build/src/migcompatd" "$WORK/bin/"
cp -r "$src/data/demo/mdev-models.d" "$src/data/demo/host.umockdev" "$WORK/"

# The hook as configured for this prefix: the same script, naming this
# test's migcompatctl and configuration file; in /etc as a symlink to it,
# as the Debian package installs it.
for d in /etc/libvirt /etc/libvirt/hooks $HOOK_DIR; do
        [ -d "$d" ] || { mkdir "$d" && created_dirs="$d $created_dirs"; }
done
sed -e "s|@MC_BINDIR@|$WORK/bin|g" -e "s|@MC_SYSCONFDIR@|$WORK/etc|g" \
        "$src/data/libvirt/hooks/qemu.d/50-migcompat.in" >"$WORK/bin/libvirt-qemu-hook"
chmod 755 "$WORK/bin/libvirt-qemu-hook"
grep '@[A-Z_]*@' "$WORK/bin/libvirt-qemu-hook" && fail "the hook has unconfigured @VARIABLES@"
ln -s "$WORK/bin/libvirt-qemu-hook" "$HOOK"
for h in "$HOOK_DIR"/*; do
        # libvirt runs them all: an installed migcompat hook would ask the real system bus.
        [ "$h" = "$HOOK" ] || [ ! -x "$h" ] || echo "note: $h runs too, and may refuse what this test expects to pass"
done
cp "$src/data/libvirt/libvirt-hook.conf" "$WORK/etc/libvirt-hook.conf"
echo "system_bus_address=unix:path=$WORK/bus/socket" >>"$WORK/etc/libvirt-hook.conf"

cat >"$WORK/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$WORK/bus/socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
for s in src dst; do
        mkdir -p "$WORK/$s/home" "$WORK/$s/config/libvirt" "$WORK/$s/cache" "$WORK/$s/data" "$WORK/$s/run"
        chmod 700 "$WORK/$s/run"
done
# Distinct host UUIDs: libvirt refuses to migrate a guest to its own host.
echo 'host_uuid = "6d1f0a2e-3b4c-4d5e-8f60-000000000001"' >"$WORK/src/config/libvirt/libvirtd.conf"
echo 'host_uuid = "6d1f0a2e-3b4c-4d5e-8f60-000000000002"' >"$WORK/dst/config/libvirt/libvirtd.conf"
for s in src dst; do
        # No virtlogd in session mode here: QEMU's output goes to a file.
        echo 'stdio_handler = "file"' >"$WORK/$s/config/libvirt/qemu.conf"
done
chown -R "$USER_NAME:" "$WORK"

# (A shell function run with & is a subshell: each program started that way
# is stopped by the pid it reports itself, never by the subshell's.)
as_user src dbus-daemon --config-file="$WORK/bus.conf" --fork --nopidfile --print-pid=1 >"$WORK/bus.pid" 2>"$WORK/bus.log"
BUS_PID=$(cat "$WORK/bus.pid")
[ -n "$BUS_PID" ] || { cat "$WORK/bus.log"; echo "FAIL: the private bus did not start"; exit 1; }

MC_PID=
# migcompatd's own pid (umockdev-run is its parent), from the bus.
daemon_pid() {
        as_user src busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.migcompat.MigCompat1 2>/dev/null | sed -n 's/^u //p'
}
start_daemon() {
        as_user src umockdev-run -d "$WORK/host.umockdev" -- "$WORK/bin/migcompatd" \
                --data-dir="$WORK/mdev-models.d" --descriptor-dir="$WORK/empty" \
                --cache-dir="$WORK/cache" >"$WORK/daemon.log" 2>&1 &
        DAEMON_PID=$!
        i=0
        until as_user src busctl --system get-property org.migcompat.MigCompat1 /org/migcompat/MigCompat1 \
                org.migcompat.MigCompat1.Manager Version >/dev/null 2>&1; do
                i=$((i + 1))
                if [ $i -gt 150 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
                        cat "$WORK/daemon.log" "$WORK/bus.log"
                        echo "FAIL: migcompatd did not start on the private bus"
                        exit 1
                fi
                sleep 0.1
        done
        MC_PID=$(daemon_pid)
}
start_daemon
ok "migcompatd runs on the private bus over the simulated host"

# ---- the two libvirtd (after the hook is in place: libvirt looks once) ------------
for s in src dst; do
        as_user "$s" libvirtd --timeout 0 >"$WORK/$s/libvirtd.log" 2>&1 &
done
for s in src dst; do
        i=0
        until virsh_on "$s" version >/dev/null 2>&1; do
                i=$((i + 1))
                if [ $i -gt 100 ]; then
                        cat "$WORK/$s/libvirtd.log"
                        echo "FAIL: libvirtd ($s) did not start"
                        exit 1
                fi
                sleep 0.2
        done
done
ok "two session libvirtd run as $USER_NAME"

# KVM when the user can use it, else TCG (slower, same migration).
# (MC_TEST_LIBVIRT_TCG=1 tries TCG anyway.)
if [ "${MC_TEST_LIBVIRT_TCG:-}" != 1 ] && as_user src sh -c 'test -r /dev/kvm && test -w /dev/kvm'; then
        virt=kvm
else
        virt=qemu
        echo "note: the guest runs under TCG (/dev/kvm is not usable, or MC_TEST_LIBVIRT_TCG=1)"
fi
# Diskless, 64 MiB, the default CPU model (host-model makes this QEMU crash
# on some hosts), no devices but what QEMU needs.
cat >"$WORK/guest.xml" <<EOF
<domain type='$virt'>
  <name>$GUEST</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
chown "$USER_NAME:" "$WORK/guest.xml"

migrate() { # migrate FROM TO [virsh migrate options]: status, output in $WORK/migrate.out
        from=$1
        to=$2
        shift 2
        virsh_on "$from" migrate "$@" "$GUEST" "$(uri "$to")" >"$WORK/migrate.out" 2>&1
}

# ---- 1. the metadata round trip -----------------------------------------------------
if ! virsh_on src create "$WORK/guest.xml" >"$WORK/create.out" 2>&1; then
        cat "$WORK/create.out" "$WORK/src/libvirtd.log"
        echo "FAIL: the guest does not start"
        exit 1
fi
[ "$(state_on src)" = running ] && ok "the guest runs on the source" || fail "the guest does not run"

bare=$(as_user src "$WORK/bin/migcompatctl" describe --domain-metadata=virsh --id hostdev0 "$UUID")
element=$(as_user src "$WORK/bin/migcompatctl" describe --domain-metadata --id hostdev0 "$UUID")
case $element in
"<migcompat:migcompat xmlns:migcompat=\"$NS\">"*) ok "describe --domain-metadata prints the prefixed element" ;;
*) fail "describe --domain-metadata printed: $element" ;;
esac
set_metadata() { # set_metadata SIDE XML [--live|--config]
        virsh_on "$1" metadata "$GUEST" --uri "$NS" --key migcompat --set "$2" "${3:---live}" >"$WORK/metadata.out" 2>&1
}
if set_metadata src "$bare"; then
        ok "virsh metadata --set takes describe --domain-metadata=virsh"
else
        fail "virsh metadata --set refused describe --domain-metadata=virsh: $(cat "$WORK/metadata.out")"
fi
# The element form cannot be given to --set (it declares the prefix
# itself); say so if libvirt ever changes.
if set_metadata src "$element"; then
        note_element="accepted"
else
        note_element="refused: $(head -n 1 "$WORK/metadata.out")"
fi
echo "note: virsh metadata --set with the element form: $note_element"
set_metadata src "$bare" >/dev/null 2>&1
back=$(virsh_on src metadata "$GUEST" --uri "$NS")
norm() { tr -d ' \n'; }
if [ "$(printf '%s' "$back" | norm)" = "$(printf '%s' "$bare" | norm)" ]; then
        ok "virsh metadata --uri reads back what was set"
else
        fail "virsh metadata --uri read back:
$back
instead of:
$bare"
fi
virsh_on src dumpxml "$GUEST" >"$WORK/dumpxml"
stored=$(sed -n '/<migcompat:migcompat/,/<\/migcompat:migcompat>/p' "$WORK/dumpxml" | sed 's/^    //')
if [ "$(printf '%s' "$stored" | norm)" = "$(printf '%s' "$element" | norm)" ]; then
        ok "libvirt stores the element exactly as describe --domain-metadata prints it"
else
        fail "the domain XML holds:
$stored
and describe --domain-metadata printed:
$element"
fi
as_user src "$WORK/bin/migcompatctl" check-domain "$WORK/dumpxml" >"$WORK/check.out" 2>&1 &&
        ok "check-domain reads the stored element: compatible" ||
        fail "check-domain on the stored domain XML: $(cat "$WORK/check.out")"

# ---- 2. an unknown device model: refused, the guest stays -----------------------------
unknown=$(printf '%s' "$bare" | sed 's|model="[^"]*"|model="unknown.example/gpu"|')
set_metadata src "$unknown"
if migrate src dst --live --migrateuri "tcp://127.0.0.1:$PORT"; then
        fail "an unknown device model migrated: $(cat "$WORK/migrate.out")"
else
        msg=$(cat "$WORK/migrate.out")
        case $msg in
        *"migcompat: refusing incoming migration of domain \"$GUEST\": device hostdev0 (unknown.example/gpu version v1) cannot land on this host"*)
                ok "an unknown model is refused by the hook: $(echo "$msg" | head -n 1)" ;;
        *) fail "refused, but not by the hook as expected: $msg" ;;
        esac
        case $msg in *line*) fail "the refusal names a line of the XML: $msg" ;; esac
fi
[ "$(state_on src)" = running ] && ok "the guest keeps running on the source" ||
        fail "the guest is not running on the source after the refusal: $(state_on src)"
[ -z "$(state_on dst)" ] && ok "and is not on the destination" || fail "the guest is on the destination: $(state_on dst)"

# ---- 3. compatible metadata: migrates ---------------------------------------------------
set_metadata src "$bare"
t0=$(date +%s)
if migrate src dst --live --migrateuri "tcp://127.0.0.1:$PORT"; then
        ok "compatible metadata migrates ($(($(date +%s) - t0)) s)"
else
        fail "a compatible guest did not migrate: $(cat "$WORK/migrate.out")"
fi
[ "$(state_on dst)" = running ] && ok "the guest runs on the destination" ||
        fail "the guest does not run on the destination: $(state_on dst)"
# The metadata travelled with it.
back=$(virsh_on dst metadata "$GUEST" --uri "$NS" 2>&1)
[ "$(printf '%s' "$back" | norm)" = "$(printf '%s' "$bare" | norm)" ] &&
        ok "the metadata travelled with the guest" || fail "the destination's metadata: $back"

# ---- 4. offline migration: checked like a live one -----------------------------------
# A second, never started domain: only its definition moves.
OFFLINE=$GUEST-offline
sed "s|<name>$GUEST</name>|<name>$OFFLINE</name>|" "$WORK/guest.xml" >"$WORK/offline.xml"
chown "$USER_NAME:" "$WORK/offline.xml"
virsh_on src define "$WORK/offline.xml" >/dev/null 2>&1 || fail "cannot define $OFFLINE"
offline() { # offline METADATA: status of an offline migration of $OFFLINE with that metadata
        virsh_on src metadata "$OFFLINE" --uri "$NS" --key migcompat --set "$1" --config >/dev/null 2>&1 ||
                fail "cannot set the metadata of $OFFLINE"
        virsh_on src migrate --offline --persistent "$OFFLINE" "$(uri dst)" >"$WORK/migrate.out" 2>&1
}
if offline "$unknown"; then
        fail "an offline migration with an unknown model was let through"
else
        case $(cat "$WORK/migrate.out") in
        *"migcompat: refusing incoming migration of domain \"$OFFLINE\""*) ok "an offline migration is checked: refused" ;;
        *) fail "offline migration refused, but not by the hook: $(cat "$WORK/migrate.out")" ;;
        esac
fi
[ -z "$(virsh_on dst domstate "$OFFLINE" 2>/dev/null)" ] || fail "the refused definition is on the destination"
if offline "$bare"; then
        ok "an offline migration with compatible metadata passes"
        [ "$(virsh_on dst domstate "$OFFLINE" 2>/dev/null | head -n 1)" = "shut off" ] ||
                fail "the migrated definition is not on the destination"
else
        fail "a compatible offline migration was refused: $(cat "$WORK/migrate.out")"
fi
for s in src dst; do virsh_on "$s" undefine "$OFFLINE" >/dev/null 2>&1; done

# ---- 5. migcompatd stopped: refused ----------------------------------------------------
kill "$MC_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
MC_PID=
if migrate dst src --live --migrateuri "tcp://127.0.0.1:$PORT"; then
        fail "migrated with migcompatd stopped"
else
        case $(cat "$WORK/migrate.out") in
        *"migcompat: cannot check the incoming migration of domain \"$GUEST\": migcompatd is not running"*)
                ok "migcompatd stopped: refused" ;;
        *) fail "refused, but not for the stopped daemon: $(cat "$WORK/migrate.out")" ;;
        esac
fi
[ "$(state_on dst)" = running ] && ok "the guest keeps running where it was" ||
        fail "the guest is not running after the refusal: $(state_on dst)"

echo "   $virt guest, $(($(date +%s) - started)) s in all"
if [ "$failures" -gt 0 ]; then
        for s in src dst; do
                echo "---- $s libvirtd log (tail)"
                tail -n 20 "$WORK/$s/libvirtd.log"
        done
        echo "$failures failure(s)"
        exit 1
fi
echo "libvirt migrations ok"
