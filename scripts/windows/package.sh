#!/usr/bin/env bash
# Makes Voice Notes for 64-bit Windows: "Voice Notes.exe" by `fyne package`,
# cross-compiled with MinGW-w64 against static PortAudio and PocketSphinx
# (build-deps.sh), checked (a PE32+ GUI program with its icon and version,
# importing only DLLs every Windows has), then put with the PocketSphinx
# US English model in dist/windows/Voice Notes/ and zipped as
# dist/Voice Notes-windows-amd64.zip. The program finds the model in the
# pocketsphinx-model folder beside it.
set -euo pipefail
cd "$(dirname "$0")/../.."
deps="$(scripts/windows/build-deps.sh)"
model="$(pkg-config --variable=modeldir pocketsphinx)/en-us"
[ -f "$model/cmudict-en-us.dict" ] || { echo "package-windows: no PocketSphinx model at $model (make setup installs pocketsphinx-en-us)" >&2; exit 1; }
gobin="$(go env GOPATH)/bin"
cp FyneApp.toml .FyneApp.toml.keep
trap 'mv .FyneApp.toml.keep FyneApp.toml; rm -f fyne_metadata_init.go voicenotes.exe' EXIT
# -static: libgcc and winpthread go into the exe instead of beside it. The
# -L is also in pkg-config's answer, but Go does not key its build cache on
# that answer: naming the folder here rebuilds what was linked elsewhere.
env CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
  PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" CGO_LDFLAGS="-static -L$deps/lib" \
  "$gobin/fyne" package --target windows --release --tags pocketsphinx
scripts/windows/check-exe.sh "Voice Notes.exe"
out="dist/windows/Voice Notes"
rm -rf dist/windows "dist/Voice Notes-windows-amd64.zip"
mkdir -p "$out/pocketsphinx-model"
mv "Voice Notes.exe" "$out/"
cp -r "$model" "$out/pocketsphinx-model/en-us"
(cd dist/windows && zip -qr "../Voice Notes-windows-amd64.zip" "Voice Notes")
echo "package-windows: dist/Voice Notes-windows-amd64.zip ($(du -h "dist/Voice Notes-windows-amd64.zip" | cut -f1)): the exe and the PocketSphinx model"
