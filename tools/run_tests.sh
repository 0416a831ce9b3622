#!/usr/bin/env bash
# README command 2: set up the environment (tools/setup_env.sh) and run the test suite.
# Extra arguments go to pytest (e.g. `bash tools/run_tests.sh -k dataset -x`).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash tools/setup_env.sh
PY="${MMFINE_VENV:-$REPO/.venv}/bin/python"
exec "$PY" -m pytest tests "$@"
