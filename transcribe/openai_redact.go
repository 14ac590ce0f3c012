package transcribe

import "github.com/voicenotes/voicenotes/internal/remote"

// redact removes the API key, and any bearer token, from text a server
// sent back (remote.Redact).
func (o *OpenAI) redact(s string) string { return remote.Redact(s, o.key) }
