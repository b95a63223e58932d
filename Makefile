# Gongwen 公文通. The two commands a new machine needs:
#   make run    install what is missing, build the UI and the app, open the window
#   make test   install what the tests need and run every check CI runs
# Builds go to a fixed directory outside the clone so that fresh clones build warm.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/gongwen/target
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test setup ui app fmt clippy bench bench-desktop bench-server soak fuzz package server clean-data

run: setup ui app
	GONGWEN_DATA_DIR=$${GONGWEN_DATA_DIR:-} $(CARGO_TARGET_DIR)/debug/gongwen-desktop

test:
	scripts/test.sh

setup:
	scripts/setup.sh

ui:
	cd ui && npm run build --silent

app:
	cargo build -p gongwen-desktop --locked

server:
	cargo build -p gongwen-server --locked

fmt:
	cargo fmt --all

clippy:
	cargo clippy --workspace --all-targets --locked -- -D warnings

bench:
	cargo bench --workspace --locked

# The desktop app under Xvfb with 100,000 documents: cold start to 待办 painted, and memory
# after opening 20 documents (seeds once, under the target dir). See BENCHMARKS.md, Desktop.
bench-desktop:
	scripts/desktop-bench.sh

# Server load: N clients log in, then poll /v1/sync/pull (N = 100 and 1000).
bench-server:
	cargo bench -p gongwen-server --bench load --locked

fuzz:
	scripts/fuzz.sh

# Thousands of randomized sync scenarios with injected faults and crashes; prints the
# totals (scenarios, actions, lost = 0, doubled = 0). GONGWEN_SYNC_SCENARIOS=N to change.
soak:
	GONGWEN_SYNC_SCENARIOS=$${GONGWEN_SYNC_SCENARIOS:-2000} cargo test -p gongwen-client --release --locked --test sync_scenarios -- --nocapture

# Debian package names must be lowercase ASCII: the .deb is named gongwen; menus and the window say 公文通.
package: setup ui
	cd ui && TAURI_APP_PATH=../src-tauri npx tauri build --bundles deb --config ../src-tauri/packaging/deb.json
