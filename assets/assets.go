// Package assets holds the files built into the binary: the app icon (SVG
// source beside it; rendered with `convert -background none icon.svg
// -resize 512x512 -depth 8 icon.png`).
package assets

import _ "embed"

// Icon is the 512 px app icon.
//
//go:embed icon.png
var Icon []byte
