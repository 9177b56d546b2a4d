#!/usr/bin/env bash
# schemathesis's examples phase (every doc example, all checks) against the mock generated for a
# corpus workspace, as `cargo xtask corpus` built it. Called by .ci/run after the whole-beta
# corpus; the virtualenv is the one .ci/schemathesis.sh made.
# Usage: .ci/schemathesis-corpus.sh WORKSPACE
set -euo pipefail
cd "$(dirname "$0")/.."
workspace=$1
venv="${PYTHON_VENV:-target/python}"

# The corpus's own build command, so nothing is rebuilt: the binary is the workspace's mock.
CARGO_TARGET_DIR="$PWD/target" cargo build --quiet --manifest-path "$workspace/Cargo.toml" \
  --workspace --bins --tests
port=18766
target/debug/graph-mock --port "$port" --auth scopes > target/schemathesis-corpus-mock.log 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true' EXIT
version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$workspace/spec/api.json")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/$version/\$openapi" > /dev/null && break
  sleep 0.2
done
# An unsigned JWT with every delegated scope and application role the spec documents.
token=$(python3 - "$workspace/spec/api.json" <<'PY'
import base64, json, sys
spec = json.load(open(sys.argv[1]))
scopes, roles = set(), set()
for operation in spec["operations"]:
    permissions = operation.get("permissions", {})
    for kind, found in (("delegatedWork", scopes), ("delegatedPersonal", scopes), ("application", roles)):
        if permissions.get(kind, {}).get("status") == "scopes":
            found.update(permissions[kind]["scopes"])
part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
print(part({"alg": "none", "typ": "JWT"}) + "." + part({"scp": " ".join(sorted(scopes)), "roles": sorted(roles)}) + ".")
PY
)
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/$version/\$openapi" \
  --phases examples --checks all --seed 1 --workers 2 \
  -H "Authorization: Bearer $token"
