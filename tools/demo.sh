#!/bin/sh
# The main job, end to end, on a fresh machine: build migcompat, simulate
# the host described in data/demo/ (umockdev), run migcompatd on a private
# system bus over it, ask it real questions with busctl and migcompatctl,
# and stop everything cleanly. The first README set-up command.
#   tools/demo.sh            (build dir: build/, or $MC_BUILD_DIR)
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)

if [ "${MC_DEMO_INSIDE:-}" != 1 ]; then
        tools/install-deps.sh
        BUILD=${MC_BUILD_DIR:-build}
        cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
        cmake --build "$BUILD" -j"$(nproc)" >/dev/null
        echo "== Built migcompatd and migcompatctl in $BUILD/"
        echo "== Simulating the host of data/demo/host.umockdev (umockdev)"
        MC_DEMO_INSIDE=1 MC_BUILD_DIR=$(cd "$BUILD" && pwd) \
                exec umockdev-run -d data/demo/host.umockdev -- "$0"
fi

# ---- inside the simulated host ----------------------------------------------
BUILD=$MC_BUILD_DIR
WORK=$(mktemp -d /tmp/migcompat-demo.XXXXXX)
DAEMON_PID=
BUS_PID=
cleanup() {
        [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
        [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null || true
        rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A private bus standing in for the system bus.
dbus-daemon --session --fork --print-address=3 --print-pid=4 3>"$WORK/address" 4>"$WORK/pid"
BUS_PID=$(cat "$WORK/pid")
DBUS_SYSTEM_BUS_ADDRESS=$(cat "$WORK/address")
export DBUS_SYSTEM_BUS_ADDRESS
PATH=$BUILD/src:$PATH

step() { printf '\n$ %s\n' "$*"; }

echo "== Starting migcompatd on a private bus"
"$BUILD/src/migcompatd" \
        --data-dir="$TOP/data/demo/mdev-models.d" \
        --pci-data-dir="$TOP/data/demo/vfio-pci-models.d" \
        --descriptor-dir="$BUILD/data/demo/vfio-user.d" \
        --cache-dir="$WORK/cache" 2>"$WORK/daemon.log" &
DAEMON_PID=$!
i=0
until busctl --system get-property org.migcompat.MigCompat1 /org/migcompat/MigCompat1 \
        org.migcompat.MigCompat1.Manager Version >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
                echo "migcompatd did not start:" >&2
                cat "$WORK/daemon.log" >&2
                exit 1
        fi
        sleep 0.1
done
sed 's/^<[0-9]>/  daemon: /' "$WORK/daemon.log"

# Every answer below is checked: the demo fails if the daemon answers wrong.
expect() { # expect STATUS COMMAND...
        want=$1
        shift
        step "$@"
        set +e
        "$@"
        got=$?
        set -e
        if [ "$got" != "$want" ]; then
                echo "demo: expected exit status $want, got $got" >&2
                exit 1
        fi
}

expect 0 migcompatctl list
expect 0 busctl --system get-property org.migcompat.MigCompat1 /org/migcompat/MigCompat1 \
        org.migcompat.MigCompat1.Manager NImplementations
echo "-- A one-device question, typed, as a scheduler would ask it:"
expect 0 busctl --system call org.migcompat.MigCompat1 /org/migcompat/MigCompat1 \
        org.migcompat.MigCompat1.Manager CheckDevice 'ssa{sv}as' \
        acme.example/vgpu v1 2 framebuffer i 1024 display s on 1 pre-copy
echo "-- A whole VM that can land here (exit status 0):"
expect 0 migcompatctl check data/demo/source-vm.json
echo "-- A VM that cannot, with every reason (exit status 1):"
expect 1 migcompatctl check data/demo/source-incompatible.json
echo "-- Source side: describe the running acme vGPU so another host can check it:"
expect 0 migcompatctl describe 4b20d080-1b54-4048-85b3-a6a62d165c01
echo "-- A VF on a VFIO variant driver: its identity and the version derived from what"
echo "   this host runs (driver build, PF firmware, PSID):"
expect 0 migcompatctl show vfio-pci:0000:af:00.2
echo "-- Source side: describe the VF; the same host build can take it (exit status 0),"
echo "   whether a VM already uses the destination VF is noted as unknown:"
migcompatctl describe 0000:af:00.2 >"$WORK/vf.json"
expect 0 migcompatctl check "$WORK/vf.json"
echo "-- A VF from a host whose PF runs other firmware: refused, naming the difference:"
expect 1 migcompatctl check data/demo/source-vf-other-firmware.json
echo "-- Offline, against the exported host profile (no daemon needed):"
expect 0 migcompatctl check --profile data/demo/host-profile.json data/demo/source-vm.json

step "kill -TERM migcompatd"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && status=0 || status=$?
DAEMON_PID=
[ "$status" = 0 ] || { echo "demo: migcompatd exited with $status" >&2; exit 1; }
echo "== migcompatd stopped cleanly (exit status 0). Demo complete."
