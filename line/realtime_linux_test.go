package line

import (
	"context"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/softfax/softfax/iax"
)

// policyProbe is an engine that records the scheduling class of the
// thread that runs it.
type policyProbe struct {
	policies map[uint32]int
}

func (p *policyProbe) Receive([]int16) {
	if a, err := unix.SchedGetAttr(0, 0); err == nil {
		p.policies[a.Policy]++
	}
}

func (p *policyProbe) Transmit(out []int16) int { return 0 }

// TestRunRealTime: with RealTime the loop keeps the 20 ms pace on a
// SCHED_FIFO thread (when the test may set one: root or CAP_SYS_NICE), and
// ends promptly with its context; the caller's thread stays as it was.
func TestRunRealTime(t *testing.T) {
	v := &fakeVoice{f: iax.FormatULaw, done: make(chan struct{})}
	probe := &policyProbe{policies: map[uint32]int{}}
	began := time.Now()
	st, err := Run(context.Background(), v, probe, Options{MaxFrames: 25, RealTime: true})
	took := time.Since(began)
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames != 25 || v.sent != 25*160 {
		t.Errorf("%d frames, %d bytes sent", st.Frames, v.sent)
	}
	// 25 steps, the first at once: 24 periods.
	if took < 24*Period-5*time.Millisecond || took > 24*Period+200*time.Millisecond {
		t.Errorf("25 steps took %v", took)
	}
	if os.Geteuid() == 0 && probe.policies[unix.SCHED_FIFO] != 25 {
		t.Errorf("steps by scheduling policy %v, want all 25 SCHED_FIFO", probe.policies)
	}
	if a, err := unix.SchedGetAttr(0, 0); err == nil && a.Policy == unix.SCHED_FIFO {
		t.Error("the caller's thread was left at real-time priority")
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	began = time.Now()
	if _, err := Run(ctx, v, probe, Options{RealTime: true}); err != context.Canceled {
		t.Errorf("Run after cancel: %v", err)
	}
	if took := time.Since(began); took > 100*time.Millisecond+3*Period {
		t.Errorf("Run returned %v after its context's cancel", took-100*time.Millisecond)
	}
}
