#!/usr/bin/env bash
# Starts chime on its embedded default: installs what is missing, writes .env with random
# tokens on first run, starts a private redis-server (data under ./var/redis), builds, and
# runs chime in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh

ensure_node
ensure_node_modules
ensure_redis_server
mkdir -p var/redis var/outbox

if [ ! -f .env ]; then
  token() { node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))'; }
  api_token=$(token)
  admin_token=$(token)
  cat > .env <<ENV
# Written by scripts/start.sh on first run; see .env.example for every variable.
API_TOKEN=$api_token
ADMIN_TOKEN=$admin_token
REDIS_URL=redis://127.0.0.1:6380
PORT=3000
ENV
  echo "chime: wrote .env with new tokens:"
  echo "  API_TOKEN=$api_token"
  echo "  ADMIN_TOKEN=$admin_token"
fi

redis_url=$(sed -n 's/^REDIS_URL=//p' .env | tail -n 1)
redis_port=$(node -e 'console.log(new URL(process.argv[1]).port || 6379)' "${redis_url:-redis://127.0.0.1:6380}")

if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
  echo "chime: something already answers on port $redis_port; stop it or change REDIS_URL in .env" >&2
  exit 1
fi
redis-server config/redis.conf --port "$redis_port" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null' EXIT
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

npm run --silent build
echo "chime: starting on http://127.0.0.1:$(sed -n 's/^PORT=//p' .env | tail -n 1) (Ctrl-C stops chime and its Redis)"
node dist/main.js
