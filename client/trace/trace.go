// Package trace records what a connection did, step by step, and hands each
// step to an observer the moment it happens.
//
// The engine (the TLS tap, the FTP and HTTPS sessions, the verification
// callbacks) emits steps; the window and the command line are observers.
// Nothing here knows who is watching.
package trace

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Dir says which way a step travelled, seen from the client.
type Dir string

// The directions a step can have.
const (
	// Send is a message the client sent to the server.
	Send Dir = "send"
	// Recv is a message the client received from the server.
	Recv Dir = "recv"
	// Info is something the client did or concluded locally.
	Info Dir = "info"
)

// Step is one observable event of a connection: a TCP connect, a TLS
// handshake message, an FTP command or reply, a verification result.
type Step struct {
	// At is the time since the recording started.
	At time.Duration `json:"-"`
	// Conn names the connection the step belongs to: "control", "data 1", "https".
	Conn string `json:"conn"`
	// Dir is the direction of the step.
	Dir Dir `json:"dir"`
	// Name is the snake_case name of the step, e.g. "client_hello", "auth_tls".
	Name string `json:"step"`
	// Summary is the short technical content: "TLS 1.3, TLS_AES_128_GCM_SHA256, X25519".
	Summary string `json:"summary"`
	// Explain is one plain-language sentence on what the step means.
	Explain string `json:"explain"`
	// Failed marks a step that went wrong (shown red).
	Failed bool `json:"failed,omitempty"`
	// Wire marks a line of the FTP dialogue itself: a command as sent (with
	// PASS masked) or a server reply. A protocol log shows these.
	Wire bool `json:"wire,omitempty"`
}

// MarshalJSON adds at_ms, the time offset in whole milliseconds.
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		AtMS int64 `json:"at_ms"`
		plain
	}{s.At.Milliseconds(), plain(s)})
}

// Observer receives steps as they happen. Step may be called from any
// goroutine; implementations must not block for long.
type Observer interface {
	Step(Step)
}

// ObserverFunc adapts a function to the Observer interface.
type ObserverFunc func(Step)

// Step calls f(s).
func (f ObserverFunc) Step(s Step) { f(s) }

// Emitter is what a producer of steps (the TLS tap, the FTP session) writes
// to. It is bound to one connection.
type Emitter interface {
	// Emit records one step on the emitter's connection.
	Emit(dir Dir, name, summary, explain string)
	// Fail records one failed step on the emitter's connection.
	Fail(dir Dir, name, summary, explain string)
}

// Recorder keeps the steps in order and forwards each one to its observer
// as it arrives. It is safe for concurrent use. A long session (thousands of
// transfers) would make memory grow without end, so it keeps the first
// KeepHead steps (the connection and its handshake) and the latest KeepTail;
// the observer still sees every step.
type Recorder struct {
	start time.Time
	obs   Observer

	mu      sync.Mutex
	head    []Step
	tail    []Step // the latest steps, at most KeepTail
	dropped int
}

// How many steps a Recorder keeps at the start and at the end.
const (
	KeepHead = 2000
	KeepTail = 8000
)

// NewRecorder starts a recording now. obs may be nil.
func NewRecorder(obs Observer) *Recorder {
	return &Recorder{start: time.Now(), obs: obs}
}

// Add records s, stamping its time offset, and passes it to the observer.
// The observer is called with the recorder's lock held so that it sees the
// steps in exactly the order they were recorded.
func (r *Recorder) Add(s Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.At = time.Since(r.start)
	if len(r.head) < KeepHead {
		r.head = append(r.head, s)
	} else {
		if len(r.tail) == KeepTail {
			// Shift in bulk, not per step: copy once every KeepTail steps.
			if cap(r.tail) >= 2*KeepTail {
				r.tail = append(r.tail[:0], r.tail[KeepTail/2:]...)
			} else {
				r.tail = append(make([]Step, 0, 2*KeepTail), r.tail[KeepTail/2:]...)
			}
			r.dropped += KeepTail / 2
		}
		r.tail = append(r.tail, s)
	}
	if r.obs != nil {
		r.obs.Step(s)
	}
}

// Steps returns a copy of the steps kept, in order. When steps were left
// out in the middle, a "steps_omitted" step stands in their place.
func (r *Recorder) Steps() []Step {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Step, 0, len(r.head)+len(r.tail)+1)
	out = append(out, r.head...)
	if r.dropped > 0 {
		out = append(out, Step{At: r.tail[0].At, Dir: Info, Name: "steps_omitted",
			Summary: fmt.Sprintf("%d steps left out", r.dropped),
			Explain: "This session recorded so many steps that the oldest ones after its start were not kept."})
	}
	return append(out, r.tail...)
}

// Conn returns an Emitter that records steps for the named connection.
func (r *Recorder) Conn(name string) Emitter {
	return connEmitter{r: r, conn: name}
}

type connEmitter struct {
	r    *Recorder
	conn string
}

func (e connEmitter) Emit(dir Dir, name, summary, explain string) {
	e.r.Add(Step{Conn: e.conn, Dir: dir, Name: name, Summary: summary, Explain: explain})
}

func (e connEmitter) Fail(dir Dir, name, summary, explain string) {
	e.r.Add(Step{Conn: e.conn, Dir: dir, Name: name, Summary: summary, Explain: explain, Failed: true})
}

// WireEmitter is an Emitter that can also record lines of the FTP dialogue
// (steps with Wire set). The engine's protocol log uses it when available.
type WireEmitter interface {
	Emitter
	// EmitWire records one command or reply line.
	EmitWire(dir Dir, name, line, explain string, failed bool)
}

// EmitWire implements WireEmitter.
func (e connEmitter) EmitWire(dir Dir, name, line, explain string, failed bool) {
	e.r.Add(Step{Conn: e.conn, Dir: dir, Name: name, Summary: line, Explain: explain, Failed: failed, Wire: true})
}

// Discard is an Emitter that drops every step.
var Discard Emitter = discard{}

type discard struct{}

func (discard) Emit(Dir, string, string, string) {}
func (discard) Fail(Dir, string, string, string) {}

// Arrow is how a direction reads in a timeline: what the client sent points
// right (towards the server), what it received points left.
func (d Dir) Arrow() string {
	switch d {
	case Send:
		return "→"
	case Recv:
		return "←"
	}
	return "•"
}

// String returns the direction's name.
func (d Dir) String() string { return string(d) }

// Find returns the first step with that name on that connection.
func Find(steps []Step, conn, name string) (Step, bool) {
	for _, s := range steps {
		if s.Conn == conn && s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}
