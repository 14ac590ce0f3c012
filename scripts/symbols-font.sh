#!/usr/bin/env bash
# Makes third_party/fyne/theme/font/DejaVuSans-Symbols.ttf: the symbols
# the app's own text uses that the bundled NotoSans lacks, cut from
# DejaVu Sans (Debian's fonts-dejavu-core 2.37; its licence is
# third_party/fyne/theme/font/LICENSE_DejaVu-Powerline.txt). The window
# draws them from it before the emoji font and the system's are looked
# at (third_party/fyne/PATCHES.md, 7). None of them may be in the emoji
# font (fc-query .../EmojiOneColor.otf), or it would draw them
# differently. ui's TestOwnTextDrawsWithBundledFonts names a character
# the app's text uses that no bundled font draws: add it here and run
# this again (needs python3-fonttools).
set -euo pipefail
cd "$(dirname "$0")/.."
symbols="U+2190-2193"          # ← ↑ → ↓ (shortcuts, vocabulary rules)
symbols+=",U+25CB,U+25CF"      # ○ ● (recording)
symbols+=",U+2690-2691"        # ⚐ ⚑ (markers)
symbols+=",U+2713,U+2715"      # ✓ ✕ (results, remove)
symbols+=",U+2717-2718"        # ✗ ✘ (failures)
symbols+=",U+27E6-27E7"        # ⟦ ⟧ (words kept both ways)
/usr/bin/python3 -m fontTools.subset /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	--unicodes="$symbols" --layout-features='' --no-hinting \
	--output-file=third_party/fyne/theme/font/DejaVuSans-Symbols.ttf
