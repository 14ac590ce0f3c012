//go:build windows

package keyboard

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

func TestINPUTLayout(t *testing.T) {
	// SendInput checks the size it is given against its own INPUT.
	if s := unsafe.Sizeof(keyInput{}); s != 40 {
		t.Fatalf("keyInput is %d bytes; Win32's INPUT is 40 on 64-bit Windows", s)
	}
	if s := unsafe.Sizeof(msg{}); s != 48 {
		t.Fatalf("msg is %d bytes; Win32's MSG is 48 on 64-bit Windows", s)
	}
}

func TestParseComboWindows(t *testing.T) {
	for combo, want := range map[string][2]uint32{
		"Ctrl+Alt+Space": {modControl | modAlt, 0x20},
		"Super+D":        {modWin, 'D'},
		"shift+f9":       {modShift, 0x78},
		"Ctrl+Shift+7":   {modControl | modShift, '7'},
		"Alt+Enter":      {modAlt, vkReturn},
	} {
		mods, vk, err := parseCombo(combo)
		if err != nil || mods != want[0] || uint32(vk) != want[1] {
			t.Errorf("%s: %x %x %v, want %x %x", combo, mods, vk, err, want[0], want[1])
		}
	}
	for _, bad := range []string{"Ctrl+", "Hyper+A", "Ctrl+F25", "Ctrl+Fx", "Ctrl+é"} {
		if _, _, err := parseCombo(bad); err == nil {
			t.Errorf("%s was taken for a shortcut", bad)
		}
	}
}

// TestTypeInputs: every character is a Unicode key event (down, up), a
// character outside the BMP two (its surrogates), a line end Return, and
// control characters nothing.
func TestTypeInputs(t *testing.T) {
	in := typeInputs("é\n👍\x07\t")
	want := []struct {
		vk, scan uint16
		flags    uint32
	}{
		{0, 'é', keyeventfUnicode}, {0, 'é', keyeventfUnicode | keyeventfKeyUp},
		{vkReturn, 0, 0}, {vkReturn, 0, keyeventfKeyUp},
		{0, 0xD83D, keyeventfUnicode}, {0, 0xD83D, keyeventfUnicode | keyeventfKeyUp},
		{0, 0xDC4D, keyeventfUnicode}, {0, 0xDC4D, keyeventfUnicode | keyeventfKeyUp},
		{vkTab, 0, 0}, {vkTab, 0, keyeventfKeyUp},
	}
	if len(in) != len(want) {
		t.Fatalf("%d events, want %d", len(in), len(want))
	}
	for i, w := range want {
		if in[i].typ != inputKeyboard || in[i].vk != w.vk || in[i].scan != w.scan || in[i].flags != w.flags {
			t.Errorf("event %d: %+v, want %+v", i, in[i], w)
		}
	}
}

// TestHotkeyTaken: a shortcut another program holds is refused with a
// message that says so; once given back it can be taken.
func TestHotkeyTaken(t *testing.T) {
	first, err := Grab("Ctrl+Alt+F11", func() {}, nil)
	if err != nil {
		t.Fatalf("Grab: %v", err)
	}
	if _, err := Grab("Ctrl+Alt+F11", func() {}, nil); err == nil || !strings.Contains(err.Error(), "taken by another program") {
		t.Errorf("the same shortcut again: %v; want it said to be taken", err)
	}
	first.Close()
	again, err := Grab("Ctrl+Alt+F11", func() {}, nil)
	if err != nil {
		t.Fatalf("the shortcut given back could not be taken again: %v", err)
	}
	again.Close()
}

// TestHotkeyHeard: the shortcut pressed (as SendInput presses it, which
// is what the keyboard's driver does too) runs down; with push-to-talk,
// its release runs up.
func TestHotkeyHeard(t *testing.T) {
	down, up := make(chan struct{}, 4), make(chan struct{}, 4)
	h, err := Grab("Ctrl+Alt+F10", func() { down <- struct{}{} }, func() { up <- struct{}{} })
	if err != nil {
		t.Fatalf("Grab: %v", err)
	}
	defer h.Close()
	const vkControl, vkMenu, vkF10 = 0x11, 0x12, 0x79
	send := func(flags uint32, vks ...uint16) {
		var in []keyInput
		for _, vk := range vks {
			in = append(in, keyInput{typ: inputKeyboard, vk: vk, flags: flags})
		}
		if n, _, err := procSendInput.Call(uintptr(len(in)), uintptr(unsafe.Pointer(&in[0])), unsafe.Sizeof(in[0])); int(n) != len(in) {
			t.Fatalf("SendInput: %d of %d (%v)", n, len(in), err)
		}
	}
	send(0, vkControl, vkMenu, vkF10)
	select {
	case <-down:
	case <-time.After(10 * time.Second):
		t.Fatal("the pressed shortcut was not heard")
	}
	send(keyeventfKeyUp, vkF10, vkMenu, vkControl)
	select {
	case <-up:
	case <-time.After(10 * time.Second):
		t.Fatal("the released shortcut was not heard")
	}
}

// TestTypeIntoAnEditControl: Type types text, any character, into the
// window with the keyboard: here an Edit control of this test's own,
// read back with WM_GETTEXT.
func TestTypeIntoAnEditControl(t *testing.T) {
	runtime.LockOSThread() // the control's messages come to this thread
	defer runtime.UnlockOSThread()
	var (
		createWindowExW  = user32.NewProc("CreateWindowExW")
		destroyWindow    = user32.NewProc("DestroyWindow")
		setForeground    = user32.NewProc("SetForegroundWindow")
		setFocus         = user32.NewProc("SetFocus")
		translateMessage = user32.NewProc("TranslateMessage")
		dispatchMessageW = user32.NewProc("DispatchMessageW")
		showWindow       = user32.NewProc("ShowWindow")
	)
	class, _ := windows.UTF16PtrFromString("EDIT")
	title, _ := windows.UTF16PtrFromString("") // the control's text: empty
	const wsOverlappedWindow, wsVisible, esMultiline = 0x00CF0000, 0x10000000, 0x0004
	hwnd, _, err := createWindowExW.Call(0, uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(title)),
		wsOverlappedWindow|wsVisible|esMultiline, 0, 0, 400, 200, 0, 0, 0, 0)
	if hwnd == 0 {
		t.Skipf("no window can be made here (%v): Wine without a display (make wine runs this package under xvfb-run)", err)
	}
	defer destroyWindow.Call(hwnd)
	showWindow.Call(hwnd, 5)
	setForeground.Call(hwnd)
	setFocus.Call(hwnd)
	if w, err := Focused(); err != nil || uintptr(w) != hwnd {
		t.Fatalf("Focused: %v, %v; want the Edit control %v", w, err, hwnd)
	}
	const want = "héllo 👍\nnext line"
	if err := Type(want); err != nil {
		t.Fatal(err)
	}
	var m msg
	deadline := time.Now().Add(10 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		for {
			r, _, _ := procPeekMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0, 1) // PM_REMOVE
			if r == 0 {
				break
			}
			translateMessage.Call(uintptr(unsafe.Pointer(&m)))
			dispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
		}
		got = strings.ReplaceAll(Title(Window(hwnd)), "\r\n", "\n")
		if got == want {
			return
		}
		time.Sleep(10 * time.Millisecond) // the control's messages are pumped by this loop
	}
	t.Fatalf("the Edit control holds %q, want %q", got, want)
}

// TestPressInputs: a combination is its modifiers pressed, the key
// pressed and let go, and the modifiers let go in the reverse order;
// Insert is an extended key.
func TestPressInputs(t *testing.T) {
	mods, vk, err := parseCombo("Ctrl+Shift+V")
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		vk    uint16
		flags uint32
	}
	var got []ev
	for _, in := range pressInputs(mods, vk) {
		got = append(got, ev{in.vk, in.flags})
	}
	want := []ev{{0x11, 0}, {0x10, 0}, {'V', 0}, {'V', keyeventfKeyUp}, {0x10, keyeventfKeyUp}, {0x11, keyeventfKeyUp}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Ctrl+Shift+V: %v, want %v", got, want)
	}
	mods, vk, err = parseCombo("Shift+Insert")
	if err != nil {
		t.Fatal(err)
	}
	if in := pressInputs(mods, vk); len(in) != 4 || in[1].vk != 0x2D || in[1].flags != keyeventfExtended || in[2].flags != keyeventfExtended|keyeventfKeyUp {
		t.Errorf("Shift+Insert: %+v", in)
	}
}
