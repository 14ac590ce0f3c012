package transcribe

// FinishCalled is closed once l's Finish has been called.
func FinishCalled(l *Live) <-chan struct{} { return l.finishing }
