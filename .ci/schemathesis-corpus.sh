#!/usr/bin/env bash
# schemathesis against the mock of a whole version of Graph (a spec folder, served by
# `graph-mock --spec`): the examples phase (every doc example, all checks) on every operation,
# and the coverage phase (boundary and negative cases) on the areas in COVERAGE_AREAS. The
# coverage phase generates about a thousand cases per operation, hours for the whole beta, so CI
# runs it on a few areas: those with `$ref` links, a singleton and contained collections.
# Called by .ci/run; the virtualenv is the one .ci/schemathesis.sh made.
# Usage: .ci/schemathesis-corpus.sh SPEC_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
spec=$1
venv="${PYTHON_VENV:-target/python}"
coverage_areas="${COVERAGE_AREAS:-administrativeUnits|contacts|devices}"

cargo build --quiet -p graph-mock --locked
port=18766
target/debug/graph-mock --spec "$spec" --port "$port" --auth scopes > target/schemathesis-corpus-mock.log 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true' EXIT
version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$spec/api.json")
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/$version/\$openapi" > /dev/null && break
  sleep 0.2
done
# Unsigned JWTs: one delegated (`scp`: every delegated scope the spec documents), one for an
# application (`roles`: every application role). A token is one or the other, as the identity
# platform issues them (the mock reads a token with `roles` as an application's), so each
# phase runs once per kind: an operation that supports only the other kind answers 403.
token() {
  python3 - "$spec/api.json" "$1" <<'PY'
import base64, json, sys
spec, kind = json.load(open(sys.argv[1])), sys.argv[2]
granted = set()
for operation in spec["operations"]:
    permissions = operation.get("permissions", {})
    kinds = ("delegatedWork", "delegatedPersonal") if kind == "delegated" else ("application",)
    for name in kinds:
        if permissions.get(name, {}).get("status") == "scopes":
            # An entry "A and B" needs both scopes (graph_spec::ALL_OF_SEPARATOR).
            granted.update(s for all in permissions[name]["scopes"] for s in all.split(" and "))
claims = {"scp": " ".join(sorted(granted))} if kind == "delegated" else {"roles": sorted(granted)}
part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")
print(part({"alg": "none", "typ": "JWT"}) + "." + part(claims) + ".")
PY
}
# Every request says `ConsistencyLevel: eventual`, as an app that uses the directory's advanced
# queries does: where a page documents that header, the mock (as Graph) refuses `$count` and
# `$search` without it, and an OpenAPI document cannot say that a header is needed only with
# some query options. The refusal itself is tested in graph_in_a_box.rs.
consistency="ConsistencyLevel: eventual"
for kind in delegated application; do
  echo "schemathesis, examples phase, $kind token"
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/$version/\$openapi" \
    --phases examples --checks all --seed 1 --workers 2 \
    -H "Authorization: Bearer $(token "$kind")" -H "$consistency"
  # One worker: with two threads, hypothesis's parse of its own lambdas' sources can trip
  # CPython 3.11's "AST constructor recursion depth mismatch" (a tool error, not a finding).
  echo "schemathesis, coverage phase on /($coverage_areas), $kind token"
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/$version/\$openapi" \
    --phases coverage --checks all --seed 1 --workers 1 \
    --include-path-regex "^/($coverage_areas)(/|\$)" \
    -H "Authorization: Bearer $(token "$kind")" -H "$consistency"
done
