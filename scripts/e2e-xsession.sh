# shellcheck shell=bash
# Sourced by scripts/e2e.sh and scripts/screenshot.sh: a private X display (Xvfb), a private
# D-Bus session with an unlocked gnome-keyring (the app keeps its database key in the
# Secret Service keychain), and clean shutdown of everything started here.
#
# Source it, then call `xsession_start WORKDIR`; `xsession_stop` runs from the EXIT trap.

XS_PIDS=()

xs_log() { printf '[%s] %s\n' "${XS_NAME:-xsession}" "$*" >&2; }

# Stops what we started, newest first. SIGTERM, never SIGKILL first: tauri-driver only
# stops its WebKitWebDriver (and the app) when it is asked politely.
xsession_stop() {
  local i pid tries
  for ((i = ${#XS_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${XS_PIDS[i]}"
    kill -TERM "$pid" 2>/dev/null || continue
    for tries in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      xs_log "process $pid ignored SIGTERM for 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  XS_PIDS=()
}

# Remembers a process we started so xsession_stop ends it.
xsession_track() { XS_PIDS+=("$1"); }

xsession_start() {
  local work="$1" n display_num=""
  for n in $(seq 99 160); do
    if [[ ! -e "/tmp/.X11-unix/X$n" && ! -e "/tmp/.X$n-lock" ]]; then
      display_num="$n"
      break
    fi
  done
  [[ -n "$display_num" ]] || { xs_log "no free X display between :99 and :160"; return 1; }

  Xvfb ":$display_num" -screen 0 "${XS_SCREEN:-1366x768x24}" -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xsession_track $!
  for n in $(seq 1 100); do
    [[ -e "/tmp/.X11-unix/X$display_num" ]] && break
    sleep 0.1
  done
  [[ -e "/tmp/.X11-unix/X$display_num" ]] || { xs_log "Xvfb did not start: $(cat "$work/xvfb.log")"; return 1; }
  export DISPLAY=":$display_num"
  xs_log "Xvfb on $DISPLAY"

  # A private session bus, so the keyring below is ours alone.
  dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$work/dbus.address" >"$work/dbus.log" 2>&1 &
  xsession_track $!
  for n in $(seq 1 100); do
    [[ -s "$work/dbus.address" ]] && break
    sleep 0.1
  done
  [[ -s "$work/dbus.address" ]] || { xs_log "dbus-daemon did not start: $(cat "$work/dbus.log")"; return 1; }
  DBUS_SESSION_BUS_ADDRESS="$(head -n1 "$work/dbus.address")"
  export DBUS_SESSION_BUS_ADDRESS

  # An unlocked login keyring in a throwaway folder: the Secret Service the app expects.
  mkdir -p "$work/xdg-data" "$work/xdg-runtime"
  chmod 700 "$work/xdg-runtime"
  export XDG_DATA_HOME="$work/xdg-data" XDG_RUNTIME_DIR="$work/xdg-runtime"
  printf 'gongwen-test' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.log" 2>&1 &
  xsession_track $!
  for n in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
      xs_log "keyring ready on the private session bus"
      return 0
    fi
    sleep 0.1
  done
  xs_log "gnome-keyring did not register org.freedesktop.secrets: $(cat "$work/keyring.log")"
  return 1
}
