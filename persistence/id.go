package persistence

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadID is wrapped by every error about a malformed note id.
var ErrBadID = errors.New("invalid note id")

const maxIDLen = 64

// ValidateID checks that id is 1 to 64 letters, digits, '-' or '_', and not
// a name Windows keeps for a device (CON, aux, COM1, …, which it refuses
// as file names even with an extension): safe as a file name on every
// system, so a vault synced to Windows works there, and never a path.
func ValidateID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty (ids are 1 to %d letters, digits, '-' or '_')", ErrBadID, maxIDLen)
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("%w: %q is longer than %d characters", ErrBadID, truncate(id, 20), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: %q contains %q (ids are letters, digits, '-' or '_')", ErrBadID, id, rune(c))
		}
	}
	if windowsDevice(id) {
		return fmt.Errorf("%w: %q is a device name on Windows, which refuses it as a file name; choose another id", ErrBadID, id)
	}
	return nil
}

// windowsDevice reports whether name is one Windows reserves for a device.
func windowsDevice(name string) bool {
	u := strings.ToUpper(name)
	switch u {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	return len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && u[3] >= '0' && u[3] <= '9'
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// NewID returns an id that sorts by creation time: the UTC time to the
// millisecond, then eight random letters so ids made in the same
// millisecond differ. Example: 20261130T101500123Z-k3mfq2xa.
func NewID(t time.Time) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return strings.Replace(t.UTC().Format("20060102T150405.000Z"), ".", "", 1) + "-" + lowerBase32.EncodeToString(b[:])
}
