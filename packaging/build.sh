#!/usr/bin/env bash
# Build the packaged application with the build venv's Python (called by `make package`):
#
#   packaging/build.sh build/package-venv/bin/python
#
# 1. installs the app into the build venv, non-editable, fresh (its libraries are already
#    there: the Makefile installs them when pyproject.toml changes);
# 2. runs PyInstaller on packaging/mtcr_desk.spec with a build id (git commit, UTC time);
# 3. writes dist/mtcr-desk-VERSION-PLATFORM/, its .tar.gz and dist/SHA256SUMS.
# Safe to re-run: each run replaces the folder, the archive and the checksums.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${1:?usage: packaging/build.sh PYTHON-OF-THE-BUILD-VENV}
bin=$(dirname "$python")

# setuptools copies the package to build/lib and never removes a module deleted since:
# start from nothing so that the bundle holds exactly the current source.
rm -rf build/lib build/bdist.*
"$python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --no-build-isolation --force-reinstall .

if commit=$(git rev-parse --short=10 HEAD 2>/dev/null); then
    # Uncommitted changes to tracked files: say so, the commit alone would not rebuild this.
    git diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
else
    commit=unknown
fi
export MTCR_DESK_BUILD_ID="$commit $(date -u +%Y-%m-%dT%H:%MZ)"

# Same rule as platform_tag() in the spec: linux-x86_64, linux-aarch64, ...
name=$("$python" -c '
import platform, sys
from mtcr_desk import APP_SLUG, __version__
system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
machine = platform.machine().lower()
machine = "x86_64" if machine == "amd64" else machine
print(f"{APP_SLUG}-{__version__}-{system}-{machine}")
')

echo "Building dist/$name (build $MTCR_DESK_BUILD_ID)"
"$bin/pyinstaller" --noconfirm --log-level WARN --distpath dist \
    --workpath build/pyinstaller packaging/mtcr_desk.spec

if [ ! -x "dist/$name/mtcr-desk" ]; then
    echo "packaging/build.sh: PyInstaller did not write dist/$name/mtcr-desk" >&2
    exit 1
fi

# A tidy archive: sorted names, no build-machine owners, no timestamp in the gzip header.
archive="dist/$name.tar.gz"
tar -C dist --sort=name --owner=0 --group=0 --numeric-owner -cf - "$name" \
    | gzip -n -6 > "$archive.partial"
mv "$archive.partial" "$archive"
(cd dist && sha256sum "$name.tar.gz" > SHA256SUMS.partial && mv SHA256SUMS.partial SHA256SUMS)

echo "Wrote dist/$name/ ($(du -sh "dist/$name" | cut -f1)), $archive" \
     "($(du -h "$archive" | cut -f1)) and dist/SHA256SUMS"
