//go:build windows

package keyboard

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On Windows the window with the keyboard is the foreground window
// (GetForegroundWindow); text is typed with SendInput as Unicode key
// events (KEYEVENTF_UNICODE), so any character is typed whatever the
// keyboard layout; the shortcut is a hot key (RegisterHotKey), whose
// release push-to-talk learns by watching the key's state
// (GetAsyncKeyState), without a low-level keyboard hook.

var (
	user32                  = windows.NewLazySystemDLL("user32.dll")
	procGetForegroundWindow = user32.NewProc("GetForegroundWindow")
	procGetWindowTextW      = user32.NewProc("GetWindowTextW")
	procSendInput           = user32.NewProc("SendInput")
	procRegisterHotKey      = user32.NewProc("RegisterHotKey")
	procUnregisterHotKey    = user32.NewProc("UnregisterHotKey")
	procGetMessageW         = user32.NewProc("GetMessageW")
	procPeekMessageW        = user32.NewProc("PeekMessageW")
	procPostThreadMessageW  = user32.NewProc("PostThreadMessageW")
	procGetAsyncKeyState    = user32.NewProc("GetAsyncKeyState")
)

const (
	inputKeyboard     = 1
	keyeventfExtended = 0x0001
	keyeventfKeyUp    = 0x0002
	keyeventfUnicode  = 0x0004
	vkReturn          = 0x0D
	vkTab             = 0x09
	modAlt            = 0x0001
	modControl        = 0x0002
	modShift          = 0x0004
	modWin            = 0x0008
	modNoRepeat       = 0x4000
	wmQuit            = 0x0012
	wmHotkey          = 0x0312
	pmNoRemove        = 0x0000
	errHotkeyTaken    = windows.Errno(1409) // ERROR_HOTKEY_ALREADY_REGISTERED
	releasePollPeriod = 15 * time.Millisecond
)

// keyInput is Win32's INPUT holding a KEYBDINPUT, laid out for 64-bit
// Windows (40 bytes: the union is as large as a MOUSEINPUT).
type keyInput struct {
	typ   uint32
	_     uint32
	vk    uint16
	scan  uint16
	flags uint32
	time  uint32
	_     uint32
	extra uintptr
	_     [8]byte
}

// msg is Win32's MSG.
type msg struct {
	hwnd    uintptr
	message uint32
	_       uint32
	wParam  uintptr
	lParam  uintptr
	time    uint32
	x, y    int32
	_       uint32
}

// Focused is the window that has the keyboard now.
func Focused() (Window, error) {
	h, _, _ := procGetForegroundWindow.Call()
	if h == 0 {
		return 0, errors.New("no window has the keyboard")
	}
	return Window(h), nil
}

// Title is a window's title ("" when it has none).
func Title(w Window) string {
	buf := make([]uint16, 512)
	n, _, _ := procGetWindowTextW.Call(uintptr(w), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	return windows.UTF16ToString(buf[:n])
}

// Type types text into the window that has the keyboard: a line end is
// Return, a tab is Tab, every other character a Unicode key event.
func Type(text string) error {
	inputs := typeInputs(text)
	if len(inputs) == 0 {
		return nil
	}
	n, _, err := procSendInput.Call(uintptr(len(inputs)), uintptr(unsafe.Pointer(&inputs[0])), unsafe.Sizeof(inputs[0]))
	if int(n) != len(inputs) {
		// UIPI: a window running as administrator takes no input from
		// a program that is not.
		return fmt.Errorf("only %d of %d key events were taken (%v); the window with the keyboard may be running as administrator, which takes no typing from a program that is not", n, len(inputs), err)
	}
	return nil
}

// typeInputs are the key events that type text.
func typeInputs(text string) []keyInput {
	var in []keyInput
	key := func(vk, scan uint16, flags uint32) {
		in = append(in, keyInput{typ: inputKeyboard, vk: vk, scan: scan, flags: flags},
			keyInput{typ: inputKeyboard, vk: vk, scan: scan, flags: flags | keyeventfKeyUp})
	}
	for _, r := range text {
		switch {
		case r == '\n':
			key(vkReturn, 0, 0)
		case r == '\t':
			key(vkTab, 0, 0)
		case r < 0x20 || r == 0x7f || r == '\r' || r == 0xfffd:
			// no control characters into another app
		default:
			for _, u := range utf16.Encode([]rune{r}) {
				key(0, u, keyeventfUnicode)
			}
		}
	}
	return in
}

// Hotkey is a key combination grabbed for the whole desktop.
type Hotkey struct {
	tid  uint32
	stop chan struct{}
	done sync.WaitGroup
}

// Grab takes combo (such as "Ctrl+Alt+Space") for the whole desktop:
// pressed in any app, down runs, and up when it is let go (once each,
// however long it is held). It fails, saying so, when another program
// holds the combination. Close gives it back.
func Grab(combo string, down, up func()) (*Hotkey, error) {
	mods, vk, err := parseCombo(combo)
	if err != nil {
		return nil, err
	}
	h := &Hotkey{stop: make(chan struct{})}
	ready := make(chan error, 1)
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		// A hot key belongs to the thread that registers it, and its
		// messages come to that thread's queue.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var m msg
		procPeekMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0, pmNoRemove) // makes the queue Close posts to
		h.tid = windows.GetCurrentThreadId()
		if ok, _, err := procRegisterHotKey.Call(0, 1, uintptr(mods|modNoRepeat), uintptr(vk)); ok == 0 {
			if errors.Is(err, errHotkeyTaken) {
				err = fmt.Errorf("%s is taken by another program: choose another shortcut in Settings, or free it there", combo)
			} else {
				err = fmt.Errorf("the shortcut %s could not be taken: %v", combo, err)
			}
			ready <- err
			return
		}
		defer procUnregisterHotKey.Call(0, 1)
		ready <- nil
		for {
			r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
			if int32(r) <= 0 { // WM_QUIT (Close), or an error
				return
			}
			if m.message != wmHotkey {
				continue
			}
			down()
			if up == nil {
				continue
			}
			// Windows tells of a hot key's press only: its release is
			// when the key is found up.
			for held(vk) {
				select {
				case <-h.stop:
					up()
					return
				case <-time.After(releasePollPeriod):
				}
			}
			up()
		}
	}()
	if err := <-ready; err != nil {
		h.done.Wait()
		return nil, err
	}
	return h, nil
}

// Press presses a key combination ("Ctrl+V") in the window that has the
// keyboard, as if on the keyboard: a dictation pastes with it.
func Press(combo string) error {
	mods, vk, err := parseCombo(combo)
	if err != nil {
		return err
	}
	in := pressInputs(mods, vk)
	if n, _, err := procSendInput.Call(uintptr(len(in)), uintptr(unsafe.Pointer(&in[0])), unsafe.Sizeof(in[0])); int(n) != len(in) {
		return fmt.Errorf("only %d of %d key events were taken (%v); the window with the keyboard may be running as administrator, which takes no input from a program that is not", n, len(in), err)
	}
	return nil
}

// pressInputs are the key events of a combination: the modifiers down,
// the key down and up, the modifiers up.
func pressInputs(mods uint32, vk uint16) []keyInput {
	modKeys := []struct {
		mod uint32
		vk  uint16
	}{{modControl, 0x11}, {modAlt, 0x12}, {modShift, 0x10}, {modWin, 0x5B}}
	var in []keyInput
	for _, m := range modKeys {
		if mods&m.mod != 0 {
			in = append(in, keyInput{typ: inputKeyboard, vk: m.vk})
		}
	}
	flags := uint32(0)
	if vk == 0x2D { // Insert is an extended key
		flags = keyeventfExtended
	}
	in = append(in, keyInput{typ: inputKeyboard, vk: vk, flags: flags}, keyInput{typ: inputKeyboard, vk: vk, flags: flags | keyeventfKeyUp})
	for i := len(modKeys) - 1; i >= 0; i-- {
		if mods&modKeys[i].mod != 0 {
			in = append(in, keyInput{typ: inputKeyboard, vk: modKeys[i].vk, flags: keyeventfKeyUp})
		}
	}
	return in
}

func held(vk uint16) bool {
	s, _, _ := procGetAsyncKeyState.Call(uintptr(vk))
	return s&0x8000 != 0
}

// Close gives the combination back.
func (h *Hotkey) Close() error {
	close(h.stop)
	procPostThreadMessageW.Call(uintptr(h.tid), wmQuit, 0, 0)
	h.done.Wait()
	return nil
}

// parseCombo reads "Ctrl+Alt+Space", "Win+D", "Shift+F9"… into hot key
// modifiers and a virtual-key code.
func parseCombo(combo string) (mods uint32, vk uint16, err error) {
	parts := strings.Split(combo, "+")
	key := strings.TrimSpace(parts[len(parts)-1])
	for _, m := range parts[:len(parts)-1] {
		switch strings.ToLower(strings.TrimSpace(m)) {
		case "ctrl", "control":
			mods |= modControl
		case "alt":
			mods |= modAlt
		case "shift":
			mods |= modShift
		case "super", "win", "meta":
			mods |= modWin
		default:
			return 0, 0, fmt.Errorf("%q in the shortcut %q is not Ctrl, Alt, Shift or Super", m, combo)
		}
	}
	if key == "" {
		return 0, 0, fmt.Errorf("the shortcut %q names no key", combo)
	}
	lower := strings.ToLower(key)
	switch {
	case lower == "space":
		vk = 0x20
	case lower == "enter" || lower == "return":
		vk = vkReturn
	case lower == "tab":
		vk = vkTab
	case lower == "esc" || lower == "escape":
		vk = 0x1B
	case lower == "insert" || lower == "ins":
		vk = 0x2D
	case len(key) == 1 && (key[0] >= 'a' && key[0] <= 'z' || key[0] >= 'A' && key[0] <= 'Z' || key[0] >= '0' && key[0] <= '9'):
		vk = uint16(strings.ToUpper(key)[0]) // the virtual keys of letters and digits are their ASCII codes
	case lower[0] == 'f':
		var n int
		if _, err := fmt.Sscanf(lower, "f%d", &n); err == nil && n >= 1 && n <= 24 && lower == fmt.Sprintf("f%d", n) {
			vk = uint16(0x70 + n - 1)
		}
	}
	if vk == 0 {
		return 0, 0, fmt.Errorf("%q in the shortcut %q is not a key", key, combo)
	}
	return mods, vk, nil
}

// ClipboardText: on Windows the window's own clipboard (which does not
// wait on another program) is read instead.
func ClipboardText(time.Duration) (string, error) { return "", ErrUnsupported }

// InitThreads does nothing on Windows.
func InitThreads() {}

// Finish does nothing on Windows: Type sends characters as themselves
// and changes no mapping.
func Finish() {}
