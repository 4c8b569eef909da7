#!/usr/bin/env bash
# Create/update .venv with the test extras, then lint and run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k candidate -x).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh test
.venv/bin/ruff check .
.venv/bin/pytest "$@"
