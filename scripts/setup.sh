#!/usr/bin/env bash
# Installs the system packages Gongkai's tests and exports use, when they are missing:
# poppler (pdftotext/pdftoppm, with poppler-data for Chinese CMaps), Noto CJK fonts,
# Chromium and ChromeDriver for browser tests. Idempotent; does nothing when everything is present.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils poppler-data)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSerifCJK* >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing: ${need[*]}"
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing packages: ${need[*]} — install them with your package manager (as root: apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
