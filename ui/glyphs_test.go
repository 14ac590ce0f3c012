package ui

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/font"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// TestOwnTextDrawsWithBundledFonts reads every string literal of the
// window and of the packages whose words it shows, and fails on a
// character that neither the bundled text fonts nor the small font of
// the app's symbols can draw. Such a character is drawn from the emoji
// font or the system's, and the first one on screen parses those on the
// UI thread (80-200 ms here: "● Recording now" held the press of Record
// that long), or draws a box on a system without them.
func TestOwnTextDrawsWithBundledFonts(t *testing.T) {
	parse := func(r fyne.Resource) *font.Face {
		f, err := font.ParseTTF(bytes.NewReader(r.Content()))
		if err != nil {
			t.Fatalf("%s: %v", r.Name(), err)
		}
		return f
	}
	symbols := parse(theme.DefaultUISymbolFont())
	// Each style must draw it: the faces of a bold label are the bold
	// font, then the symbols; a regular one's the regular font.
	styles := []struct {
		name string
		text *font.Face
	}{{"regular", parse(theme.DefaultTextFont())}, {"bold", parse(theme.DefaultTextBoldFont())}, {"italic", parse(theme.DefaultTextItalicFont())}}
	drawn := func(r rune, text *font.Face) bool {
		for _, f := range []*font.Face{text, symbols} {
			if _, ok := f.NominalGlyph(r); ok {
				return true
			}
		}
		return false
	}
	dirs := []string{".", "../export", "../merge", "../transcribe", "../recording", "../persistence", "../session", "../settings", "../timeline", "../transform", "../audio"}
	literals := 0
	var missing []string
	for _, dir := range dirs {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(names) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
					return true
				}
				literals++
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, r := range s {
					if r < 0x80 || r == 0xfffd || !unicode.IsGraphic(r) {
						continue
					}
					for _, style := range styles {
						if !drawn(r, style.text) {
							missing = append(missing, fmt.Sprintf("%s: %q (U+%04X) in %s", fset.Position(lit.Pos()), r, r, style.name))
							break
						}
					}
				}
				return true
			})
		}
	}
	if literals < 1000 {
		t.Fatalf("read only %d string literals: the packages were not found", literals)
	}
	if len(missing) > 0 {
		t.Errorf("characters the bundled fonts cannot draw (add them to scripts/symbols-font.sh, or write the text without them):\n%s", strings.Join(missing, "\n"))
	}
}
