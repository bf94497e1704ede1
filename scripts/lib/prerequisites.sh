# Shared by scripts/start.sh and scripts/test.sh: install what a fresh clone lacks.

# The Node that a machine whose own Node is older than package.json's engines gets, from
# the npm registry (Node's release binaries, packaged as node-linux-<arch>), into .node/.
CHIME_NODE_VERSION=24.22.3

# node_satisfies_engines: whether the node on PATH is at least package.json's engines.node
# (">=24.9.0": Jest can require() ESM from 24.9 on).
node_satisfies_engines() {
  node -e '
    const min = require("./package.json").engines.node.replace(/^>=\s*/, "").split(".").map(Number);
    const have = process.versions.node.split(".").map(Number);
    const cmp = have[0] - min[0] || have[1] - min[1] || have[2] - min[2];
    process.exit(cmp >= 0 ? 0 : 1);
  ' 2>/dev/null
}

# Puts a Node that satisfies engines first on PATH for the rest of the script, so that npm,
# the build, Jest and the `node dist/main.js` children the e2e tests spawn all run on it.
ensure_node() {
  node_satisfies_engines && return 0
  local arch bin="$PWD/.node/node_modules/.bin"
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "chime: Node $CHIME_NODE_VERSION is needed; install it (https://nodejs.org) and run again." >&2; return 1 ;;
  esac
  if [ "$("$bin/node" --version 2>/dev/null)" != "v$CHIME_NODE_VERSION" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "chime: Node $CHIME_NODE_VERSION is needed and npm is missing to fetch it; install Node and run again." >&2
      return 1
    fi
    echo "chime: Node $(node --version 2>/dev/null || echo "is missing") is too old; installing Node $CHIME_NODE_VERSION into .node/ (npm package node-linux-$arch)"
    npm install --prefix .node --no-save --no-package-lock --no-audit --no-fund \
      "node-linux-$arch@$CHIME_NODE_VERSION" >/dev/null || return 1
  fi
  export PATH="$bin:$PATH"
  echo "chime: using Node $(node --version) from .node/"
}

# npm dependencies, exactly as package-lock.json pins them, installed by the Node that runs
# them: native optional packages (msgpackr-extract) are picked for it, so a node_modules
# that another Node major installed is installed again (the stamp names the major).
ensure_node_modules() {
  local stamp=node_modules/.chime-node-major major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
    [ "$(cat "$stamp" 2>/dev/null)" != "$major" ]; then
    echo "chime: installing npm dependencies (npm ci, Node $major)"
    npm ci --no-audit --no-fund || return 1
    echo "$major" > "$stamp"
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
