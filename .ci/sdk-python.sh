#!/usr/bin/env bash
# The official Microsoft Graph Python SDK (msgraph-beta-sdk with msgraph-core) against the mock
# over HTTPS. Called by .ci/run, twice: without arguments against the mock of this checkout's
# spec (the Intune pages, `graph-mock --spec spec`), and with `open-world` against the whole beta
# (`graph-mock --api beta`; tests/sdk-python/open_world: users, groups, /me, mail, chats, a
# sub-namespace), and with `graph-in-a-box` against all of Graph (`graph-mock`, v1.0 and beta:
# tests/sdk-python/graph_in_a_box, with msgraph-sdk and msgraph-beta-sdk).
# Usage: .ci/sdk-python.sh [open-world|graph-in-a-box]
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:-}"

venv="${SDK_PYTHON_VENV:-target/python-sdk}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk-python/requirements.txt

port=18767
tests=test_graph_sdk.py
serve=(--spec spec)
case "$suite" in
  open-world) tests=open_world serve=(--api beta) ;;
  graph-in-a-box) tests=graph_in_a_box serve=() ;;
esac
source .ci/tls-mock.sh "$port" "${serve[@]}"
cd tests/sdk-python
GRAPH_MOCK_URL="https://127.0.0.1:$port/beta" GRAPH_MOCK_HOST="https://127.0.0.1:$port" GRAPH_MOCK_CA="$work/mock.pem" \
  "../../$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning "$tests"
