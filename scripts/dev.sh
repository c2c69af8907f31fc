#!/usr/bin/env bash
# One command from a fresh clone:
#   bash scripts/dev.sh app    set up, build and start the desktop app
#   bash scripts/dev.sh test   set up and run the whole test suite (what CI runs)
#   bash scripts/dev.sh setup  only install what is needed
# On Debian/Ubuntu it installs the system packages it needs (as root or through sudo); elsewhere it
# says what is missing. Then `npm ci` when node_modules is missing or older than the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages() {
  case "$1" in
    app) echo "libsecret-1-dev gnome-keyring" ;;
    *) echo "libsecret-1-dev gnome-keyring dbus-x11 libglib2.0-bin age faketime chromium xvfb awscli" ;;
  esac
}

install_system_packages() {
  local missing=()
  if command -v dpkg >/dev/null 2>&1; then
    for p in $(apt_packages "$1"); do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "Not a Debian-based system: install libsecret (keytar's build needs its headers) and, for the tests," >&2
    echo "a Secret Service (gnome-keyring + dbus), the age CLI, libfaketime and Chromium with your package manager." >&2
  fi
}

install_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
}

cmd="${1:-}"
case "$cmd" in
  setup) install_system_packages test; install_node_modules ;;
  app) install_system_packages app; install_node_modules; npm run app ;;
  test) install_system_packages test; install_node_modules; npm test ;;
  *) echo "usage: bash scripts/dev.sh app|test|setup" >&2; exit 2 ;;
esac
