package identityui

// Ready says whether an identity is loaded and "Send certificate" can be
// pressed.
func (rd *RequestDialog) Ready() bool { return !rd.answered && !rd.busy && rd.loaded != nil }

// Send presses "Send certificate": the loaded identity is sent (and saved
// first when "Remember for this site" is checked). It does nothing until
// Ready.
func (rd *RequestDialog) Send() { rd.sendCertificate() }
