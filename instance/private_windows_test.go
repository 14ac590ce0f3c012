package instance

import (
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// checkPrivate: the pipe's access list lets this user in and nobody else.
func checkPrivate(t *testing.T, vault string) {
	t.Helper()
	name, err := pipeName(vault)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := windows.GetNamedSecurityInfo(name, windows.SE_KERNEL_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Logf("the pipe's access list could not be read here (%v); skipping that check", err)
		return
	}
	me, _ := userSID()
	sddl := sd.String()
	if sddl == "" {
		t.Log("this system reports no access list for the pipe (Wine 8 keeps none); the check is left out")
		return
	}
	if !strings.Contains(sddl, "D:P") || !strings.Contains(sddl, me) || strings.Count(sddl, "(A;") != 1 {
		t.Errorf("pipe access list %s, want one entry, for %s only, protected", sddl, me)
	}
}
