#!/usr/bin/env bash
# Runs a command with a private, unlocked Secret Service (gnome-keyring) on a private
# D-Bus session, so keychain code can be tested for real without touching the user's
# own keyring:
#
#   scripts/with-keyring.sh cargo test -p gongwen-client
#
# The keyring lives in a temp folder (XDG_DATA_HOME, XDG_RUNTIME_DIR), not in HOME, and
# is removed afterwards. Needs: dbus-run-session (dbus-daemon / dbus-x11) and
# gnome-keyring-daemon (apt-get install gnome-keyring dbus-x11).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if [[ "${GONGWEN_KEYRING_INNER:-}" != "1" ]]; then
    for tool in dbus-run-session gnome-keyring-daemon; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$0: $tool is missing; install it with: apt-get install gnome-keyring dbus-x11" >&2
            exit 1
        fi
    done
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/gongwen-keyring.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/data" "$tmp/runtime"
    chmod 700 "$tmp/runtime"
    status=0
    GONGWEN_KEYRING_INNER=1 XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/runtime" \
        dbus-run-session -- "$0" "$@" || status=$?
    exit "$status"
fi

# Inside the private session bus: start the keyring daemon, unlocked with a throwaway
# password fed on stdin, and export what it prints (GNOME_KEYRING_CONTROL, …).
password="gongwen-test-$$-$RANDOM"
if ! eval "$(printf '%s' "$password" | gnome-keyring-daemon --unlock --components=secrets)"; then
    echo "$0: gnome-keyring-daemon failed to start" >&2
    exit 1
fi
export GNOME_KEYRING_CONTROL 2>/dev/null || true
# The daemon is tied to this private bus and exits when dbus-run-session closes it.

# Wait until the Secret Service name is on the bus.
for _ in $(seq 1 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
        break
    fi
    sleep 0.1
done

status=0
"$@" || status=$?
exit "$status"
