#!/usr/bin/env bash
# Builds PortAudio, SphinxBase and PocketSphinx for 64-bit Windows with
# MinGW-w64 from Debian's source packages, as static libraries, into the
# cache folder (outside the repository), once; prints the folder whose
# lib/pkgconfig describes them. PortAudio's host APIs: MME and DirectSound
# (19.6's WASAPI code does not compile against MinGW-w64's headers:
# unknown IMMDevice, AVRT_PRIORITY…).
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/voicenotes-build"
prefix="$cache/win64-deps"
if [ -f "$prefix/lib/libportaudio.a" ] && [ -f "$prefix/lib/libpocketsphinx.a" ]; then
  echo "$prefix"
  exit 0
fi
work="$cache/win64-src"
rm -rf "$work" && mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/sources"
# deb-src for the suite this machine runs, in a private apt configuration:
# the system's sources are left as they are.
. /etc/os-release
cat >"$work/apt/sources/src.sources" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: ${VERSION_CODENAME:-bookworm}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/apt/sources" -o "Dir::State::Lists=$work/apt/lists"
  -o "Dir::Cache=$work/apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
apt-get "${apt[@]}" update >&2
(cd "$work" && apt-get "${apt[@]}" source --download-only portaudio19 sphinxbase pocketsphinx >&2)
for src in "$work"/*.orig.tar.gz; do tar -xzf "$src" -C "$work"; done
# build DIR CONFIGURE-ARGS...: configure, make and install one library.
build() {
  local dir=$1
  shift
  (cd "$work/$dir" &&
    PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" ./configure --host=x86_64-w64-mingw32 --enable-static --disable-shared \
      --prefix="$prefix" "$@" >"$work/$dir.log" 2>&1 &&
    make -j"$(nproc)" >>"$work/$dir.log" 2>&1 && make install >>"$work/$dir.log" 2>&1) ||
    { echo "build-deps: building $dir for Windows failed:" >&2; tail -20 "$work/$dir.log" >&2; exit 1; }
}
build portaudio --with-winapi=wmme,directx
build sphinxbase-5prealpha --without-python --without-lapack
build pocketsphinx-5prealpha --without-python --with-sphinxbase="$prefix"
rm -rf "$work"
echo "$prefix"
