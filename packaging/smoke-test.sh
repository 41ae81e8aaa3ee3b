#!/usr/bin/env bash
# CI check of the packaged app: build it (make package), unpack the archive into a
# temporary folder and run the bundled executable there with a clean environment
# (env -i: only PATH=/usr/bin:/bin, a fresh HOME, LANG and the offscreen platform).
# No venv, no PYTHONPATH, no user data: a pass proves the bundle carries everything
# but the system libraries listed in packaging/README.md.
#
#   packaging/smoke-test.sh            build, then check
#   packaging/smoke-test.sh --no-build check the archive the last build wrote
set -euo pipefail
cd "$(dirname "$0")/.."

seconds_since() {
    python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.1f}")' "$1" \
        2>/dev/null || echo "?"
}

if [ "${1:-}" != "--no-build" ]; then
    build_started=$(date +%s.%N)
    make --no-print-directory package
    echo "make package: $(seconds_since "$build_started") s"
fi

if [ ! -f dist/SHA256SUMS ]; then
    echo "smoke-test.sh: no dist/SHA256SUMS; run make package first" >&2
    exit 1
fi
(cd dist && sha256sum --check --quiet SHA256SUMS)
archive=$(awk 'NR == 1 {print $2}' dist/SHA256SUMS)
name=${archive%.tar.gz}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mtcr-desk-smoke-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/home"
tar -xzf "dist/$archive" -C "$scratch"
executable="$scratch/$name/mtcr-desk"

clean_run() {
    (cd "$scratch/home" && env -i PATH=/usr/bin:/bin HOME="$scratch/home" LANG=C.UTF-8 \
        QT_QPA_PLATFORM=offscreen "$executable" "$@")
}

version=$(clean_run --version)
echo "$version"
case "$version" in
    *"build source"*|"")
        echo "smoke-test.sh: --version does not name a packaged build" >&2
        exit 1 ;;
esac

smoke_started=$(date +%s.%N)
clean_run --smoke
echo "bundle --smoke in a clean environment: $(seconds_since "$smoke_started") s"
echo "bundle: $(du -sh "$scratch/$name" | cut -f1), archive: $(du -h "dist/$archive" | cut -f1)"
