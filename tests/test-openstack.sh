#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# migcompatctl's OpenStack exports against the real programs:
#  - a real Placement service (Debian's placement-api, Placement 8.0, run
#    standalone on 127.0.0.1 with SQLite and auth_strategy = noauth2):
#    contrib/migcompat-placement-sync applied twice with different host
#    states keeps Nova's standard traits and the operator's own, replaces
#    migcompat's, and GET /resource_providers?required=CUSTOM_MIGCOMPAT_...
#    finds exactly the right hosts; a PUT with a stale generation is
#    refused (409) as the recipe expects;
#  - "export --format nova-provider-config" read by Nova's own code
#    (nova.compute.provider_config from Debian's python3-nova: the schema,
#    then the custom-trait and custom-resource-class checks).
# Usage: test-openstack.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) when the
# programs are not installed, except in CI (CI=true), where that fails:
# tools/install-deps.sh installs them.
set -eu

build=$1
src=$2
ctl=$build/src/migcompatctl
sync=$src/contrib/migcompat-placement-sync
pass=0
# Debian's python3, where python3-nova is, whatever else is first on PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3

missing=""
command -v placement-api >/dev/null 2>&1 || missing="$missing placement-api"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
"$py" -c 'import nova.compute.provider_config' 2>/dev/null || missing="$missing python3-nova"
if [ -n "$missing" ]; then
        if [ "${CI:-}" = true ]; then
                echo "FAIL: not installed:$missing (tools/install-deps.sh installs them)"
                exit 1
        fi
        echo "SKIP: not installed:$missing; run tools/install-deps.sh to test against them"
        exit 77
fi

tmp=$(mktemp -d)
api_pid=""
cleanup() {
        [ -z "$api_pid" ] || kill "$api_pid" 2>/dev/null || true
        [ -z "$api_pid" ] || wait "$api_pid" 2>/dev/null || true
        rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
        echo "FAIL: $*"
        [ ! -f "$tmp/api.log" ] || tail -20 "$tmp/api.log"
        exit 1
}
ok() {
        echo "ok: $*"
        pass=$((pass + 1))
}

# ---- two host states ---------------------------------------------------------------------
# A: the demo host. B: the acme driver upgraded (v3 and v2, no v1 any
# more), the NVIDIA card gone, every acme instance in use (which changes no
# trait: traits are static facts).
cp "$src/data/demo/host-profile.json" "$tmp/a.json"
"$py" - "$tmp/a.json" "$tmp/b.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
impls = []
for i in p["implementations"]:
    if i["id"].startswith("mdev:0000:3b:00.0:"):
        continue
    m = i.get("models", {}).get("acme.example/vgpu")
    if m:
        m["versions"] = ["v3", "v2"]
        i["available-instances"] = 0
    impls.append(i)
p["implementations"] = impls
p["host"]["generation"] += 1
json.dump(p, open(sys.argv[2], "w"), indent=1)
PY

trait_of() { # PROFILE REGEX: the one trait of the profile matching REGEX
        "$ctl" export --format placement --profile "$1" | grep -E "^$2\$" || fail "no trait $2 in $1"
}
ACME_V1=$(trait_of "$tmp/a.json" 'CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V1_H[0-9A-F]{12}')
ACME_V2=$(trait_of "$tmp/a.json" 'CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V2_H[0-9A-F]{12}')
ACME_V3=$(trait_of "$tmp/b.json" 'CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V3_H[0-9A-F]{12}')
ACME_V3_PRE=$(trait_of "$tmp/b.json" 'CUSTOM_MIGCOMPAT_ACME_EXAMPLE_VGPU_V_V3_H[0-9A-F]{12}_PRE_COPY')
NV=$(trait_of "$tmp/a.json" 'CUSTOM_MIGCOMPAT_NVIDIA_COM_VGPU_GRID_P4_1Q_V_R535_2_H[0-9A-F]{12}')
GVT=$(trait_of "$tmp/a.json" 'CUSTOM_MIGCOMPAT_INTEL_COM_GVT_G_V5_4_V_GVT_2_H[0-9A-F]{12}')

# ---- Placement ------------------------------------------------------------------------------
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
cat > "$tmp/placement.conf" <<EOF2
[DEFAULT]
use_stderr = true
[api]
auth_strategy = noauth2
[placement_database]
connection = sqlite:///$tmp/placement.sqlite
EOF2
placement-manage --config-file "$tmp/placement.conf" db sync > "$tmp/db.log" 2>&1 || { cat "$tmp/db.log"; fail "placement-manage db sync"; }
OS_PLACEMENT_CONFIG_DIR=$tmp placement-api --host 127.0.0.1 --port "$port" > "$tmp/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 100); do
        curl -s -o /dev/null "$url/" && break
        kill -0 "$api_pid" 2>/dev/null || fail "placement-api exited"
        sleep 0.1
done
version=$(curl -sS "$url/" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["versions"][0]["max_version"])')
ok "placement-api $(dpkg-query -W -f='${Version}' placement-api 2>/dev/null) on $url, microversions up to $version"

# noauth2: any token; "admin" is an admin.
export OS_TOKEN=admin
req() { # METHOD PATH [BODY]: the answer on stdout; fails on HTTP >= 400
        curl -sS --fail-with-body -X "$1" -H "X-Auth-Token: admin" -H "OpenStack-API-Version: placement 1.39" \
                -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$url$2"
}
NODE_A=aaaaaaaa-0000-4000-8000-00000000000a
NODE_B=bbbbbbbb-0000-4000-8000-00000000000b
NODE_C=cccccccc-0000-4000-8000-00000000000c
req PUT /traits/CUSTOM_RACK_1 > /dev/null
for n in A B C; do
        case $n in A) uuid=$NODE_A ;; B) uuid=$NODE_B ;; *) uuid=$NODE_C ;; esac
        req POST /resource_providers "{\"name\": \"compute-$n\", \"uuid\": \"$uuid\"}" > /dev/null
        # What Nova and the operator gave the node: the recipe must keep it.
        req PUT "/resource_providers/$uuid/traits" \
                '{"traits": ["COMPUTE_NET_ATTACH_INTERFACE", "HW_CPU_X86_AVX2", "CUSTOM_RACK_1"], "resource_provider_generation": 0}' \
                > /dev/null
done

traits_of() { # UUID: its traits, one a line, sorted
        req GET "/resource_providers/$1/traits" | "$py" -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin)["traits"])))'
}
names_with() { # TRAIT: the providers that have it, sorted, space-separated
        req GET "/resource_providers?required=$1" |
                "$py" -c 'import json,sys; print(" ".join(sorted(r["name"] for r in json.load(sys.stdin)["resource_providers"])))'
}
expect_names() { # TRAIT EXPECTED
        got=$(names_with "$1")
        [ "$got" = "$2" ] || fail "required=$1: got \"$got\", expected \"$2\""
        ok "required=${1%_H*}...: ${2:-no provider}"
}
keeps_standard() { # UUID
        t=$(traits_of "$1")
        for s in COMPUTE_NET_ATTACH_INTERFACE HW_CPU_X86_AVX2 CUSTOM_RACK_1; do
                printf '%s\n' "$t" | grep -qx "$s" || fail "provider $1 lost $s: $t"
        done
}

# Round 1: node A in state A, node B in state B.
MIGCOMPATCTL=$ctl "$sync" "$url" "$NODE_A" --profile "$tmp/a.json" || fail "sync A"
MIGCOMPATCTL=$ctl "$sync" "$url" "$NODE_B" --profile "$tmp/b.json" || fail "sync B"
for u in $NODE_A $NODE_B $NODE_C; do keeps_standard "$u"; done
ok "the standard and operator traits are kept on every provider"
na=$(traits_of "$NODE_A" | grep -c '^CUSTOM_MIGCOMPAT_')
want=$("$ctl" export --format placement --profile "$tmp/a.json" | wc -l)
[ "$na" -eq "$want" ] || fail "node A has $na migcompat traits, the profile $want"
ok "node A has all $want traits of its profile, in one update"
expect_names "$ACME_V1" "compute-A"
expect_names "$ACME_V2" "compute-A compute-B"
expect_names "$ACME_V3" "compute-B"
expect_names "$ACME_V3_PRE" "compute-B"
expect_names "$NV" "compute-A"
expect_names "$GVT" "compute-A compute-B"
expect_names "$GVT,$ACME_V3" "compute-B"

# Round 2: node A changes to state B. Its stale traits go, the rest stays.
MIGCOMPATCTL=$ctl "$sync" "$url" "$NODE_A" --profile "$tmp/b.json" || fail "sync A again"
for u in $NODE_A $NODE_B $NODE_C; do keeps_standard "$u"; done
expect_names "$ACME_V1" ""
expect_names "$NV" ""
expect_names "$ACME_V3" "compute-A compute-B"
traits_of "$NODE_A" | grep -q "^${NV%_H*}" && fail "node A kept a stale NVIDIA trait"
ok "round 2: node A's stale traits are gone, its new ones set"
[ "$(traits_of "$NODE_A")" = "$(traits_of "$NODE_B")" ] || fail "nodes A and B in the same state differ"
ok "nodes in the same state have the same traits"

# The generation: a body merged from a GET that is no longer current is
# refused, so nothing another writer set in between is lost.
req GET "/resource_providers/$NODE_C/traits" > "$tmp/c-old.json"
req PUT "/resource_providers/$NODE_C/traits" \
        '{"traits": ["COMPUTE_NET_ATTACH_INTERFACE", "HW_CPU_X86_AVX2", "CUSTOM_RACK_1", "COMPUTE_VOLUME_EXTEND"], "resource_provider_generation": 1}' \
        > /dev/null
"$ctl" export --format placement --profile "$tmp/a.json" --merge "$tmp/c-old.json" > "$tmp/c-body.json"
code=$(curl -sS -o "$tmp/c-answer" -w '%{http_code}' -X PUT -H "X-Auth-Token: admin" \
        -H "OpenStack-API-Version: placement 1.6" -H 'Content-Type: application/json' \
        --data-binary "@$tmp/c-body.json" "$url/resource_providers/$NODE_C/traits")
[ "$code" = 409 ] || fail "a PUT with a stale generation got HTTP $code"
ok "a stale generation is refused (409)"
MIGCOMPATCTL=$ctl "$sync" "$url" "$NODE_C" --profile "$tmp/a.json" || fail "sync C"
traits_of "$NODE_C" | grep -qx COMPUTE_VOLUME_EXTEND || fail "the trait set in between was lost"
expect_names "$ACME_V1" "compute-C"
ok "the recipe read again and kept the trait set in between"

# ---- Nova's provider configuration ----------------------------------------------------------
cat > "$tmp/nova-check.py" <<'PY'
# Nova's own reading of a provider config file: schema version, the JSON
# schema (jsonschema, draft 7), then the custom-only checks.
import sys
from nova import exception
from nova.compute import provider_config as pc
for path in sys.argv[1:]:
    try:
        doc = pc._parse_provider_yaml(path)
        providers = pc._validate_provider_config(doc, path)
    except exception.ProviderConfigException as e:
        print("REJECTED %s: %s" % (path, e))
        sys.exit(1)
    n_traits = sum(len(p.get("traits", {}).get("additional", [])) for p in providers)
    n_rc = sum(len(i) for p in providers for i in p.get("inventories", {}).get("additional", []))
    print("accepted %s: %d providers, %d traits, %d resource classes" % (path, len(providers), n_traits, n_rc))
PY
mkdir "$tmp/provider_config"
"$ctl" export --format nova-provider-config --profile "$tmp/a.json" --output "$tmp/provider_config/migcompat-a.yaml"
"$ctl" export --format nova-provider-config --profile "$tmp/b.json" --output "$tmp/provider_config/migcompat-b.yaml"
"$py" - "$src/data/demo/host-profile.json" "$tmp/none.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["implementations"] = [i for i in p["implementations"] if not i.get("models")]
json.dump(p, open(sys.argv[2], "w"))
PY
"$ctl" export --format nova-provider-config --profile "$tmp/none.json" --output "$tmp/provider_config/migcompat-none.yaml"
"$py" "$tmp/nova-check.py" "$tmp/provider_config/migcompat-a.yaml" "$tmp/provider_config/migcompat-b.yaml" \
        "$tmp/provider_config/migcompat-none.yaml" > "$tmp/nova.out" 2>&1 || { cat "$tmp/nova.out"; fail "Nova refused the file"; }
cat "$tmp/nova.out"
grep -q "accepted .*migcompat-a.yaml: 1 providers, $want traits, 4 resource classes" "$tmp/nova.out" ||
        fail "Nova did not read what the profile holds"
# State B: acme is full, so it has no inventory, but it keeps its traits;
# the NVIDIA card is gone; virtio-net is a program (unlimited, no
# inventory): GVT-g alone. A VF's availability is unknown: no inventory.
want_b=$("$ctl" export --format placement --profile "$tmp/b.json" | wc -l)
grep -q "accepted .*migcompat-b.yaml: 1 providers, $want_b traits, 1 resource classes" "$tmp/nova.out" ||
        fail "state B: expected $want_b traits and 1 resource class (GVT-g)"
ok "Nova's provider_config accepts the files"
# The check itself can fail: a lower-case trait is Nova's error.
sed 's/- CUSTOM_MIGCOMPAT_ACME/- custom_migcompat_acme/' "$tmp/provider_config/migcompat-a.yaml" > "$tmp/broken.yaml"
if "$py" "$tmp/nova-check.py" "$tmp/broken.yaml" > "$tmp/broken.out" 2>&1; then
        fail "Nova's check accepted a lower-case trait"
fi
grep -q "REJECTED" "$tmp/broken.out" || fail "the broken file failed otherwise: $(cat "$tmp/broken.out")"
ok "Nova's check refuses a broken file"
"$ctl" export --format nova-provider-config --profile "$tmp/a.json" | grep -q "uuid: '\$COMPUTE_NODE'" ||
        fail "the provider is not \$COMPUTE_NODE"

echo "$pass passed, 0 failed"
