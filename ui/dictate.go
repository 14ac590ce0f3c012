package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/voicenotes/voicenotes/audio"
	"github.com/voicenotes/voicenotes/keyboard"
	"github.com/voicenotes/voicenotes/persistence"
	"github.com/voicenotes/voicenotes/transform"
)

// Dictation: a recording made to put its words where the person's
// keyboard was. `voicenotes dictate` (bound to a desktop shortcut) starts
// one while another app has the keyboard, and stops it; the recording is
// a note like any other, tagged "dictation", saved and recoverable the
// same way. Its transcript (through the transformation chosen in
// Settings, if any) goes to the clipboard and is typed into the window
// that had the keyboard when it began, if that window still has it.

// dictationKey is the shortcut taken for dictation, and what it is.
type dictationKey struct {
	grabbed io.Closer
	combo   string
	hold    bool
	err     error // why the shortcut could not be taken
	gen     int   // the grab under way; an older one's outcome is let go
}

// grabDictationKey takes the dictation shortcut chosen in Settings for
// the whole desktop (again, after a change), and says in the log and
// Settings why it could not. The grab is an X round trip on its own
// connection, made off the UI thread (made on it while another
// connection of the process waited, an X call could hang the window);
// done (may be nil) runs on the UI thread once the outcome is known.
// UI thread.
func (w *Window) grabDictationKey(done func()) {
	s := w.settings()
	k := &w.dictKey
	finish := func() {
		if done != nil {
			done()
		}
	}
	if k.grabbed != nil && k.combo == s.DictationKey && k.hold == s.DictationHold {
		finish()
		return
	}
	if k.grabbed != nil {
		old := k.grabbed
		go old.Close()
		k.grabbed = nil
	}
	k.gen++
	k.combo, k.hold, k.err = s.DictationKey, s.DictationHold, nil
	grab := w.svc.GrabKey
	if grab == nil || s.DictationKey == "" {
		finish()
		return
	}
	hold, combo, gen := s.DictationHold, s.DictationKey, k.gen
	pressed := func() {
		w.trace("dictation shortcut pressed")
		// A press that starts a dictation opens the microphone here, at
		// once: the UI thread, busy a moment with the last note (it was
		// up to 75 ms late for the second dictation on a loaded machine,
		// and the first words were not recorded), then makes the dictation
		// from it. A press that stops one opens nothing.
		var early audio.Source
		if !w.recOn.Load() && w.svc.OpenInput != nil {
			if src, err := w.svc.OpenInput(); err == nil {
				early = src
			} // else the dictation opens it again, and says why it cannot
		}
		target, _ := keyboard.Focused()
		title := keyboard.Title(target)
		w.do(func() {
			if hold && w.rec != nil && w.rec.dict != nil {
				w.trace("dictation shortcut pressed while dictating")
				if early != nil {
					early.Close()
				}
				return // already dictating while held
			}
			w.dictate(target, title, early)
		})
	}
	released := func() {
		if hold {
			w.do(func() {
				if w.rec != nil && w.rec.dict != nil {
					w.Dictate(0, "")
				}
			})
		}
	}
	go func() {
		g, err := grab(combo, pressed, released)
		w.do(func() {
			if k.gen != gen { // Settings changed it meanwhile
				if g != nil {
					go g.Close()
				}
				return
			}
			if err != nil {
				k.err = err
				log.Printf("dictation: the shortcut %s: %v", combo, err)
				w.trace("dictation shortcut %s refused: %v", combo, err)
			} else {
				k.grabbed = g
				w.trace("dictation shortcut %s ready", combo)
			}
			finish()
		})
	}()
}

// DictationTag is the tag every dictation's note gets.
const DictationTag = "dictation"

// dictation is where a dictation's words go.
type dictation struct {
	target keyboard.Window // the window with the keyboard when it began (0: unknown)
	title  string          // its title, for messages
	// escape is Esc, taken for the whole desktop while the dictation
	// listens: pressed in any app it ends the dictation without typing
	// (cancelled), and the note is kept.
	escape    io.Closer
	released  bool // the dictation stopped listening: Esc is not taken any more
	cancelled bool
}

// Dictate starts a dictation into target, or stops the one under way;
// it says which ("dictating", "stopped"). UI thread.
func (w *Window) Dictate(target keyboard.Window, title string) string {
	return w.dictate(target, title, nil)
}

// dictate is Dictate with, when not nil, the microphone opened already at
// the shortcut's press; it is closed if no dictation starts.
func (w *Window) dictate(target keyboard.Window, title string, early audio.Source) string {
	if early != nil && w.rec != nil {
		early.Close()
		early = nil
	}
	switch {
	case w.rec != nil && w.rec.dict != nil:
		w.stopRecording(false)
		w.playCue(false)
		return "stopped"
	case w.rec != nil:
		w.tell("A recording is under way: stop it before dictating")
		w.trace("dictation refused: a recording is under way")
		return "recording"
	}
	d := &dictation{target: target, title: title}
	w.startRecordingAs(d, early)
	if w.rec == nil {
		w.trace("dictation could not start")
		return "stopped" // it could not start; the window says why
	}
	// Esc cancels the typing while the dictation listens: grabbed off the
	// UI thread (an X round trip on its own connection), given back at
	// once if the dictation ended meanwhile.
	if grab := w.svc.GrabKey; grab != nil {
		go func() {
			esc, err := grab("Escape", func() {
				w.do(func() {
					if w.rec != nil && w.rec.dict == d {
						d.cancelled = true
						w.stopRecording(false)
						w.playCue(false)
					}
				})
			}, nil)
			if err != nil {
				log.Printf("dictation: Esc will not cancel it: %v", err)
				return
			}
			w.do(func() {
				if w.rec != nil && w.rec.dict == d && !d.released {
					d.escape = esc
					return
				}
				go esc.Close()
			})
		}()
	}
	w.playCue(true)
	w.trace("dictating into %q", title)
	return "dictating"
}

// releaseEscape gives Esc back to the desktop once a dictation stops
// listening.
func (d *dictation) releaseEscape() {
	d.released = true
	if d.escape != nil {
		go d.escape.Close() // X work, off the UI thread
		d.escape = nil
	}
}

// dictationSaved takes a dictation's note once saved: its words now, or
// once the queue has transcribed it.
func (w *Window) dictationSaved(d *dictation, n *persistence.Note) {
	d.releaseEscape()
	if d.cancelled {
		w.tell("Dictation cancelled (Esc): nothing typed; the recording is kept as a note")
		w.trace("dictated %s cancelled", n.ID)
		return
	}
	if n.TranscriptionStatus == persistence.StatusDone {
		w.deliverDictation(d, n)
		return
	}
	if w.dictWaiting == nil {
		w.dictWaiting = map[string]*dictation{}
	}
	w.dictWaiting[n.ID] = d // the queue's DONE delivers it
	w.updateTray()
}

// dictationTranscribed hears the queue's news of a waiting dictation,
// and reports whether the note was one (its failure is told here).
func (w *Window) dictationTranscribed(id string, status persistence.Status, n *persistence.Note, err error) bool {
	d := w.dictWaiting[id]
	if d == nil {
		return false
	}
	switch status {
	case persistence.StatusDone:
		delete(w.dictWaiting, id)
		if n != nil {
			w.deliverDictation(d, n)
		}
	case persistence.StatusFailed:
		delete(w.dictWaiting, id)
		why := ""
		if err != nil {
			why = " (" + err.Error() + ")"
		}
		w.tell("The dictation could not be transcribed" + why + "; nothing was typed or copied, and its recording is kept as a note: Transcribe again from the list")
		w.trace("dictated %s failed", id)
	}
	return true
}

// deliverDictation puts a dictation's words on the clipboard and where
// the keyboard was. UI thread; the typing runs off it.
func (w *Window) deliverDictation(d *dictation, n *persistence.Note) {
	text := strings.TrimSpace(n.Body)
	if text == "" {
		w.tell("The dictation heard no words; its recording is kept as a note")
		w.trace("dictated %s nothing", n.ID)
		return
	}
	s := w.settings()
	v := w.svc.Vault
	id := n.ID
	ours := w.win.Title()
	go func() {
		if s.DictationTransform != "" {
			if out, err := w.transformDictation(v, id, s.DictationTransform); err != nil {
				log.Printf("dictation: %v", err)
				w.do(func() {
					w.tell("The dictation's transformation failed (" + err.Error() + "); its words are typed as said")
				})
			} else if out != "" {
				text = out
			}
		}
		// The words go on the clipboard. Before a paste, what it held is
		// kept to give back: asked of its owner here, off the window's
		// thread and with a deadline (a hung owner would hold Fyne's own
		// reading, on the window's thread, for ever), or where that is
		// not how the system's clipboard works, read through the window.
		var before string
		keep := false
		fromWindow := false
		if s.DictationPaste != "" {
			switch t, err := keyboard.ClipboardText(time.Second); {
			case err == nil:
				before, keep = t, true
			case errors.Is(err, keyboard.ErrUnsupported):
				fromWindow = true
			default:
				log.Printf("dictation: the clipboard will not be given back after the paste: %v", err)
				w.trace("dictated %s clipboard not kept: %v", id, err)
			}
		}
		set := make(chan struct{})
		w.do(func() {
			if fromWindow {
				before, keep = w.app.Clipboard().Content(), true
			}
			w.app.Clipboard().SetContent(text)
			close(set)
		})
		select {
		case <-set:
		case <-time.After(10 * time.Second):
			return // the window is gone
		}
		typed, why := false, ""
		how := "typed"
		switch now, err := keyboard.Focused(); {
		case !s.DictationTypes:
			why = "typing is off in Settings"
		case err != nil:
			why = err.Error()
		case d.target == 0 || now != d.target:
			why = "the window that had the keyboard no longer has it"
		case keyboard.Title(now) == ours:
			why = "the keyboard was in Voice Notes itself"
		case s.DictationPaste != "":
			how = "pasted"
			if err := keyboard.Press(s.DictationPaste); err != nil {
				why = err.Error()
				break
			}
			typed = true
			// The app asks for the clipboard as it takes the keys; a
			// moment later the clipboard is given back what it held,
			// unless something else was copied meanwhile.
			if !keep {
				break
			}
			time.AfterFunc(pasteRestoreAfter, func() {
				// Given back only if it still holds the words: asked off
				// the window's thread, as above.
				now, err := keyboard.ClipboardText(time.Second)
				w.do(func() {
					if errors.Is(err, keyboard.ErrUnsupported) {
						now, err = w.app.Clipboard().Content(), nil
					}
					if err == nil && now == text {
						w.app.Clipboard().SetContent(before)
						w.trace("dictated %s clipboard given back", id)
					}
				})
			})
		default:
			if err := keyboard.Type(text); err != nil {
				why = err.Error()
			} else {
				typed = true
			}
		}
		w.do(func() {
			switch {
			case typed && how == "pasted" && !keep:
				w.tell(fmt.Sprintf("Dictation pasted into %q with %s; what the clipboard held before could not be read to give back (the program holding it did not answer), so the clipboard now holds the dictation", d.title, s.DictationPaste))
				w.trace("dictated %s pasted", id)
				return
			case typed && how == "pasted":
				w.tell(fmt.Sprintf("Dictation pasted into %q with %s", d.title, s.DictationPaste))
				w.trace("dictated %s pasted", id)
				return
			case typed:
				w.tell(fmt.Sprintf("Dictation typed into %q (and copied)", d.title))
				w.trace("dictated %s typed", id)
				return
			}
			w.tell("Dictation copied, not typed: " + why)
			w.trace("dictated %s copied", id)
		})
	}()
}

// pasteRestoreAfter is how long after pasting a dictation the clipboard
// is given back what it held: apps ask for the clipboard as they take
// the paste keys, well within it.
const pasteRestoreAfter = time.Second

// transformDictation runs the named transformation on a dictation's note
// and returns the text its last step made.
func (w *Window) transformDictation(v *persistence.Vault, id, name string) (string, error) {
	chat, model, err := w.chatSetup()
	if err != nil {
		return "", err
	}
	ts, _, err := transform.Load(v)
	if err != nil {
		return "", err
	}
	t, err := transform.Find(ts, name)
	if err != nil {
		return "", err
	}
	chain, err := transform.Chain(ts, t)
	if err != nil {
		return "", err
	}
	steps, err := (&transform.Runner{Vault: v, Chat: chat, Model: model}).Run(context.Background(), id, chain, "", false, nil)
	changes := map[string]*persistence.Note{}
	for _, st := range steps {
		for _, n := range []*persistence.Note{st.Note, st.New} {
			if n != nil {
				changes[n.Path] = n
			}
		}
	}
	w.do(func() {
		if w.svc.Vault == v {
			w.mergeNotes(changes)
		}
	})
	if err != nil {
		return "", err
	}
	if len(steps) == 0 {
		return "", errors.New("it made nothing")
	}
	return strings.TrimSpace(steps[len(steps)-1].Result), nil
}
