#!/usr/bin/env bash
# The official Microsoft Graph Python SDK (msgraph-beta-sdk with msgraph-core) against the mock
# over HTTPS. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${SDK_PYTHON_VENV:-target/python-sdk}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk-python/requirements.txt

cargo build -p graph-mock --locked
work=$(mktemp -d)
port=18767
target/debug/graph-mock --port "$port" --tls --tls-cert-out "$work/mock.pem" > target/sdk-python-mock.log 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ -s "$work/mock.pem" ] && curl -fs --cacert "$work/mock.pem" "https://127.0.0.1:$port/beta/\$openapi" > /dev/null && break
  sleep 0.2
done

cd tests/sdk-python
GRAPH_MOCK_URL="https://127.0.0.1:$port/beta" GRAPH_MOCK_CA="$work/mock.pem" \
  "../../$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning
