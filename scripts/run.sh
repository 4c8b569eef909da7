#!/usr/bin/env bash
# Quick start: create/update .venv, then run hirelog on SQLite (./var/hirelog.sqlite unless
# DATABASE_URL says otherwise): load the demo data once, print what the log holds, and serve
# the API on http://127.0.0.1:8000 (HOST and PORT change that). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh app
.venv/bin/hirelog demo
.venv/bin/hirelog summary
echo "API tokens: .venv/bin/hirelog token create --role admin --name <you>   (shown once)"
exec .venv/bin/hirelog serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
