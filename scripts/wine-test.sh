#!/usr/bin/env bash
# Runs the Windows build of test packages under Wine: persistence (atomic
# writer, locks, cleanup, the kill harness), audio, recording (recorder, crash
# recovery, the crash matrix), transcribe, transform, instance, settings, export,
# keyboard (the dictation shortcut and typing, under Xvfb), and
# cli (cross-compiled with cgo against PortAudio); then, given
# VOICENOTES_WINDOWS_EXE, that exe's command line (e2e/wine). The Wine
# prefix lives in the cache folder, outside the repository, made once.
set -euo pipefail

wine=/usr/lib/wine/wine64
command -v "$wine" >/dev/null 2>&1 || wine="$(command -v wine64 || true)"
if [ -z "$wine" ] || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  echo "wine-test: Wine (wine64) and MinGW-w64 (gcc-mingw-w64-x86-64) are needed; make setup installs them" >&2
  exit 1
fi

wineserver="$(dirname "$wine")/wineserver"
[ -x "$wineserver" ] || wineserver=wineserver

cache="${XDG_CACHE_HOME:-$HOME/.cache}/voicenotes-build"
export WINEPREFIX="$cache/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$cache"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "wine-test: making the Wine prefix in $WINEPREFIX"
  "$wine" wineboot --init >/dev/null 2>&1
  # wineboot returns before the prefix is written; wait for its server.
  "$wineserver" -w
fi
# One Wine server and its system processes (services.exe, winedevice.exe,
# rpcss.exe...) for the whole run, started here with their output going
# nowhere. Otherwise the first test binary's wine starts them, and they
# keep that binary's standard error (go test's pipe) open while other
# packages' tests keep them alive: go test then waits a minute for the
# pipe and fails the package ("Test I/O incomplete"), though its tests
# passed.
"$wineserver" -k >/dev/null 2>&1 || true # one left from an earlier run holds that run's pipes
"$wineserver" -p </dev/null >/dev/null 2>&1
trap '"$wineserver" -k >/dev/null 2>&1 || true' EXIT
"$wine" cmd /c exit </dev/null >/dev/null 2>&1
shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
src="$(dirname "$0")/windows"
if [ ! -f "$shim" ] || [ "$src/bcryptprimitives.c" -nt "$shim" ]; then
  x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" "$src/bcryptprimitives.c" "$src/bcryptprimitives.def" -ladvapi32
fi

GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -exec "$wine" -count=1 \
  ./persistence/... ./audio ./recording ./internal/privtemp ./transcribe ./transform ./instance ./settings ./export
# Typing into a window and the dictation shortcut need a display: an
# Edit control of the test's own is typed into.
xvfb-run -a env GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -exec "$wine" -count=1 ./keyboard
# The command line's own tests link PortAudio: cross-compiled with cgo.
deps="$(dirname "$0")/windows/build-deps.sh"
deps="$("$deps")"
env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
  PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" CGO_LDFLAGS="-static -L$deps/lib" go test -exec "$wine" -count=1 ./cli
# The packaged exe's command line, as a Windows user runs it.
if [ -n "${VOICENOTES_WINDOWS_EXE:-}" ]; then
  WINE="$wine" go test -tags wine -count=1 ./e2e/wine
fi
