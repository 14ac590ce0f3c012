package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
)

// inScreenOrder is container.NewBorder with its parts kept in the order
// they are on the screen: top, left, center, right, bottom. Tab moves the
// focus in the order of the window's tree, and NewBorder puts the center
// first (the note list came before the search field above it, the text
// before the title, the toolbar last).
func inScreenOrder(top, bottom, left, right fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	var objects []fyne.CanvasObject
	for _, o := range [][]fyne.CanvasObject{{top}, {left}, center, {right}, {bottom}} {
		for _, x := range o {
			if x != nil {
				objects = append(objects, x)
			}
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), objects...)
}
