#!/bin/sh
# Install the Debian 12 packages migcompat needs to build, test and run.
# Used by both README set-up commands and by .ci/run. Does nothing when
# every package is already installed (so it is quick to re-run).
set -eu

# libvirt-daemon, libvirt-clients, qemu-system-x86: the live migration test
# (session-mode libvirtd only, so not libvirt-daemon-system and its system
# services); dbus, debhelper, dpkg-dev, lintian: tools/test-deb.sh.
PACKAGES="
    cmake gcc make pkg-config
    libsystemd-dev libglib2.0-dev libjson-glib-dev libudev-dev
    check umockdev libumockdev-dev
    dbus-daemon dbus-bin dbus-broker systemd util-linux strace
    mdevctl mandoc
    python3 curl placement-api python3-nova python3-jsonschema python3-yaml
    libvirt-daemon libvirt-clients qemu-system-x86
    dbus debhelper dpkg-dev lintian
"

missing=""
for p in $PACKAGES; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed"; then
                missing="$missing $p"
        fi
done
[ -z "$missing" ] && exit 0

echo "Installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
