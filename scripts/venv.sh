# Sourced by run.sh and test.sh: create .venv if missing and (re)install hirelog into it when
# pyproject.toml or the lock file changed since the last install. $1 names the lock file in
# requirements/: "app" (what hirelog runs on) or "dev" (that, plus the test and lint extras).
# The lock files pin the whole dependency tree with hashes; scripts/lock.sh updates them.
lock="requirements/${1:-app}.txt"
python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo "hirelog needs Python 3.11 or newer (python3.11, python3.12 or python3.13 on PATH)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $python" >&2
  "$python" -m venv .venv
fi
stamp=".venv/.hirelog-installed-${1:-app}"
wanted="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "installing $lock and hirelog into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r "$lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  rm -f .venv/.hirelog-installed-*
  echo "$wanted" > "$stamp"
fi
