package iax

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// fastRetry makes retransmissions quick so lossy tests stay short.
func fastRetry(c Config) Config {
	c.RetryInitial = 30 * time.Millisecond
	c.RetryMax = 200 * time.Millisecond
	c.RetryLimit = 12
	c.Linger = 500 * time.Millisecond
	return c
}

func listen(t *testing.T, cfg Config) *Endpoint {
	t.Helper()
	e, err := Listen(context.Background(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// relay is a UDP relay between one client and one server that drops,
// duplicates and reorders datagrams.
type relay struct {
	conn               *net.UDPConn
	server             netip.AddrPort
	drop, dup, reorder float64
	mu                 sync.Mutex
	client             netip.AddrPort
	rng                *rand.Rand
	passed, dropped    int
	duplicated, held   int
}

func newRelay(t *testing.T, server netip.AddrPort, drop, dup, reorder float64) *relay {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{conn: c, server: server, drop: drop, dup: dup, reorder: reorder, rng: rand.New(rand.NewPCG(1, 2))}
	t.Cleanup(func() { c.Close() })
	go r.run()
	return r
}

func (r *relay) addr() netip.AddrPort { return r.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

func (r *relay) run() {
	buf := make([]byte, 4096)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt := append([]byte(nil), buf[:n]...)
		r.mu.Lock()
		to := r.server
		if from == r.server {
			to = r.client
		} else {
			r.client = from
		}
		x, y, z := r.rng.Float64(), r.rng.Float64(), r.rng.Float64()
		var delay time.Duration
		if z < r.reorder {
			delay = time.Duration(5+r.rng.IntN(40)) * time.Millisecond
			r.held++
		}
		switch {
		case x < r.drop:
			r.dropped++
			r.mu.Unlock()
			continue
		case y < r.dup:
			r.duplicated++
		}
		r.passed++
		r.mu.Unlock()
		send := func() {
			r.conn.WriteToUDPAddrPort(pkt, to)
			if y < r.dup {
				r.conn.WriteToUDPAddrPort(pkt, to)
			}
		}
		if delay > 0 {
			time.AfterFunc(delay, send)
		} else {
			send()
		}
	}
}

func waitEvent(t *testing.T, c *Call, want EventKind) Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatalf("events closed waiting for %v (cause %v)", want, c.cause)
			}
			if ev.Kind == want {
				return ev
			}
			if ev.Kind == EventHangup {
				t.Fatalf("hangup (cause %v, %q, err %v) waiting for %v", ev.Cause, ev.Text, ev.Err, want)
			}
		case <-timeout:
			t.Fatalf("timeout waiting for %v", want)
		}
	}
}

func acceptIncoming(t *testing.T, e *Endpoint) *Call {
	t.Helper()
	select {
	case c := <-e.Incoming():
		if err := c.Accept(); err != nil {
			t.Fatal(err)
		}
		if err := c.Ring(); err != nil {
			t.Fatal(err)
		}
		if err := c.Answer(); err != nil {
			t.Fatal(err)
		}
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no incoming call")
	}
	return nil
}

// numbered is a ulaw frame carrying n in its first 4 bytes.
func numbered(n uint32) []byte {
	b := make([]byte, 160)
	binary.BigEndian.PutUint32(b, n)
	for i := 4; i < len(b); i++ {
		b[i] = byte(n)
	}
	return b
}

// streamAudio sends frames 1..n every 20 ms from a while b plays out its
// jitter buffer every 20 ms; it returns the frame numbers b heard in order.
func streamAudio(t *testing.T, a, b *Call, n int) []uint32 {
	return streamAudioEvery(t, a, b, n, 20*time.Millisecond)
}

func streamAudioEvery(t *testing.T, a, b *Call, n int, every time.Duration) []uint32 {
	t.Helper()
	var heard []uint32
	dst := make([]byte, 160)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 1; i <= n+10; i++ {
		<-tick.C
		if i <= n {
			if err := a.SendAudio(numbered(uint32(i))); err != nil {
				t.Fatal(err)
			}
		}
		if b.ReadAudio(dst) == GetFrame {
			heard = append(heard, binary.BigEndian.Uint32(dst))
		}
	}
	return heard
}

func checkInOrder(t *testing.T, heard []uint32, sent int, minFrac float64) {
	t.Helper()
	for i := 1; i < len(heard); i++ {
		if heard[i] <= heard[i-1] {
			t.Fatalf("audio out of order at %d: %v", i, heard[max(0, i-3):i+1])
		}
	}
	if len(heard) > 0 && int(heard[len(heard)-1]) > sent {
		t.Fatalf("heard frame %d of %d", heard[len(heard)-1], sent)
	}
	if float64(len(heard)) < minFrac*float64(sent) {
		t.Fatalf("heard %d of %d frames", len(heard), sent)
	}
}

func TestCallDirect(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "fax", Secret: "s3cret"}}})
	cli := listen(t, Config{})
	c, err := cli.Dial(DialParams{Addr: srv.Addr(), Username: "fax", Secret: "s3cret",
		Called: "5551234", CallingNumber: "8005551212", CallingName: "John Doe", Formats: []Format{FormatALaw, FormatULaw}})
	if err != nil {
		t.Fatal(err)
	}
	in := acceptIncoming(t, srv)
	info := in.Info()
	if info.Called != "5551234" || info.CallingNumber != "8005551212" || info.CallingName != "John Doe" || info.Peer != "fax" {
		t.Errorf("incoming info %+v", info)
	}
	waitEvent(t, c, EventAccepted)
	waitEvent(t, c, EventAnswered)
	if c.Format() != FormatALaw || in.Format() != FormatALaw {
		t.Errorf("formats %v / %v, want alaw", c.Format(), in.Format())
	}
	heard := streamAudio(t, c, in, 50)
	checkInOrder(t, heard, 50, 1)
	if err := c.SendDTMF('5'); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, in, EventDTMF); ev.Digit != '5' {
		t.Errorf("digit %q", ev.Digit)
	}
	if err := in.Hangup(CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, c, EventHangup)
	if ev.Cause != CauseNormalClearing {
		t.Errorf("hangup cause %v", ev.Cause)
	}
	if st := c.Stats(); st.SentFull != 1 || st.SentMini != 49 {
		t.Errorf("sent %d full, %d mini; want 1, 49", st.SentFull, st.SentMini)
	}
}

func TestCallAuthFailure(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "fax", Secret: "right"}}})
	cli := listen(t, Config{})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Username: "fax", Secret: "wrong", Called: "1"})
	ev := waitEvent(t, c, EventHangup)
	if ev.Cause != CauseFacilityRejected {
		t.Errorf("cause %v", ev.Cause)
	}
	if srv.Stats().AuthFailed != 1 {
		t.Errorf("stats %+v", srv.Stats())
	}
}

func TestCallGuestRefused(t *testing.T) {
	srv := listen(t, Config{})
	cli := listen(t, Config{})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Called: "1"})
	if ev := waitEvent(t, c, EventHangup); ev.Cause != CauseFacilityRejected {
		t.Errorf("cause %v", ev.Cause)
	}
}

func TestCodecNegotiationFails(t *testing.T) {
	srv := listen(t, Config{AcceptGuests: true, Formats: []Format{FormatSLinear}})
	cli := listen(t, Config{Formats: []Format{FormatULaw}})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Called: "1"})
	if ev := waitEvent(t, c, EventHangup); ev.Cause != CauseBearerNotAvailable {
		t.Errorf("cause %v", ev.Cause)
	}
}

func TestBusyReject(t *testing.T) {
	srv := listen(t, Config{AcceptGuests: true})
	cli := listen(t, Config{})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Called: "1"})
	in := <-srv.Incoming()
	in.Reject(CauseUserBusy)
	if ev := waitEvent(t, c, EventHangup); ev.Cause != CauseUserBusy || ev.Text != "Busy" {
		t.Errorf("cause %v %q", ev.Cause, ev.Text)
	}
}

func TestRegistrationAndCallBack(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "modem", Secret: "pw"}}, RequireCallToken: true})
	cli := listen(t, Config{AcceptGuests: true})
	reg := cli.Register(context.Background(), RegisterParams{Server: srv.Addr(), Username: "modem", Secret: "pw", Refresh: 60 * time.Second})
	if err := reg.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := reg.Status()
	if !st.Registered || st.Refresh != 60*time.Second || st.Apparent != cli.Addr() {
		t.Errorf("status %+v (cli %v)", st, cli.Addr())
	}
	if a, ok := srv.Registered("modem"); !ok || a != cli.Addr() {
		t.Fatalf("registrar has %v %v", a, ok)
	}
	// The registrar calls its registered peer by name.
	c, err := srv.Dial(DialParams{Peer: "modem", Called: "5550200"})
	if err != nil {
		t.Fatal(err)
	}
	in := acceptIncoming(t, cli)
	if in.Info().Called != "5550200" {
		t.Errorf("DID %q", in.Info().Called)
	}
	waitEvent(t, c, EventAnswered)
	c.Hangup(CauseNormalClearing)
	reg.Close()
	if _, ok := srv.Registered("modem"); ok {
		t.Error("still registered after REGREL")
	}
}

func TestRegistrationWrongSecret(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "modem", Secret: "pw"}}})
	cli := listen(t, Config{})
	reg := cli.Register(context.Background(), RegisterParams{Server: srv.Addr(), Username: "modem", Secret: "nope"})
	defer reg.Close()
	if err := reg.Wait(context.Background()); !errors.Is(err, ErrRegRejected) {
		t.Fatalf("err = %v", err)
	}
}

func TestCallTokenRequiredRejectsTokenless(t *testing.T) {
	srv := listen(t, Config{AcceptGuests: true, RequireCallToken: true})
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(srv.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// iaxmodem's NEW: no CALLTOKEN IE at all.
	f := FullFrame{SrcCall: 7, Timestamp: 3, Type: TypeIAX, Subclass: CmdNew}
	f.IEs.AddUint16(IEVersion, 2)
	f.IEs.AddString(IECalledNumber, "1")
	f.IEs.AddUint32(IEFormat, uint32(FormatULaw))
	b, _ := f.Marshal()
	conn.Write(b)
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1500)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	var r FullFrame
	if err := r.Unmarshal(buf[:n]); err != nil || !r.IsCmd(CmdReject) || r.DstCall != 7 {
		t.Fatalf("reply %v %v", &r, err)
	}
	// With an empty token IE it gets a token instead.
	f.IEs.AddBytes(IECallToken, nil)
	b, _ = f.Marshal()
	conn.Write(b)
	n, err = conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Unmarshal(buf[:n]); err != nil || !r.IsCmd(CmdCallToken) || len(r.IEs.String(IECallToken)) < 10 {
		t.Fatalf("reply %v %v", &r, err)
	}
}

func TestUnknownCallFramesChangeNothing(t *testing.T) {
	srv := listen(t, Config{AcceptGuests: true})
	cli := listen(t, Config{})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Called: "1"})
	in := acceptIncoming(t, srv)
	waitEvent(t, c, EventAnswered)

	conn, _ := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(srv.Addr()))
	defer conn.Close()
	// A HANGUP for a call number that does not exist, one for the real
	// call number from the wrong address, and a POKE.
	for _, f := range []FullFrame{
		{SrcCall: 99, DstCall: 12345, Type: TypeIAX, Subclass: CmdHangup},
		{SrcCall: c.LocalCallNumber(), DstCall: in.LocalCallNumber(), Type: TypeIAX, Subclass: CmdHangup, OSeq: 3, ISeq: 3},
		{SrcCall: 98, Type: TypeIAX, Subclass: CmdPoke},
	} {
		b, _ := f.Marshal()
		conn.Write(b)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 1500)
	gotPong := false
	for range 4 {
		n, err := conn.Read(buf)
		if err != nil {
			break
		}
		var r FullFrame
		if r.Unmarshal(buf[:n]) == nil && r.IsCmd(CmdPong) {
			gotPong = true
			break
		}
	}
	if !gotPong {
		t.Error("no PONG for POKE")
	}
	time.Sleep(50 * time.Millisecond)
	if in.State() != StateAnswered || c.State() != StateAnswered {
		t.Errorf("states %v / %v after stray frames", in.State(), c.State())
	}
	// A trunk meta frame and garbage are counted and dropped.
	conn.Write([]byte{0, 0, 1, 0, 0, 0, 0, 1, 0, 2, 0, 4, 0, 2, 0, 0})
	conn.Write([]byte{0x80})
	time.Sleep(50 * time.Millisecond)
	if st := srv.Stats(); st.UnknownCall < 2 || st.Meta != 1 || st.Malformed != 1 {
		t.Errorf("stats %+v", st)
	}
	if in.State() != StateAnswered {
		t.Errorf("state %v after meta and garbage", in.State())
	}
}

func TestRetransmitLimitTearsDown(t *testing.T) {
	// A "peer" that swallows everything, noting when frames arrive.
	sink, _ := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	defer sink.Close()
	arrivals := make(chan time.Time, 16)
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, err := sink.Read(buf); err != nil {
				close(arrivals)
				return
			}
			arrivals <- time.Now()
		}
	}()
	cfg := fastRetry(Config{})
	cfg.RetryLimit = 3
	cli := listen(t, cfg)
	c, _ := cli.Dial(DialParams{Addr: sink.LocalAddr().(*net.UDPAddr).AddrPort(), Called: "1"})
	ev := waitEvent(t, c, EventHangup)
	if !errors.Is(ev.Err, ErrTimeout) {
		t.Errorf("err %v", ev.Err)
	}
	time.Sleep(50 * time.Millisecond)
	sink.Close()
	var at []time.Time
	for a := range arrivals {
		at = append(at, a)
	}
	// The NEW went out 1 + 3 times, the gaps doubling (30, 60, 120 ms),
	// then one best-effort HANGUP.
	if len(at) != 5 {
		t.Fatalf("sink got %d frames, want 5", len(at))
	}
	// Timers never fire early, so the doubling shows as lower bounds even
	// on a loaded host.
	for i, want := range []time.Duration{30, 60, 120} {
		if gap := at[i+1].Sub(at[i]); gap < want*time.Millisecond {
			t.Errorf("retransmission gap %d is %v, want >= %d ms", i+1, gap, want)
		}
	}
	if cli.Stats().Retransmitted != 3 || cli.Stats().TimedOut != 1 {
		t.Errorf("stats %+v", cli.Stats())
	}
}

// TestLossyRelay: registration with MD5 and call tokens, calls both ways,
// audio in order, clean teardown, through a relay that drops 10%,
// duplicates 5% and reorders 10% of datagrams.
func TestLossyRelay(t *testing.T) {
	srv := listen(t, fastRetry(Config{Peers: []Peer{{Name: "modem", Secret: "pw"}}, RequireCallToken: true, JitterDelay: 6}))
	r := newRelay(t, srv.Addr(), 0.10, 0.05, 0.10)
	cli := listen(t, fastRetry(Config{AcceptGuests: true, JitterDelay: 6}))

	reg := cli.Register(context.Background(), RegisterParams{Server: r.addr(), Username: "modem", Secret: "pw", RetryInterval: 200 * time.Millisecond})
	defer reg.Close()
	if err := reg.Wait(context.Background()); err != nil {
		// One attempt may fail under loss; the next one must succeed.
		time.Sleep(time.Second)
		if !reg.Status().Registered {
			t.Fatalf("not registered: %v", reg.Status().Err)
		}
	}
	for round := range 2 {
		c, err := cli.Dial(DialParams{Addr: r.addr(), Username: "modem", Secret: "pw", Called: "100"})
		if err != nil {
			t.Fatal(err)
		}
		in := acceptIncoming(t, srv)
		waitEvent(t, c, EventAnswered)
		heard := streamAudioEvery(t, c, in, 100, 10*time.Millisecond)
		checkInOrder(t, heard, 100, 0.75)
		heardBack := streamAudioEvery(t, in, c, 100, 10*time.Millisecond)
		checkInOrder(t, heardBack, 100, 0.75)
		// Reliable frames: a burst of DTMF must arrive complete, once, in order.
		const digits = "0123456789*#ABCD"
		for _, d := range digits {
			c.SendDTMF(d)
		}
		for i, d := range digits {
			if ev := waitEvent(t, in, EventDTMF); ev.Digit != d {
				t.Fatalf("DTMF #%d = %q, want %q", i, ev.Digit, d)
			}
		}
		if round%2 == 0 {
			c.Hangup(CauseNormalClearing)
			waitEvent(t, in, EventHangup)
		} else {
			in.Hangup(CauseNormalClearing)
			waitEvent(t, c, EventHangup)
		}
	}
	t.Logf("relay: passed %d dropped %d duplicated %d reordered %d; srv %+v; cli %+v",
		r.passed, r.dropped, r.duplicated, r.held, srv.Stats(), cli.Stats())
	if srv.Stats().Duplicates == 0 && cli.Stats().Duplicates == 0 {
		t.Error("the relay duplicated frames but no endpoint saw a duplicate")
	}
	if srv.Stats().Retransmitted+cli.Stats().Retransmitted == 0 {
		t.Error("no retransmissions despite 10% loss")
	}
}

// TestPlaintextAuth: a peer that offers only plaintext is answered only
// when the local policy allows sending the secret in clear.
func TestPlaintextAuth(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "old", Secret: "pw", Auth: AuthPlaintext}}})
	for _, allow := range []bool{true, false} {
		cli := listen(t, Config{AllowPlaintext: allow})
		c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Username: "old", Secret: "pw", Called: "1"})
		if allow {
			in := acceptIncoming(t, srv)
			waitEvent(t, c, EventAnswered)
			in.Hangup(CauseNormalClearing)
		} else if ev := waitEvent(t, c, EventHangup); ev.Cause != CauseFacilityRejected {
			t.Errorf("plaintext refused: cause %v", ev.Cause)
		}
	}
	reg := listen(t, Config{AllowPlaintext: true}).Register(context.Background(),
		RegisterParams{Server: srv.Addr(), Username: "old", Secret: "pw"})
	defer reg.Close()
	if err := reg.Wait(context.Background()); err != nil {
		t.Errorf("plaintext registration: %v", err)
	}
}

// TestUnknownNameIsChallenged: an unknown USERNAME is challenged like a
// known one and refused only after its answer, for calls and registrations.
func TestUnknownNameIsChallenged(t *testing.T) {
	srv := listen(t, Config{Peers: []Peer{{Name: "fax", Secret: "pw"}}})
	cli := listen(t, Config{})
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Username: "nobody", Secret: "pw", Called: "1"})
	if ev := waitEvent(t, c, EventHangup); ev.Cause != CauseFacilityRejected {
		t.Errorf("cause %v", ev.Cause)
	}
	reg := cli.Register(context.Background(), RegisterParams{Server: srv.Addr(), Username: "nobody", Secret: "pw"})
	defer reg.Close()
	if err := reg.Wait(context.Background()); !errors.Is(err, ErrRegRejected) || strings.Contains(err.Error(), "twice") {
		t.Errorf("registration: %v", err)
	}
	if n := srv.Stats().AuthFailed; n != 2 {
		t.Errorf("AuthFailed = %d, want 2 (both answered a challenge)", n)
	}
}
