#!/usr/bin/env bash
# The official Microsoft Graph Python SDK (msgraph-beta-sdk with msgraph-core) against the mock
# over HTTPS. Called by .ci/run, twice: without arguments against this checkout's mock (the
# Intune pages), and with a generated workspace of the whole beta against that workspace's mock
# (tests/sdk-python/open_world: users, groups, /me, mail, chats, a sub-namespace).
# Usage: .ci/sdk-python.sh [WORKSPACE]
set -euo pipefail
cd "$(dirname "$0")/.."
workspace="${1:-}"

venv="${SDK_PYTHON_VENV:-target/python-sdk}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk-python/requirements.txt

port=18767
source .ci/tls-mock.sh "$port" "$workspace"

tests=test_graph_sdk.py
[ -n "$workspace" ] && tests=open_world
cd tests/sdk-python
GRAPH_MOCK_URL="https://127.0.0.1:$port/beta" GRAPH_MOCK_CA="$work/mock.pem" \
  "../../$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning "$tests"
