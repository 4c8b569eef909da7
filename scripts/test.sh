#!/usr/bin/env bash
# Create/update .venv with the test and lint extras, then lint, check types and run the whole
# test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k candidate -x). The tests run in four
# processes (pytest-xdist; they wait more than they compute, so four beat two on 2 cores);
# HIRELOG_TEST_WORKERS=0 runs them in one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh dev
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/pytest -n "${HIRELOG_TEST_WORKERS:-4}" --dist worksteal "$@"
