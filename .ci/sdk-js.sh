#!/usr/bin/env bash
# The official Microsoft Graph JavaScript client against the mock over HTTPS (as Graph is, and as
# that client needs to send its token). Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

port=18766
# All of Graph: the connectors are beta's, and a test reads through /v1.0 what /beta wrote.
source .ci/tls-mock.sh "$port"

cd tests/sdk-js
npm ci --no-audit --no-fund
GRAPH_MOCK_URL="https://127.0.0.1:$port" NODE_EXTRA_CA_CERTS="$work/mock.pem" node --test
