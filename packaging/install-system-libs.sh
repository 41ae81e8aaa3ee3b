#!/usr/bin/env bash
# Install the Debian libraries Qt needs, when they are missing and we are root.
#
#   install-system-libs.sh offscreen   libraries for offscreen Qt (tests)
#   install-system-libs.sh window      plus the xcb libraries for a real window
#   install-system-libs.sh bench       offscreen plus Pango for WeasyPrint (bench only)
#   install-system-libs.sh package     offscreen plus binutils (PyInstaller runs objdump)
#
# Does nothing on systems without dpkg/apt-get (other distributions, macOS,
# Windows). As a non-root user it only names the missing packages.
set -euo pipefail

profile=${1:-offscreen}

# poppler-utils: the tests rasterise memos with pdftoppm, as a reader's viewer would.
offscreen_packages=(libegl1 libgl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3
                    fonts-dejavu-core poppler-utils)
window_packages=(libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
                 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1
                 libxkbcommon-x11-0)
bench_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
package_packages=(binutils)

packages=("${offscreen_packages[@]}")
if [ "$profile" = "window" ]; then
    packages+=("${window_packages[@]}")
elif [ "$profile" = "bench" ]; then
    packages+=("${bench_packages[@]}")
elif [ "$profile" = "package" ]; then
    packages+=("${package_packages[@]}")
fi

command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$package")
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "These Debian packages are needed and missing: ${missing[*]}" >&2
    echo "Install them as root: apt-get install ${missing[*]}" >&2
    exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
