package iax

import (
	"context"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

// TestFullVoiceFrames checks when full voice frames go out: first, when
// the 16-bit mini timestamp wraps, and at least every FullVoiceInterval
// (iaxmodem misreads mini frames more than ~50 s after the last full one).
// The receiver widens mini timestamps across the wrap: audio stays in order.
func TestFullVoiceFrames(t *testing.T) {
	srv := listen(t, Config{AcceptGuests: true, JitterDelay: 1})
	cli := listen(t, Config{FullVoiceInterval: 500 * time.Millisecond})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Called: "1"})
	in := acceptIncoming(t, srv)
	waitEvent(t, c, EventAnswered)

	// Start the voice clock just below the 16-bit wrap.
	c.d.mu.Lock()
	c.txStarted, c.txBase = true, 0xffff-200
	c.d.mu.Unlock()
	dst := make([]byte, 160)
	var heard []uint32
	for i := 1; i <= 60; i++ { // 1.2 s of 20 ms frames, sent fast
		c.SendAudio(numbered(uint32(i)))
		time.Sleep(2 * time.Millisecond)
		if in.ReadAudio(dst) == GetFrame {
			heard = append(heard, binary.BigEndian.Uint32(dst))
		}
	}
	for range 5 {
		time.Sleep(5 * time.Millisecond)
		if in.ReadAudio(dst) == GetFrame {
			heard = append(heard, binary.BigEndian.Uint32(dst))
		}
	}
	st := c.Stats()
	// Full frames: the first (ts 0xff37), the wrap (frame 12, ts 0x1000b),
	// then 500 ms of timestamp after the wrap (frame 37).
	if st.SentFull != 3 || st.SentMini != 57 {
		t.Errorf("sent %d full + %d mini, want 3 + 57", st.SentFull, st.SentMini)
	}
	checkInOrder(t, heard, 60, 0.95)
	if is := in.Stats(); is.Jitter.Resyncs != 0 || is.RecvFull != 3 {
		t.Errorf("receiver %+v", is)
	}
}

// TestMiniTimestampWidening checks the receive side alone, including a
// frame reordered across the wrap.
func TestMiniTimestampWidening(t *testing.T) {
	e := listen(t, Config{})
	d := newDialog(e, 5, netip.AddrPort{}, kindCall)
	c := newCall(d, CallInfo{}, StateAnswered)
	c.setFormat(FormatULaw)
	c.receiveVoice(0x1ffe0, make([]byte, 160)) // a full frame at 0x1ffe0
	var got []uint32
	for _, ts := range []uint16{0xfff4, 0x0008, 0x0020} {
		d.handleMini(&MiniFrame{Timestamp: ts, Payload: make([]byte, 160)})
		got = append(got, c.rxTs)
	}
	want := []uint32{0x1fff4, 0x20008, 0x20020}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("mini ts #%d widened to %#x, want %#x", i, got[i], want[i])
		}
	}
	// Reordered: a frame from before the wrap arriving after it.
	d.handleMini(&MiniFrame{Timestamp: 0xfffe, Payload: make([]byte, 160)})
	if c.rxTs != 0x1fffe {
		t.Errorf("late pre-wrap frame widened to %#x", c.rxTs)
	}
}

func TestRegistrationRefresh(t *testing.T) {
	t.Parallel()
	srv := listen(t, Config{Peers: []Peer{{Name: "m", Secret: "x"}}, MinRefresh: time.Second})
	cli := listen(t, Config{})
	reg := cli.Register(context.Background(), RegisterParams{Server: srv.Addr(), Username: "m", Secret: "x", Refresh: 2 * time.Second})
	defer reg.Close()
	if err := reg.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := reg.Status().At
	time.Sleep(1500 * time.Millisecond) // refresh is due after max(2-5, 1) s
	if st := reg.Status(); !st.Registered || !st.At.After(first) {
		t.Errorf("no refresh: %+v (first %v)", st, first)
	}
}

func TestCloseReleasesRegistrationAndHangsUp(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "m", Secret: "x"}}, AcceptGuests: true})
	cli, err := Listen(context.Background(), "127.0.0.1:0", Config{})
	if err != nil {
		t.Fatal(err)
	}
	reg := cli.Register(context.Background(), RegisterParams{Server: srv.Addr(), Username: "m", Secret: "x"})
	if err := reg.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Username: "m", Secret: "x", Called: "1"})
	in := acceptIncoming(t, srv)
	waitEvent(t, c, EventAnswered)
	cli.Close()
	select {
	case <-in.Done():
	case <-time.After(2 * time.Second):
		t.Error("far end did not see the hangup")
	}
	if _, ok := srv.Registered("m"); ok {
		t.Error("registration not released on Close")
	}
}

// TestPeerByAddress: a configured peer with a static address may call in
// without a USERNAME; it is still challenged for its secret.
func TestPeerByAddress(t *testing.T) {
	cli := listen(t, Config{})
	srv := listen(t, Config{Peers: []Peer{{Name: "pbx", Secret: "pw", Addr: cli.Addr()}}})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Secret: "pw", Called: "42"})
	in := acceptIncoming(t, srv)
	if in.Info().Peer != "pbx" {
		t.Errorf("peer %q", in.Info().Peer)
	}
	waitEvent(t, c, EventAnswered)
}
