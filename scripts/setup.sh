#!/usr/bin/env bash
# Installs what building and testing Voice Notes needs, only what is missing:
# Debian/Ubuntu packages through apt (with sudo when not root; Node and npm
# only when there are none), the
# en_US.UTF-8 locale, and the Go tools the Makefile uses.
set -euo pipefail

packages=(libgl1-mesa-dev xorg-dev portaudio19-dev pkg-config pulseaudio pulseaudio-utils
  libasound2-plugins libpocketsphinx-dev pocketsphinx pocketsphinx-en-us pocketsphinx-testdata
  xvfb xdotool imagemagick sox locales ffmpeg gcc-mingw-w64-x86-64 wine64 bison zip
  dosfstools fusefat exfatprogs exfat-fuse xterm)
staticcheck_version=v0.8.2
fyne_tools_version=v1.7.4

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  # Node and npm run js-yaml, the YAML reader Whispering uses, in a test;
  # a Node from elsewhere (NodeSource bundles npm) is used as it is.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # grep reads the whole list (no -q): with pipefail, grep -q leaving at
  # the first match made locale die of SIGPIPE now and then (its list
  # here has 500 lines), the test fail, and the locale be generated
  # again, while the tests of the other lane were running.
  if ! locale -a 2>/dev/null | grep -ix 'en_US.utf8' >/dev/null; then
    echo "setup: generating the en_US.UTF-8 locale"
    $sudo sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
    $sudo locale-gen >/dev/null
  fi
elif [ "$(uname)" = Darwin ]; then
  command -v pkg-config >/dev/null && pkg-config --exists portaudio-2.0 ||
    { echo "setup: run 'brew install go pkg-config portaudio' first" >&2; exit 1; }
else
  echo "setup: no apt-get here; install the equivalents of: ${packages[*]}" >&2
fi

gobin="$(go env GOPATH)/bin"
if [ ! -x "$gobin/staticcheck" ]; then
  echo "setup: installing staticcheck $staticcheck_version"
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
if [ ! -x "$gobin/fyne" ]; then
  echo "setup: installing the fyne CLI $fyne_tools_version"
  GOFLAGS= go install "fyne.io/tools/cmd/fyne@$fyne_tools_version"
fi
