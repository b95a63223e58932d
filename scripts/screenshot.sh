#!/usr/bin/env bash
# Takes a screenshot of the running 公文通 app under a private Xvfb display.
#
#   scripts/screenshot.sh [OUTPUT.png]     (default: docs/screenshots/main.png)
#
# The data folder is a throwaway one seeded with a few 待办 (GONGWEN_SHOT_TODO, default 5),
# so the picture shows what a user sees on an ordinary morning. Builds what is missing
# unless GONGWEN_SHOT_SKIP_BUILD=1. Stops everything it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
XS_NAME=screenshot
# The window's default size (tauri.conf.json): the shot is exactly the window.
XS_SCREEN="${GONGWEN_SHOT_SCREEN:-1280x800x24}"
# shellcheck source=scripts/e2e-xsession.sh
source "$ROOT/scripts/e2e-xsession.sh"

OUT="${1:-docs/screenshots/main.png}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
APP="$TARGET/debug/gongwen-desktop"
SEED="$TARGET/debug/gongwen-e2e-seed"
TODO="${GONGWEN_SHOT_TODO:-5}"

WORK="$(mktemp -d -t gongwen-shot.XXXXXX)"
finish() {
  local status=$?
  xsession_stop
  [[ $status -eq 0 ]] || cat "$WORK/app.log" >&2 2>/dev/null || true
  rm -rf "$WORK"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

if [[ "${GONGWEN_SHOT_SKIP_BUILD:-0}" != 1 ]]; then
  [[ -d ui/node_modules ]] || npm --prefix ui ci --no-audit --no-fund
  npm --prefix ui run build
  cargo build -p gongwen-desktop -p gongwen-e2e-seed
fi

xsession_start "$WORK"
"$SEED" --data-dir "$WORK/data" --todo "$TODO" >/dev/null

# Without a GPU, WebKitGTK's accelerated compositing paints nothing an X screenshot can see.
WEBKIT_DISABLE_COMPOSITING_MODE=1 "$APP" --data-dir "$WORK/data" >"$WORK/app.log" 2>&1 &
xsession_track $!

# Wait for the window, then for the UI to have drawn the store's answer (the 待办 badge
# appears only after the first command returned).
for _ in $(seq 1 300); do
  xwininfo -root -tree 2>/dev/null | grep -q '"公文通"' && break
  sleep 0.2
done
xwininfo -root -tree | grep -q '"公文通"' || { xs_log "the window did not appear"; exit 1; }
# A fixed pause is fine here (this is a picture, not a test): fonts and the badge animation settle.
sleep "${GONGWEN_SHOT_SETTLE:-6}"

mkdir -p "$(dirname "$OUT")"
import -window root "$OUT"
xs_log "saved $OUT"
