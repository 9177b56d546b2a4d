#!/usr/bin/env bash
# The official Microsoft Graph JavaScript client against the mock over HTTPS (as Graph is, and as
# that client needs to send its token). Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p graph-mock --locked
work=$(mktemp -d)
port=18766
target/debug/graph-mock --port "$port" --tls --tls-cert-out "$work/mock.pem" > target/sdk-js-mock.log 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ -s "$work/mock.pem" ] && curl -fs --cacert "$work/mock.pem" "https://127.0.0.1:$port/beta/\$openapi" > /dev/null && break
  sleep 0.2
done

cd tests/sdk-js
npm ci --no-audit --no-fund
GRAPH_MOCK_URL="https://127.0.0.1:$port" NODE_EXTRA_CA_CERTS="$work/mock.pem" node --test
