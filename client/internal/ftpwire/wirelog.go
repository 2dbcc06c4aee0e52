// Package ftpwire reads the FTP dialogue as bytes: the protocol log that
// records each command and reply as a step (with its explanation), the
// server's PASV address, the permissions of a raw LIST or MLSD listing, the
// EPRT/PORT arguments, and the checksum in a reply to HASH or XSHA256.
// Its functions are pure and fuzzed; it owns no connection and dials nothing.
package ftpwire

import (
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"lockbox/client/trace"
)

// maxWireLine bounds how much of one line the protocol log keeps; the bytes
// themselves pass through untouched.
const maxWireLine = 4096

// MaxReplyLine is the longest reply line a server may send. RFC 959 replies
// are short; a server that sends megabytes without a line end is broken or
// hostile, and reading on would only fill memory.
const MaxReplyLine = 64 << 10

// Log watches the plaintext FTP dialogue on a control connection (above
// TLS) and records each command and each complete reply as a step. It never
// changes the bytes; PASS is recorded as "PASS ****".
type Log struct {
	net.Conn
	em trace.Emitter

	mu      sync.Mutex
	out     lineBuf
	in      lineBuf
	reply   []string              // lines of the reply being read
	pending []string              // verbs sent and not yet answered with a final reply
	err     atomic.Pointer[error] // set once the server broke the protocol
	pasv    string                // the host named by the latest 227 reply, until taken
}

// NewLog watches c's dialogue and records it on em.
func NewLog(c net.Conn, em trace.Emitter) *Log {
	return &Log{Conn: c, em: em}
}

// Write sends p and records the commands it completes.
func (w *Log) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.out.feed(p, w.command)
	w.mu.Unlock()
	return w.Conn.Write(p)
}

// Read receives into p and records the replies it completes.
func (w *Log) Read(p []byte) (int, error) {
	if err := w.Failure(); err != nil {
		return 0, err
	}
	n, err := w.Conn.Read(p)
	if n > 0 {
		w.mu.Lock()
		w.in.feed(p[:n], w.replyLine)
		if w.in.length > MaxReplyLine {
			// Sticky: textproto swallows an error that arrives mid-line, so
			// every later read must fail too.
			err := fmt.Errorf("the server sent a reply line longer than %d KiB without ending it", MaxReplyLine>>10)
			w.err.Store(&err)
		}
		w.mu.Unlock()
	}
	return n, err
}

// Failure is the protocol violation that ended the dialogue, if any. Data
// connections ask before every read and write, so it takes no lock.
func (w *Log) Failure() error {
	if err := w.err.Load(); err != nil {
		return *err
	}
	return nil
}

// Expect records that a command was sent outside this log (the explicit
// FTPS preamble), so the next reply is named after it.
func (w *Log) Expect(verb string) {
	w.mu.Lock()
	w.pending = append(w.pending, verb)
	w.mu.Unlock()
}

func (w *Log) command(line string) {
	verb, _, _ := strings.Cut(line, " ")
	verb = strings.ToUpper(verb)
	shown := line
	if verb == "PASS" || verb == "ACCT" {
		shown = verb + " ****"
	}
	name := stepName(verb, line)
	w.pending = append(w.pending, name)
	w.emit(trace.Send, name, shown, commandExplain(verb), false)
}

func (w *Log) replyLine(line string) {
	w.reply = append(w.reply, line)
	first := w.reply[0]
	code := ""
	if len(first) >= 3 {
		code = first[:3]
	}
	if len(first) >= 4 && first[3] == '-' {
		// A multi-line reply ends on a line that starts with its code and a
		// space (RFC 959, 4.2); until then keep collecting.
		if len(w.reply) == 1 || len(line) < 4 || line[:3] != code || line[3] != ' ' {
			return
		}
	}
	text := strings.Join(w.reply, " | ")
	w.reply = w.reply[:0]
	switch code {
	case "227":
		w.pasv = passiveHost(text)
	case "229":
		w.pasv = ""
	}
	name := "reply"
	final := code == "" || code[0] != '1'
	if len(w.pending) > 0 {
		name = w.pending[0]
		if final {
			w.pending = w.pending[1:]
		}
	}
	explain := replyExplain(code)
	w.emit(trace.Recv, name, text, explain, code != "" && (code[0] == '4' || code[0] == '5'))
}

// emit records a line of the dialogue, marked as such when the emitter
// can (see trace.WireEmitter).
func (w *Log) emit(dir trace.Dir, name, line, explain string, failed bool) {
	if we, ok := w.em.(trace.WireEmitter); ok {
		we.EmitWire(dir, name, line, explain, failed)
		return
	}
	if failed {
		w.em.Fail(dir, name, line, explain)
		return
	}
	w.em.Emit(dir, name, line, explain)
}

// TakePassiveHost returns the host the latest PASV reply named ("" when
// none since the last call, or the latest was EPSV). jlaffaye/ftp drops it
// before dialling, so the engine reads it here to show where the server
// tried to send the data connection.
func (w *Log) TakePassiveHost() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.pasv
	w.pasv = ""
	return h
}

// passiveHost parses the address of a 227 reply, "(h1,h2,h3,h4,p1,p2)",
// as jlaffaye/ftp does; what is not an IP address is kept short.
func passiveHost(reply string) string {
	start, end := strings.Index(reply, "("), strings.LastIndex(reply, ")")
	if start < 0 || end < start {
		return ""
	}
	fields := strings.Split(reply[start+1:end], ",")
	if len(fields) < 6 {
		return ""
	}
	h := strings.Join(fields[:4], ".")
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	if len(h) > 64 {
		h = strings.ToValidUTF8(h[:64], "") + "…"
	}
	return h
}

func stepName(verb, line string) string {
	if verb == "AUTH" {
		return "auth_" + strings.ToLower(strings.TrimSpace(strings.TrimPrefix(line[len(verb):], " ")))
	}
	return strings.ToLower(verb)
}

// lineBuf splits a byte stream into CRLF- or LF-terminated lines.
type lineBuf struct {
	buf       []byte
	truncated bool
	length    int // of the current line, including what was not kept
}

func (b *lineBuf) feed(p []byte, line func(string)) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		b.length += len(chunk)
		if room := maxWireLine - len(b.buf); room > 0 {
			if len(chunk) > room {
				chunk, b.truncated = chunk[:room], true
			}
			b.buf = append(b.buf, chunk...)
		} else if len(chunk) > 0 {
			b.truncated = true
		}
		if i < 0 {
			return
		}
		s := strings.TrimRight(string(b.buf), "\r")
		if b.truncated {
			s += " …(line truncated)"
		}
		b.buf, b.truncated, b.length = b.buf[:0], false, 0
		line(Sanitize(s))
		p = p[i+1:]
	}
}

// Sanitize keeps control characters a hostile server sends out of logs and terminals.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

var commandExplains = map[string]string{
	"USER": "Lockbox tells the server which account to log in to.",
	"PASS": "Lockbox sends the password, over the encrypted channel; it is never shown in logs.",
	"AUTH": "Lockbox asks the server to switch this connection to TLS before anything secret is sent.",
	"PBSZ": "Required before PROT; says TLS itself frames the data (buffer size 0).",
	"PROT": "PROT P asks the server to encrypt every data connection (listings and files) too.",
	"FEAT": "Lockbox asks which optional features the server supports.",
	"TYPE": "TYPE I asks for binary transfers, so files arrive byte for byte.",
	"OPTS": "Lockbox asks the server to use UTF-8 for file names.",
	"PWD":  "Lockbox asks which directory it is in.",
	"CWD":  "Lockbox changes to another directory.",
	"CDUP": "Lockbox goes up to the parent directory.",
	"EPSV": "Lockbox asks the server to open a port for a new data connection (extended passive mode).",
	"PASV": "Lockbox asks the server to open a port for a new data connection (passive mode).",
	"EPRT": "Lockbox tells the server which address and port to connect to for the next data connection (active mode; IPv4 or IPv6).",
	"PORT": "Lockbox tells the server which address and port to connect to for the next data connection (active mode, IPv4 only; the server refused EPRT).",
	"ABOR": "Lockbox asks the server to abort the transfer in progress.",
	"MLSD": "Lockbox asks for a machine-readable directory listing over a data connection.",
	"LIST": "Lockbox asks for a directory listing over a data connection.",
	"NLST": "Lockbox asks for the names in a directory over a data connection.",
	"RETR": "Lockbox asks to download a file over a data connection.",
	"STOR": "Lockbox asks to upload a file over a data connection.",
	"APPE": "Lockbox asks to append to a file (to resume an upload).",
	"REST": "Lockbox asks the server to start the next transfer at this byte offset.",
	"SIZE": "Lockbox asks for a file's size.",
	"MDTM": "Lockbox asks for a file's modification time.",
	"MFMT": "Lockbox sets a file's modification time.",
	"NOOP": "Lockbox checks that the connection is still alive.",
	"QUIT": "Lockbox ends the session politely.",
	"DELE": "Lockbox deletes a file.",
	"MKD":  "Lockbox creates a directory.",
	"RMD":  "Lockbox removes a directory.",
	"RNFR": "Lockbox names the file to rename.",
	"RNTO": "Lockbox gives the file its new name.",
}

func commandExplain(verb string) string {
	if e, ok := commandExplains[verb]; ok {
		return e
	}
	return "Lockbox sent the FTP command " + verb + "."
}

func replyExplain(code string) string {
	switch code {
	case "220":
		return "The server greets the client; it has not proven its identity yet."
	case "234":
		return "The server agrees to switch to TLS; the handshake starts now."
	case "230":
		return "The server accepted the login."
	case "331":
		return "The server knows the user name and wants the password."
	case "530":
		return "The server refused the login: wrong user name or password, or the account may not use FTP."
	case "227", "229":
		return "The server opened a port for the data connection."
	case "150", "125":
		return "The server is opening the data connection and starts sending."
	case "226":
		return "The server finished the transfer and closed the data connection."
	case "522":
		return "The server refused the data connection's TLS: it demands that the data connection resume the control connection's TLS session."
	}
	if code == "" {
		return "The server sent a line that is not a well-formed FTP reply."
	}
	switch code[0] {
	case '1':
		return "The server says the request is under way."
	case '2':
		return "The server says the request succeeded."
	case '3':
		return "The server needs more information to go on."
	case '4':
		return "The server refused for now (a temporary failure)."
	}
	return "The server refused the request."
}
