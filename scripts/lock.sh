#!/usr/bin/env bash
# Update the lock files from pyproject.toml: requirements/app.txt (the dependencies hirelog
# runs on: run.sh and the Dockerfile) and requirements/dev.txt (with the test and lint extras:
# test.sh and CI). Every package of the tree is pinned with its hashes, for Python 3.11 and
# newer on every platform. Run it after changing a dependency in pyproject.toml, commit the
# three files together. Extra arguments go to `uv pip compile`, e.g. --upgrade-package flask.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${TMPDIR:-/tmp}/hirelog-lock-tools"
if [ ! -x "$tools/bin/uv" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "uv==0.13.9"
fi
compile() {
  "$tools/bin/uv" pip compile pyproject.toml --universal --python-version 3.11 \
    --generate-hashes --quiet "$@"
}
compile -o requirements/app.txt "$@"
compile --extra test --extra lint -o requirements/dev.txt "$@"
echo "updated requirements/app.txt and requirements/dev.txt"
