#!/usr/bin/env bash
# End-to-end test of the real 公文通 window.
#
# Starts a private Xvfb display, D-Bus session and unlocked keyring; seeds a throwaway data
# folder with a known number of 待办; starts a throwaway PostgreSQL for the central server
# (server.test.mjs seeds its directory and starts and stops gongwen-server itself); starts
# tauri-driver (which drives WebKitWebDriver); runs tests/e2e (WebdriverIO) against the real
# gongwen-desktop binary; saves screenshots and logs to artifacts/e2e/; then stops
# everything it started, whatever happened.
#
#   scripts/e2e.sh                      build the UI and the app if needed, then test
#   GONGWEN_E2E_SKIP_BUILD=1 scripts/e2e.sh   test the binaries as they are
#
# Environment: CARGO_TARGET_DIR (default ./target), GONGWEN_E2E_ARTIFACTS (default
# artifacts/e2e), GONGWEN_E2E_TODO (how many 待办 to seed, default 3), GONGWEN_E2E_SPECS
# (the spec files to run, default all). The specs run one after another: app.test.mjs and
# screens.test.mjs on the seeded folder, setup.test.mjs on an empty one (the first run),
# server.test.mjs with one fresh folder per person against the real server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
XS_NAME=e2e
# shellcheck source=scripts/e2e-xsession.sh
source "$ROOT/scripts/e2e-xsession.sh"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
ARTIFACTS="${GONGWEN_E2E_ARTIFACTS:-$ROOT/artifacts/e2e}"
EXPECT_TODO="${GONGWEN_E2E_TODO:-3}"
APP="$TARGET/debug/gongwen-desktop"
SEED="$TARGET/debug/gongwen-e2e-seed"
SERVER="$TARGET/debug/gongwen-server"
WEBKIT_DRIVER="${GONGWEN_WEBKIT_DRIVER:-/usr/bin/WebKitWebDriver}"
TAURI_DRIVER="$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")"

WORK="$(mktemp -d -t gongwen-e2e.XXXXXX)"
finish() {
  local status=$?
  # The server server.test.mjs started, if the spec could not stop it itself.
  if [[ -s "$WORK/server.pid" ]]; then
    local server_pid
    server_pid="$(cat "$WORK/server.pid")"
    kill -TERM "$server_pid" 2>/dev/null && xs_log "stopped the leftover gongwen-server $server_pid"
  fi
  xsession_stop
  [[ -d "$WORK/pg" ]] && scripts/test-pg.sh stop "$WORK/pg"
  mkdir -p "$ARTIFACTS"
  cp "$WORK"/*.log "$ARTIFACTS/" 2>/dev/null || true
  # Each person's app log (server.test.mjs keeps one data folder per person).
  for log in "$WORK"/people/*/logs/desktop.log; do
    [[ -f "$log" ]] && cp "$log" "$ARTIFACTS/desktop-$(basename "$(dirname "$(dirname "$log")")").log"
  done
  rm -rf "$WORK"
  if [[ $status -eq 0 ]]; then xs_log "passed; screenshots in ${ARTIFACTS#"$ROOT"/}"; else xs_log "FAILED (exit $status); logs and screenshots in ${ARTIFACTS#"$ROOT"/}"; fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

for tool in Xvfb dbus-daemon gnome-keyring-daemon node npm; do
  command -v "$tool" >/dev/null || { xs_log "$tool is missing; run scripts/setup.sh"; exit 1; }
done
[[ -x "$WEBKIT_DRIVER" ]] || { xs_log "$WEBKIT_DRIVER is missing (apt-get install webkit2gtk-driver)"; exit 1; }
[[ -x "$TAURI_DRIVER" ]] || { xs_log "tauri-driver is missing (cargo install tauri-driver --locked)"; exit 1; }

if [[ "${GONGWEN_E2E_SKIP_BUILD:-0}" != 1 ]]; then
  [[ -d ui/node_modules ]] || npm --prefix ui ci --no-audit --no-fund
  npm --prefix ui run build
  cargo build -p gongwen-desktop -p gongwen-e2e-seed -p gongwen-server
fi
for bin in "$APP" "$SEED" "$SERVER"; do
  [[ -x "$bin" ]] || { xs_log "$bin is missing; run without GONGWEN_E2E_SKIP_BUILD"; exit 1; }
done
[[ -d tests/e2e/node_modules ]] || npm --prefix tests/e2e ci --no-audit --no-fund

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

xsession_start "$WORK"

# Window positions (window-state plugin) go to a throwaway config folder, so every run
# starts from the configured size.
export XDG_CONFIG_HOME="$WORK/xdg-config"
mkdir -p "$XDG_CONFIG_HOME"

DATA_DIR="$WORK/data"
# An empty data folder: the first run (setup.test.mjs).
FRESH_DIR="$WORK/fresh"
seeded="$("$SEED" --data-dir "$DATA_DIR" --todo "$EXPECT_TODO")"
[[ "$seeded" == "$EXPECT_TODO" ]] || { xs_log "seeding gave $seeded 待办, expected $EXPECT_TODO"; exit 1; }
xs_log "seeded $seeded 待办 into $DATA_DIR"

# The central server's database (server.test.mjs migrates and seeds it).
eval "$(scripts/test-pg.sh start "$WORK/pg")"
xs_log "PostgreSQL for gongwen-server at $GONGWEN_TEST_DATABASE_URL"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
# Without a GPU, WebKitGTK's accelerated compositing paints nothing an X screenshot can see.
export WEBKIT_DISABLE_COMPOSITING_MODE=1
PORT="$(free_port)"
NATIVE_PORT="$(free_port)"
"$TAURI_DRIVER" --port "$PORT" --native-port "$NATIVE_PORT" --native-driver "$WEBKIT_DRIVER" \
  >"$WORK/tauri-driver.log" 2>&1 &
xsession_track $!
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
xs_log "tauri-driver on port $PORT"

# All specs (package.json's list), or only those named in GONGWEN_E2E_SPECS.
run_specs() {
  if [[ -n "${GONGWEN_E2E_SPECS:-}" ]]; then
    # shellcheck disable=SC2086 # a list of file names
    (cd tests/e2e && node --test --test-concurrency=1 --test-reporter=spec $GONGWEN_E2E_SPECS)
  else
    npm --prefix tests/e2e test
  fi
}

GONGWEN_E2E_APP="$APP" \
  GONGWEN_E2E_DATA_DIR="$DATA_DIR" \
  GONGWEN_E2E_FRESH_DIR="$FRESH_DIR" \
  GONGWEN_E2E_EXPECT_TODO="$EXPECT_TODO" \
  GONGWEN_E2E_ARTIFACTS="$ARTIFACTS" \
  GONGWEN_E2E_DRIVER_PORT="$PORT" \
  GONGWEN_E2E_SERVER_BIN="$SERVER" \
  GONGWEN_E2E_DATABASE_URL="$GONGWEN_TEST_DATABASE_URL" \
  GONGWEN_E2E_SERVER_PORT="$(free_port)" \
  GONGWEN_E2E_SERVER_LOG="$WORK/server.log" \
  GONGWEN_E2E_SERVER_PID_FILE="$WORK/server.pid" \
  GONGWEN_E2E_PEOPLE_DIR="$WORK/people" \
  run_specs
