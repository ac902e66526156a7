#!/usr/bin/env bash
# The project's test command (README, .ci/run): installs what is missing, then runs
# formatting, lints and every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gongkai/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== pure domain crates"
# report, calendar and ledger do no IO: no async runtime, database or web framework below them.
for crate in gongkai-report gongkai-calendar gongkai-ledger; do
  if cargo tree --locked -p "$crate" -e normal --prefix none | grep -E '^(tokio|sqlx|axum|hyper|reqwest) ' ; then
    echo "error: $crate depends on an IO crate (see above)" >&2
    exit 1
  fi
done
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
