#!/usr/bin/env bash
# Validates the OpenAPI documents and runs schemathesis against the mock (all checks, stateful
# and negative phases included) with a fixed seed. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${PYTHON_VENV:-target/python}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5 openapi-spec-validator==0.9.0

echo "== OpenAPI: the checked-in document is fresh and valid"
cargo xtask openapi --check
"$venv/bin/openapi-spec-validator" spec/openapi.json
# Other specs (space-separated spec folders): the Intune set and all of Graph, each version.
documents=$(mktemp -d)
n=0
for spec in ${CORPUS_SPECS:-}; do
  n=$((n + 1))
  cargo xtask openapi --spec "$spec" --out "$documents/$n.json"
  "$venv/bin/openapi-spec-validator" "$documents/$n.json"
done
rm -rf "$documents"

echo "== schemathesis against the mock (--auth scopes)"
cargo build -p graph-mock --locked
port=18765
target/debug/graph-mock --spec spec --port "$port" --auth scopes > target/schemathesis-mock.log 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/beta/\$openapi" > /dev/null && break
  sleep 0.2
done
# An unsigned JWT with the permissions the documented operations need.
token=$(python3 -c '
import base64, json
part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
print(part({"alg": "none", "typ": "JWT"}) + "." + part({"scp": "DeviceManagementConfiguration.ReadWrite.All"}) + ".")')
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/beta/\$openapi" \
  --checks all --max-examples 200 --seed 1 --workers 1 \
  -H "Authorization: Bearer $token"
