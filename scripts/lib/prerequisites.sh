# Shared by scripts/start.sh and scripts/test.sh: install what a fresh clone lacks.

# npm dependencies, exactly as package-lock.json pins them.
ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "chime: installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# ensure_command COMMAND PACKAGE: installs Debian's PACKAGE with apt-get when COMMAND is
# missing and we are root (or have sudo); otherwise says what to install.
ensure_command() {
  local command=$1 package=$2 sudo=""
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "chime: $command is missing. Install it (Debian/Ubuntu: apt-get install -y $package) and run again." >&2
      return 1
    fi
  fi
  echo "chime: installing $package with apt-get"
  if [ -z "${CHIME_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq && CHIME_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null
  command -v "$command" >/dev/null 2>&1 || { echo "chime: could not install $package" >&2; return 1; }
}

ensure_redis_server() {
  ensure_command redis-server redis-server
}
