#!/usr/bin/env bash
# Installs what Gongwen needs on Debian 12 / Ubuntu 22.04+: system packages (apt, via sudo when
# not root), the UI's npm packages and, for tests, tauri-driver. Safe to run again: it installs
# only what is missing.
#
#   scripts/setup.sh          what `make run` needs
#   scripts/setup.sh --test   also what `make test` needs (PostgreSQL, Xvfb, WebKitWebDriver, keyring, poppler)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

run_pkgs=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev librsvg2-dev fonts-noto-cjk fonts-lxgw-wenkai)
test_pkgs=(webkit2gtk-driver xvfb xauth x11-utils imagemagick poppler-utils qpdf gnome-keyring dbus-x11 postgresql)

pkgs=("${run_pkgs[@]}")
[ $want_test = 1 ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Rust toolchain.
if ! command -v cargo >/dev/null; then
  echo "setup: Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# Node.js 20 or newer (Vite 8 needs it; Debian 12's own nodejs 18 is too old).
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (Debian's nodejs 18 is too old). Install Node 20 LTS, then run this again." >&2
  exit 1
fi

# UI packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing UI packages (npm ci)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ $want_test = 1 ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! command -v tauri-driver >/dev/null; then
    echo "setup: installing tauri-driver (cargo install, a few minutes once)"
    cargo install tauri-driver --locked --quiet
  fi
  if ! command -v cargo-nextest >/dev/null; then
    echo "setup: installing cargo-nextest"
    cargo install cargo-nextest --locked --quiet
  fi
fi
