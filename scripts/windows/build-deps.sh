#!/usr/bin/env bash
# Builds PortAudio for 64-bit Windows with MinGW-w64 from Debian's source
# package, as a static library, into the cache folder (outside the
# repository), once; prints the folder whose lib/pkgconfig describes it.
# Host APIs: MME and DirectSound. PortAudio 19.6's WASAPI code does not
# compile against MinGW-w64's headers (unknown IMMDevice, AVRT_PRIORITY…).
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/voicenotes-build"
prefix="$cache/portaudio-win64"
if [ -f "$prefix/lib/libportaudio.a" ]; then
  echo "$prefix"
  exit 0
fi
work="$cache/portaudio-src"
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
(cd "$work" && apt-get "${apt[@]}" source --download-only portaudio19 >&2)
tar -xzf "$work"/portaudio19_*.orig.tar.gz -C "$work"
cd "$work/portaudio"
./configure --host=x86_64-w64-mingw32 --with-winapi=wmme,directx --enable-static --disable-shared --prefix="$prefix" >"$work/configure.log" 2>&1 ||
  { tail -20 "$work/configure.log" >&2; exit 1; }
make -j"$(nproc)" >"$work/make.log" 2>&1 && make install >>"$work/make.log" 2>&1 || { tail -20 "$work/make.log" >&2; exit 1; }
rm -rf "$work"
echo "$prefix"
