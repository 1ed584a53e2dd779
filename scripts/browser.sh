#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/web), and a Chinese font so the pages
# and their screenshots show Chinese (chromium pulls in none), when missing; fail if they
# cannot be installed. Playwright drives this build (never `playwright install`: no browser is
# downloaded from anywhere but the distribution's packages).
set -u

FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [ -x /usr/bin/chromium ] && [ -e "$FONT" ]; then
    exit 0
fi
echo "browser: installing chromium and fonts-wqy-microhei"
if [ "$(id -u)" -ne 0 ]; then
    echo "browser: chromium is missing; install it: sudo apt-get install chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >/dev/null \
    || { echo "browser: apt-get could not install chromium" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "browser: /usr/bin/chromium is still missing" >&2; exit 1; }
echo "browser: $(/usr/bin/chromium --version 2>/dev/null)"
