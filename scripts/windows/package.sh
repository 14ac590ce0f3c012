#!/usr/bin/env bash
# Makes "Voice Notes.exe" for 64-bit Windows with `fyne package`, cross-
# compiled with MinGW-w64 against a static PortAudio (build-deps.sh), and
# checks it: a PE32+ GUI program with the icon and version resources that
# imports only DLLs every Windows has. Without the PocketSphinx engine
# (it is not cross-built; `voicenotes engines` says so); the
# OpenAI-compatible engine works.
set -euo pipefail
cd "$(dirname "$0")/../.."
deps="$(scripts/windows/build-deps.sh)"
gobin="$(go env GOPATH)/bin"
cp FyneApp.toml .FyneApp.toml.keep
trap 'mv .FyneApp.toml.keep FyneApp.toml; rm -f fyne_metadata_init.go voicenotes.exe' EXIT
# -static: libgcc and winpthread go into the exe instead of beside it.
env CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
  PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" CGO_LDFLAGS=-static \
  "$gobin/fyne" package --target windows --release
scripts/windows/check-exe.sh "Voice Notes.exe"
