package iax

import (
	"context"
	"errors"
	"testing"
	"time"
)

// crash stops e as a killed process would: no HANGUP, no REGREL, the
// socket just closes.
func crash(e *Endpoint) {
	e.cancel()
	e.wg.Wait()
}

// TestRestartedCallerReusesCallNumber: a caller crashes mid-call and comes
// back on the same port, and its next NEW carries the very call number the
// callee still holds for the dead call. The callee must take it as a new
// call at once (RFC 5456: a NEW with sequence 0 for an established dialog
// is no retransmission), not acknowledge it as a duplicate until the old
// dialog times out.
func TestRestartedCallerReusesCallNumber(t *testing.T) {
	srv := listen(t, fastRetry(Config{AcceptGuests: true}))
	cli := listen(t, fastRetry(Config{}))
	addr := cli.Addr().String()
	old, err := cli.Dial(DialParams{Addr: srv.Addr(), Called: "100"})
	if err != nil {
		t.Fatal(err)
	}
	oldIn := acceptIncoming(t, srv)
	waitEvent(t, old, EventAnswered)
	streamAudio(t, old, oldIn, 5)
	oldNumber := old.d.local
	crash(cli)

	cli2, err := Listen(context.Background(), addr, fastRetry(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli2.Close() })
	// The worst case: the restarted process hands out the same number.
	cli2.mu.Lock()
	cli2.nextCall = oldNumber
	cli2.mu.Unlock()

	start := time.Now()
	c, err := cli2.Dial(DialParams{Addr: srv.Addr(), Called: "200"})
	if err != nil {
		t.Fatal(err)
	}
	if c.d.local != oldNumber {
		t.Fatalf("new call number %d, want the reused %d", c.d.local, oldNumber)
	}
	in := acceptIncoming(t, srv)
	waitEvent(t, c, EventAnswered)
	if took := time.Since(start); took > time.Second {
		t.Errorf("call after restart took %v to set up", took)
	}
	if got := in.Info().Called; got != "200" {
		t.Errorf("incoming call for %q, want the new call's 200", got)
	}
	ev := waitEvent(t, oldIn, EventHangup)
	if !errors.Is(ev.Err, ErrPeerRestarted) {
		t.Errorf("stale call ended with %v, want ErrPeerRestarted", ev.Err)
	}
	if n := srv.Stats().StaleDialogs; n != 1 {
		t.Errorf("StaleDialogs = %d, want 1", n)
	}
	heard := streamAudio(t, c, in, 20)
	checkInOrder(t, heard, 20, 1)
}

// TestRetransmittedNewIsNoNewCall: the same NEW again (lost ACK) must
// not open a second call or drop the first.
func TestRetransmittedNewIsNoNewCall(t *testing.T) {
	re := &FullFrame{SrcCall: 7, Timestamp: 3, Retransmit: true, Type: TypeIAX, Subclass: CmdNew}
	for _, iseq := range []uint8{1, 2, 5} {
		// Late retransmissions too: our reply and the far end's next
		// frames may overtake a retransmission already on its way.
		if d := (&dialog{inbound: true, openTs: 3, iseq: iseq}); d.staleFor(re) {
			t.Errorf("a retransmitted NEW (iseq %d) was taken for a new call", iseq)
		}
	}
	for _, tc := range []struct {
		name string
		d    *dialog
		f    FullFrame
	}{
		{"fresh NEW past the first frame", &dialog{inbound: true, openTs: 3, iseq: 4}, FullFrame{Timestamp: 3}},
		{"other timestamp", &dialog{inbound: true, openTs: 3, iseq: 1}, FullFrame{Timestamp: 9}},
		{"retransmitted, other timestamp", &dialog{inbound: true, openTs: 3, iseq: 4}, FullFrame{Timestamp: 9, Retransmit: true}},
		{"our own dialog", &dialog{iseq: 1}, FullFrame{Timestamp: 3}},
	} {
		tc.f.Type, tc.f.Subclass = TypeIAX, CmdNew
		if !tc.d.staleFor(&tc.f) {
			t.Errorf("%s: NEW not taken for a new call", tc.name)
		}
	}
}

// TestCallNumbersStartAtRandom: two fresh endpoints rarely start at the
// same call number (1 in 32766); ten in a row agreeing means no randomness.
func TestCallNumbersStartAtRandom(t *testing.T) {
	seen := map[uint16]bool{}
	for range 10 {
		e := listen(t, Config{})
		e.mu.Lock()
		seen[e.nextCall] = true
		if e.nextCall < 2 || e.nextCall > 0x7fff {
			t.Errorf("first call number %d out of range", e.nextCall)
		}
		e.mu.Unlock()
	}
	if len(seen) < 2 {
		t.Errorf("10 endpoints all start at call number %v", seen)
	}
}
