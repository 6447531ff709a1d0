#!/bin/sh
# Install the Debian 12 packages fiscaltab needs to build, test and
# regenerate its fixtures. A no-op when every package is present.
set -eu
PKGS="build-essential pkg-config libpoppler-glib-dev libpoppler-private-dev libcairo2-dev
libxlsxwriter-dev libutf8proc-dev libsqlite3-dev sqlite3 poppler-utils poppler-data
fonts-wqy-zenhei qpdf clang libclang-rt-14-dev unzip time bc python3 python3-openpyxl
libtesseract5 tesseract-ocr-chi-sim tesseract-ocr-eng libjpeg62-turbo-dev"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root)" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
