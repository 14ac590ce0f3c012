#!/usr/bin/env bash
# Checks that a Linux package made by `fyne package` holds what a desktop
# needs: the binary, a .desktop entry and the icon.
set -euo pipefail
archive=$1
[ -f "$archive" ] || { echo "check-package: $archive was not made" >&2; exit 1; }
list=$(tar -tJf "$archive")
fail=0
for want in 'usr/local/bin/voicenotes$' 'usr/local/share/applications/.*\.desktop$' 'usr/local/share/pixmaps/.*\.png$' '(^|/)Makefile$'; do
  if ! grep -Eq "$want" <<<"$list"; then
    echo "check-package: $archive lacks $want" >&2
    fail=1
  fi
done
desktop=$(tar -xJOf "$archive" --wildcards '*.desktop')
for key in 'Name=Voice Notes' 'Exec=voicenotes' 'Icon='; do
  grep -q "^$key" <<<"$desktop" || { echo "check-package: the .desktop entry lacks $key" >&2; fail=1; }
done
[ $fail -eq 0 ] && echo "check-package: $archive holds the binary, the .desktop entry and the icon"
exit $fail
