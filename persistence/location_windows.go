package persistence

import "golang.org/x/sys/windows"

// knownDocuments asks Windows where the user's Documents folder is
// (FOLDERID_Documents): people and companies move it, so the
// %USERPROFILE%\Documents a string would give may not be it.
func knownDocuments() (string, bool) {
	d, err := windows.KnownFolderPath(windows.FOLDERID_Documents, 0)
	return d, err == nil && d != ""
}
