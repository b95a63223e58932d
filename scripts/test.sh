#!/usr/bin/env bash
# `make test`: installs what the tests need, then runs every check CI runs:
# format, clippy (warnings are errors), all Rust tests against a throwaway PostgreSQL and a
# real Secret Service, the UI's unit tests, and the e2e test in the real app window under Xvfb.
# Stops everything it started, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n==> %s\n' "$*"; }

step "setup"
scripts/setup.sh --test

step "format"
cargo fmt --all --check

# The desktop crate embeds ui/dist at compile time: build the UI before any cargo build.
step "UI build"
(cd ui && npm run build --silent)

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

work=$(mktemp -d /tmp/gongwen-test.XXXXXX)
cleanup() {
  scripts/test-pg.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT

step "throwaway PostgreSQL"
eval "$(scripts/test-pg.sh start "$work/pg")"
echo "PostgreSQL at $GONGWEN_TEST_DATABASE_URL"

step "Rust tests"
scripts/with-keyring.sh cargo nextest run --workspace --locked --no-fail-fast --failure-output final
scripts/with-keyring.sh cargo test --workspace --locked --doc --quiet

step "UI unit tests"
(cd ui && npm test --silent)

step "e2e in the real window"
scripts/e2e.sh
