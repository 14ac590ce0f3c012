#!/usr/bin/env bash
# Checks a Windows build of Voice Notes: a PE32+ GUI executable, with an
# icon and a version resource, importing only DLLs that come with Windows.
set -euo pipefail
exe=$1
[ -f "$exe" ] || { echo "check-exe: $exe was not made" >&2; exit 1; }
fail=0
kind=$(file -b "$exe")
case "$kind" in
  "PE32+ executable (GUI) x86-64"*) ;;
  *) echo "check-exe: $exe is '$kind', not a PE32+ GUI program" >&2; fail=1 ;;
esac
allowed=" ADVAPI32.dll bcrypt.dll CRYPT32.dll dsound.dll GDI32.dll IMM32.dll KERNEL32.dll msvcrt.dll ntdll.dll ole32.dll OLEAUT32.dll OPENGL32.dll SHELL32.dll USER32.dll UxTheme.dll VERSION.dll WINMM.dll WS2_32.dll dwmapi.dll "
dump=$(x86_64-w64-mingw32-objdump -p "$exe")
while read -r dll; do
  case "$allowed" in
    *" $dll "*) ;;
    *) echo "check-exe: $exe needs $dll, which Windows does not ship" >&2; fail=1 ;;
  esac
done < <(sed -n 's/^\s*DLL Name: //p' <<<"$dump" | sort -u)
# The resource directory's top-level types: 3 RT_ICON, 14 RT_GROUP_ICON,
# 16 RT_VERSION, 24 RT_MANIFEST.
types=$(sed -n '/The .rsrc Resource Directory section/,/^$/p' <<<"$dump" | sed -n 's/^...   Entry: ID: 0x0*\([0-9a-f]*\),.*/\1/p')
for want in "3 icon" "e icon group" "10 version" "18 manifest"; do
  if ! grep -qx "${want%% *}" <<<"$types"; then
    echo "check-exe: $exe has no ${want#* } resource" >&2; fail=1
  fi
done
# grep reads all of strings' output (no -q): under pipefail, grep -q
# leaving at the first match would make strings die of SIGPIPE whenever
# more than a pipe's worth came after it, and fail the check.
if ! strings -el "$exe" | grep "Voice Notes" >/dev/null; then
  echo "check-exe: the version resource does not name Voice Notes" >&2; fail=1
fi
[ $fail -eq 0 ] && echo "check-exe: $exe is a PE32+ GUI program with its icon and version, importing only: $(sed -n 's/^\s*DLL Name: //p' <<<"$dump" | sort -u | tr '\n' ' ')"
exit $fail
