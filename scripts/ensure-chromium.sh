#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser build); receipt PDFs embed
# Debian's Noto Sans CJK. Installs what is missing with apt-get when we are root; otherwise explains.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-nanum)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} for the browser and receipt tests..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi
echo "the tests need: ${need[*]} (run 'sudo apt-get install ${need[*]}')" >&2
exit 1
