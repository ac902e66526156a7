#!/usr/bin/env bash
# The README's main command: installs what is missing (CJK fonts for PDF downloads, poppler),
# builds Gongkai and serves the demo on SQLite at http://127.0.0.1:8080 (data in ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gongkai/target}"
bash scripts/setup.sh
exec cargo run --release -p gongkai -- serve --demo --listen "${GONGKAI_LISTEN:-127.0.0.1:8080}" --data "${GONGKAI_DATA:-./data}" "$@"
