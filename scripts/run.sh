#!/usr/bin/env bash
# Quick start: create/update .venv, then run hirelog on SQLite (./var/hirelog.sqlite unless
# DATABASE_URL says otherwise): load the demo data once, print what the log holds, and serve
# the API on http://127.0.0.1:8000 (HOST and PORT change that). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
# Stop before installing or loading anything if the server could not listen there.
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -gt 65535 ]; then
  echo "PORT must be a port number (0-65535), not '$port'" >&2
  exit 1
fi
for candidate in python3 python3.13 python3.12 python3.11; do
  if command -v "$candidate" >/dev/null 2>&1; then
    if ! "$candidate" -c 'import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(sys.argv[2])))' "$host" "$port" 2>/dev/null; then
      echo "cannot listen on $host:$port (taken, or not an address of this machine): stop" \
           "what uses it, or choose another, e.g. PORT=8001 ./scripts/run.sh" >&2
      exit 1
    fi
    break
  fi
done
. scripts/venv.sh app
.venv/bin/hirelog demo
.venv/bin/hirelog summary
echo "API tokens: .venv/bin/hirelog token create --role admin --name <you>   (shown once)"
exec .venv/bin/hirelog serve --host "$host" --port "$port"
