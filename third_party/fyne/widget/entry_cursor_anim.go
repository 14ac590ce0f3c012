package widget

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	col "fyne.io/fyne/v2/internal/color"
	"fyne.io/fyne/v2/theme"
)

var timeNow = time.Now // used in tests

const (
	cursorInterruptTime = 300 * time.Millisecond
	// cursorRestTime is how long the cursor blinks after the entry was
	// last focused, typed in or refreshed; then it stays lit (Voice Notes
	// patch: a blinking cursor is an animation, which keeps the event loop
	// painting 60 frames a second; GTK stops blinking after 10 s too).
	cursorRestTime  = 10 * time.Second
	cursorFadeAlpha = uint8(0x16)
	cursorFadeRatio = 0.1
)

type entryCursorAnimation struct {
	cursor            *canvas.Rectangle
	anim              *fyne.Animation
	lastInterruptTime time.Time

	// lastActive is when the entry was last focused, typed in or
	// refreshed; resting says the blinking stopped cursorRestTime after
	// it, with the cursor lit (Voice Notes patch).
	lastActive time.Time
	resting    bool
}

func newEntryCursorAnimation(cursor *canvas.Rectangle) *entryCursorAnimation {
	return &entryCursorAnimation{cursor: cursor}
}

// creates fyne animation
func (a *entryCursorAnimation) createAnim(inverted bool) *fyne.Animation {
	cursorOpaque := theme.Color(theme.ColorNamePrimary)
	ri, gi, bi, ai := col.ToNRGBA(cursorOpaque)
	r := uint8(ri >> 8)
	g := uint8(gi >> 8)
	b := uint8(bi >> 8)
	endA := uint8(ai >> 8)
	startA := cursorFadeAlpha
	cursorDim := color.NRGBA{R: r, G: g, B: b, A: cursorFadeAlpha}
	if inverted {
		a.cursor.FillColor = cursorOpaque
		startA, endA = endA, startA
	} else {
		a.cursor.FillColor = cursorDim
	}

	deltaA := endA - startA
	fadeStart := float32(0.5 - cursorFadeRatio)
	fadeStop := float32(0.5 + cursorFadeRatio)

	interrupted := false
	anim := fyne.NewAnimation(time.Second/2, func(f float32) {
		if timeNow().Sub(a.lastActive) > cursorRestTime {
			a.rest()
			return
		}
		shouldInterrupt := timeNow().Sub(a.lastInterruptTime) <= cursorInterruptTime
		if shouldInterrupt {
			if !interrupted {
				a.cursor.FillColor = cursorOpaque
				a.cursor.Refresh()
				interrupted = true
			}
			return
		}
		if interrupted {
			a.anim.Stop()
			if !inverted {
				a.anim = a.createAnim(true)
			}
			interrupted = false
			canStart := a.anim != nil
			if canStart {
				a.anim.Start()
			}
			return
		}

		alpha := uint8(0)
		if f < fadeStart {
			if _, _, _, al := a.cursor.FillColor.RGBA(); uint8(al>>8) == cursorFadeAlpha {
				return
			}

			a.cursor.FillColor = cursorDim
		} else if f >= fadeStop {
			if _, _, _, al := a.cursor.FillColor.RGBA(); al == 0xffff {
				return
			}

			a.cursor.FillColor = cursorOpaque
		} else {
			fade := (f + cursorFadeRatio - 0.5) * (1 / (cursorFadeRatio * 2))
			alpha = uint8(float32(deltaA) * fade)
			a.cursor.FillColor = color.NRGBA{R: r, G: g, B: b, A: alpha}
		}

		a.cursor.Refresh()
	})

	anim.RepeatCount = fyne.AnimationRepeatForever
	anim.AutoReverse = true
	return anim
}

// starts cursor animation.
func (a *entryCursorAnimation) start() {
	a.lastActive = timeNow()
	isStopped := a.anim == nil
	if isStopped {
		// After a rest the cursor is lit: it blinks from there, not
		// from dim (Voice Notes patch).
		a.anim = a.createAnim(a.resting)
		a.resting = false
		a.anim.Start()
	}
}

// temporarily stops the animation by "cursorInterruptTime".
func (a *entryCursorAnimation) interrupt() {
	a.lastInterruptTime = timeNow()
	if a.resting { // Voice Notes patch: a key wakes a resting cursor
		a.start()
	}
	a.lastActive = a.lastInterruptTime
}

// rest stops the blinking with the cursor lit (Voice Notes patch).
func (a *entryCursorAnimation) rest() {
	if a.anim != nil {
		a.anim.Stop()
		a.anim = nil
	}
	a.resting = true
	a.cursor.FillColor = theme.Color(theme.ColorNamePrimary)
	a.cursor.Refresh()
}

// stops cursor animation.
func (a *entryCursorAnimation) stop() {
	a.resting = false // Voice Notes patch
	if a.anim != nil {
		a.anim.Stop()
		a.anim = nil
	}
}
