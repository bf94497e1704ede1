# Shared by scripts/start.sh and scripts/test.sh: install what a fresh clone lacks.

# npm dependencies, exactly as package-lock.json pins them.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "chime: installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Debian's redis-server, installed with apt-get when missing and we are root (or have sudo).
ensure_redis_server() {
  command -v redis-server >/dev/null 2>&1 && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "chime: redis-server is missing. Install it (Debian/Ubuntu: apt-get install -y redis-server) and run again." >&2
      return 1
    fi
  fi
  echo "chime: installing redis-server with apt-get"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 || { echo "chime: could not install redis-server" >&2; return 1; }
}
