package trace

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRecorderDeliversInOrderAndKeepsCopies(t *testing.T) {
	var seen []string
	rec := NewRecorder(ObserverFunc(func(s Step) { seen = append(seen, s.Conn+":"+s.Name) }))
	ctl, data := rec.Conn("control"), rec.Conn("data 1")
	ctl.Emit(Send, "client_hello", "TLS 1.3", "hello")
	data.Fail(Recv, "alert", "fatal", "bad")
	ctl.Emit(Info, "handshake_done", "", "done")

	want := "control:client_hello,data 1:alert,control:handshake_done"
	if got := strings.Join(seen, ","); got != want {
		t.Errorf("observer saw %s, want %s", got, want)
	}
	steps := rec.Steps()
	if len(steps) != 3 || !steps[1].Failed || steps[0].Failed {
		t.Fatalf("steps = %+v", steps)
	}
	steps[0].Name = "changed"
	if rec.Steps()[0].Name != "client_hello" {
		t.Error("Steps returned the recorder's own slice")
	}
	for i := 1; i < len(steps); i++ {
		if steps[i].At < steps[i-1].At {
			t.Errorf("step %d is earlier than step %d", i, i-1)
		}
	}
}

func TestRecorderConcurrentUse(t *testing.T) {
	rec := NewRecorder(nil)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				rec.Conn("c").Emit(Info, "x", "", "")
			}
		}()
	}
	wg.Wait()
	if n := len(rec.Steps()); n != 800 {
		t.Errorf("recorded %d steps, want 800", n)
	}
}

func TestStepJSON(t *testing.T) {
	b, err := json.Marshal(Step{At: 1500 * time.Microsecond, Conn: "control", Dir: Send, Name: "pass", Summary: "PASS ****", Explain: "e"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"at_ms": 1.0, "conn": "control", "dir": "send", "step": "pass", "summary": "PASS ****", "explain": "e"} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if _, ok := m["failed"]; ok {
		t.Error("failed is present on a step that did not fail")
	}
}

func TestRecorderBoundsMemory(t *testing.T) {
	seen := 0
	rec := NewRecorder(ObserverFunc(func(Step) { seen++ }))
	const total = KeepHead + 3*KeepTail + 17
	for i := 0; i < total; i++ {
		rec.Conn("c").Emit(Info, "n", fmt.Sprint(i), "")
	}
	if seen != total {
		t.Errorf("observer saw %d steps, want %d", seen, total)
	}
	steps := rec.Steps()
	if len(steps) > KeepHead+KeepTail+1 {
		t.Fatalf("kept %d steps", len(steps))
	}
	if steps[0].Summary != "0" || steps[KeepHead-1].Summary != fmt.Sprint(KeepHead-1) {
		t.Errorf("the first steps were not kept")
	}
	if steps[KeepHead].Name != "steps_omitted" {
		t.Errorf("no marker where steps were left out: %+v", steps[KeepHead])
	}
	if last := steps[len(steps)-1].Summary; last != fmt.Sprint(total-1) {
		t.Errorf("last step = %s, want %d", last, total-1)
	}
	omitted := 0
	fmt.Sscanf(steps[KeepHead].Summary, "%d", &omitted)
	if kept := len(steps) - 1; kept+omitted != total {
		t.Errorf("kept %d + omitted %d != %d", kept, omitted, total)
	}
}
