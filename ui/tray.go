package ui

import (
	"log"
	"os"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// setupTray puts Voice Notes in the system tray, where the desktop has one:
// start or stop recording and show the window without finding it. Fyne adds
// Quit to the menu.
func (w *Window) setupTray() {
	desk, ok := w.app.(desktop.App)
	if !ok || !trayHostLikely() {
		return
	}
	w.trayState = fyne.NewMenuItem("Idle", nil)
	w.trayState.Disabled = true
	w.trayRecord = fyne.NewMenuItem("Start recording", func() { w.ToggleRecording() })
	w.trayMark = fyne.NewMenuItem("Drop a marker", func() { w.MarkRecording("") })
	w.trayMark.Disabled = true
	show := fyne.NewMenuItem("Show window", func() { w.win.Show(); w.win.RequestFocus() })
	w.trayMenu = fyne.NewMenu("Voice Notes", w.trayState, fyne.NewMenuItemSeparator(), w.trayRecord, w.trayMark, show)
	w.trayIcon = w.app.Icon()
	desk.SetSystemTrayMenu(w.trayMenu)
	if w.trayIcon != nil {
		desk.SetSystemTrayIcon(w.trayIcon)
	}
}

// TrayState is what the tray shows Voice Notes doing: listening (a
// recording or a dictation), transcribing (a note's transcript, or a
// dictation's words, on the way), or idle.
func (w *Window) TrayState() (label string, icon fyne.Resource) {
	switch {
	case w.rec != nil && w.rec.dict != nil:
		return "Listening: dictation", theme.MediaRecordIcon()
	case w.rec != nil:
		return "Listening: recording", theme.MediaRecordIcon()
	case len(w.dictWaiting) > 0:
		return "Transcribing the dictation…", theme.ViewRefreshIcon()
	case len(w.transcribing) > 0:
		return "Transcribing…", theme.ViewRefreshIcon()
	}
	return "Idle", w.trayIcon
}

// updateTray shows what Voice Notes is doing (TrayState) in the tray's
// icon and menu, when it changed. UI thread.
func (w *Window) updateTray() {
	desk, ok := w.app.(desktop.App)
	if !ok || w.trayMenu == nil {
		return
	}
	label, icon := w.TrayState()
	recording := "Start recording"
	if w.rec != nil {
		recording = "Stop recording"
	}
	if label == w.trayState.Label && recording == w.trayRecord.Label && w.trayMark.Disabled == (w.rec == nil) {
		return
	}
	w.trayState.Label, w.trayRecord.Label, w.trayMark.Disabled = label, recording, w.rec == nil
	if icon != nil {
		desk.SetSystemTrayIcon(icon)
	}
	w.trayMenu.Refresh()
}

// trayHostLikely reports whether a tray can exist. On Linux and the BSDs
// the tray speaks D-Bus; without a session bus there is none, and Fyne's
// tray code (fyne.io/systray) crashes at quit when it has no connection.
func trayHostLikely() bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return true
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return true
		}
	}
	log.Printf("ui: no D-Bus session bus, so no system tray icon")
	return false
}
