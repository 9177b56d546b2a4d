#!/usr/bin/env bash
# The official Microsoft Graph Python SDK (msgraph-beta-sdk with msgraph-core) against the mock
# over HTTPS. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${SDK_PYTHON_VENV:-target/python-sdk}"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/sdk-python/requirements.txt

port=18767
source .ci/tls-mock.sh "$port"

cd tests/sdk-python
GRAPH_MOCK_URL="https://127.0.0.1:$port/beta" GRAPH_MOCK_CA="$work/mock.pem" \
  "../../$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning
