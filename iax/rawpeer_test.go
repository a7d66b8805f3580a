package iax

import (
	"errors"
	"net"
	"testing"
	"time"
)

// rawPeer is a hand-driven IAX2 peer on a plain UDP socket, to check the
// endpoint's answers frame by frame.
type rawPeer struct {
	t    *testing.T
	conn *net.UDPConn
	call uint16 // our source call number
	dst  uint16 // the endpoint's call number, once known
	oseq uint8
	iseq uint8
}

func newRawPeer(t *testing.T, e *Endpoint) *rawPeer {
	t.Helper()
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(e.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawPeer{t: t, conn: c, call: 77}
}

// send sends a frame with the peer's numbers; sequenced frames advance oseq.
func (p *rawPeer) send(f FullFrame) {
	p.t.Helper()
	f.SrcCall, f.DstCall = p.call, p.dst
	f.OSeq, f.ISeq = p.oseq, p.iseq
	if f.Timestamp == 0 {
		f.Timestamp = 100
	}
	if f.sequenced() {
		p.oseq++
	}
	p.sendRaw(f)
}

func (p *rawPeer) sendRaw(f FullFrame) {
	p.t.Helper()
	b, err := f.Marshal()
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.conn.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// expect reads frames until one named name arrives (ACKing nothing), and
// returns it. Other full frames are collected into skipped.
func (p *rawPeer) expect(name string) FullFrame {
	p.t.Helper()
	buf := make([]byte, 2048)
	deadline := time.Now().Add(3 * time.Second)
	var seen []string
	for {
		p.conn.SetReadDeadline(deadline)
		n, err := p.conn.Read(buf)
		if err != nil {
			p.t.Fatalf("waiting for %s: %v (saw %v)", name, err, seen)
		}
		var f FullFrame
		if buf[0]&0x80 == 0 {
			continue // mini frame
		}
		if err := f.Unmarshal(append([]byte(nil), buf[:n]...)); err != nil {
			p.t.Fatal(err)
		}
		if p.dst == 0 {
			p.dst = f.SrcCall
		}
		if f.sequenced() && f.OSeq == p.iseq {
			p.iseq++
		}
		if f.Name() == name {
			return f
		}
		seen = append(seen, f.Name())
	}
}

func (p *rawPeer) ack(f FullFrame) {
	p.sendRaw(FullFrame{SrcCall: p.call, DstCall: p.dst, Timestamp: f.Timestamp, OSeq: p.oseq, ISeq: p.iseq, Type: TypeIAX, Subclass: CmdAck})
}

func TestRawPeerDialogue(t *testing.T) {
	e := listen(t, Config{AcceptGuests: true, RetryInitial: 5 * time.Second})
	p := newRawPeer(t, e)
	nw := FullFrame{Type: TypeIAX, Subclass: CmdNew, Timestamp: 3}
	nw.IEs.AddUint16(IEVersion, 2)
	nw.IEs.AddString(IECalledNumber, "5551234")
	nw.IEs.AddUint32(IEFormat, uint32(FormatSLinear))
	nw.IEs.AddUint32(IECapability, uint32(FormatULaw|FormatSLinear))
	p.send(nw)
	ack := p.expect("IAX/ACK")
	if ack.Timestamp != 3 || ack.ISeq != 1 || ack.DstCall != 77 {
		t.Errorf("ACK of NEW: %v", &ack)
	}
	call := <-e.Incoming()
	call.Accept()
	acc := p.expect("IAX/ACCEPT")
	if f, _ := acc.IEs.Formats(); f != FormatSLinear {
		t.Errorf("ACCEPT format %v, want the caller's preferred slinear", f)
	}
	p.ack(acc)

	// A retransmitted NEW (R bit, dcall 0) is re-ACKed and opens nothing.
	dup := nw
	dup.SrcCall, dup.Retransmit, dup.OSeq = 77, true, 0
	p.sendRaw(dup)
	p.expect("IAX/ACK")
	select {
	case c := <-e.Incoming():
		t.Fatalf("duplicate NEW opened a second call %v", c.Info())
	case <-time.After(50 * time.Millisecond):
	}

	// TXREQ is refused: a native transfer would break a fax.
	p.send(FullFrame{Type: TypeIAX, Subclass: CmdTxReq, Timestamp: 200})
	p.expect("IAX/TXREJ")

	// PING -> PONG and LAGRQ -> LAGRP echo the timestamp.
	p.send(FullFrame{Type: TypeIAX, Subclass: CmdPing, Timestamp: 300})
	if f := p.expect("IAX/PONG"); f.Timestamp != 300 {
		t.Errorf("PONG ts %d", f.Timestamp)
	}
	p.send(FullFrame{Type: TypeIAX, Subclass: CmdLagRq, Timestamp: 400})
	if f := p.expect("IAX/LAGRP"); f.Timestamp != 400 {
		t.Errorf("LAGRP ts %d", f.Timestamp)
	}

	// A frame ahead of sequence gets a VNAK asking for the missing one.
	p.oseq++ // skip one
	p.send(FullFrame{Type: TypeIAX, Subclass: CmdPing, Timestamp: 500})
	vnak := p.expect("IAX/VNAK")
	if vnak.ISeq != p.oseq-2 {
		t.Errorf("VNAK iseq %d, want %d", vnak.ISeq, p.oseq-2)
	}
	p.oseq -= 2 // "retransmit" from the gap

	// VNAK from us: the endpoint retransmits its unacknowledged frames.
	call.Ring()
	ring := p.expect("CONTROL/RINGING")
	time.Sleep(30 * time.Millisecond) // past the VNAK hold-off
	p.sendRaw(FullFrame{SrcCall: p.call, DstCall: p.dst, Timestamp: 1, OSeq: p.oseq, ISeq: ring.OSeq, Type: TypeIAX, Subclass: CmdVNAK})
	again := p.expect("CONTROL/RINGING")
	if !again.Retransmit || again.OSeq != ring.OSeq {
		t.Errorf("retransmission %v", &again)
	}
	p.ack(again)

	// QUELCH stops our audio; UNQUELCH resumes it.
	call.Answer()
	p.expect("CONTROL/ANSWER")
	p.send(FullFrame{Type: TypeIAX, Subclass: CmdQuelch, Timestamp: 600})
	p.expect("IAX/ACK")
	time.Sleep(20 * time.Millisecond)
	call.SendAudio(make([]byte, 320))
	if st := call.Stats(); st.Dropped != 1 || st.SentFull+st.SentMini != 0 {
		t.Errorf("quelched call sent audio: %+v", st)
	}
	p.send(FullFrame{Type: TypeIAX, Subclass: CmdUnquelch, Timestamp: 700})
	p.expect("IAX/ACK")
	time.Sleep(20 * time.Millisecond)
	call.SendAudio(make([]byte, 320))
	if f := p.expect("VOICE/slinear"); len(f.Payload) != 320 {
		t.Errorf("voice payload %d bytes", len(f.Payload))
	}

	// DTMF is delivered as an event.
	p.send(FullFrame{Type: TypeDTMFEnd, Subclass: '7', Timestamp: 800})
	// HANGUP with a cause code ends the call.
	h := FullFrame{Type: TypeIAX, Subclass: CmdHangup, Timestamp: 900}
	h.IEs.AddUint8(IECauseCode, 16)
	p.send(h)
	p.expect("IAX/ACK")
	var kinds []EventKind
	for ev := range call.Events() {
		kinds = append(kinds, ev.Kind)
		if ev.Kind == EventHangup && ev.Cause != CauseNormalClearing {
			t.Errorf("hangup cause %v", ev.Cause)
		}
	}
	want := []EventKind{EventQuelch, EventUnquelch, EventDTMF, EventHangup}
	if len(kinds) != len(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v, want %v", kinds, want)
		}
	}
}

// FuzzEndpointDatagram throws arbitrary datagrams at an endpoint that has
// a call up: nothing may panic, and the frames are counted.
func FuzzEndpointDatagram(f *testing.F) {
	for _, b := range goldenFrames(f) {
		f.Add(b)
	}
	// Frames aimed at the live call's numbers (set up below: 2 <-> 2).
	for _, fr := range []FullFrame{
		{SrcCall: 2, DstCall: 2, Type: TypeIAX, Subclass: CmdHangup, OSeq: 3, ISeq: 3},
		{SrcCall: 2, DstCall: 2, Type: TypeIAX, Subclass: CmdVNAK},
		{SrcCall: 2, DstCall: 2, Type: TypeVoice, Subclass: uint32(FormatULaw), OSeq: 3, ISeq: 3, Payload: make([]byte, 160)},
		{SrcCall: 2, DstCall: 2, Type: TypeControl, Subclass: CtlAnswer, OSeq: 9},
	} {
		b, _ := fr.Marshal()
		f.Add(b)
	}
	f.Add([]byte{0, 2, 0xff, 0xf0, 1, 2, 3})
	f.Add([]byte{0, 0, 1, 0, 0, 0, 0, 1, 0, 2, 0, 4, 0, 2, 0, 0, 9, 9, 9, 9})
	srv, err := Listen(f.Context(), "127.0.0.1:0", Config{AcceptGuests: true, Peers: []Peer{{Name: "p", Secret: "s"}}})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	cli, err := Listen(f.Context(), "127.0.0.1:0", Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer cli.Close()
	c, _ := cli.Dial(DialParams{Addr: srv.Addr(), Called: "1"})
	in := <-srv.Incoming()
	in.Accept()
	in.Answer()
	<-c.Events()
	from := cli.Addr()
	f.Fuzz(func(t *testing.T, b []byte) {
		srv.handleDatagram(b, from)
		cli.handleDatagram(b, srv.Addr())
	})
}

// TestAsteriskShapedNew replays the NEW Asterisk 22 sends (every IE of
// asterisk-iax2-call-to-iaxmodem.txt: CODEC_PREFS, FORMAT2/CAPABILITY2, an
// empty CALLTOKEN) to an endpoint that requires call tokens: it gets a
// CALLTOKEN, comes back with it, and is accepted in ulaw with FORMAT2.
func TestAsteriskShapedNew(t *testing.T) {
	e := listen(t, Config{AcceptGuests: true, RequireCallToken: true})
	p := newRawPeer(t, e)
	p.call = 12903
	build := func(token []byte) FullFrame {
		f := FullFrame{Type: TypeIAX, Subclass: CmdNew, Timestamp: 13}
		f.IEs.AddUint16(IEVersion, 2)
		f.IEs.AddString(IECalledNumber, "5551234")
		f.IEs.AddString(IECodecPrefs, "DE")
		f.IEs.AddUint8(IECallingPres, 67)
		f.IEs.AddUint8(IECallingTON, 0)
		f.IEs.AddUint16(IECallingTNS, 0)
		f.IEs.AddUint32(IECallingANI2, 0)
		f.IEs.AddString(IELanguage, "en")
		f.IEs.AddUint32(IEFormat, uint32(FormatULaw))
		f.IEs.AddFormat64(IEFormat2, FormatULaw)
		f.IEs.AddUint32(IECapability, uint32(FormatULaw|FormatALaw))
		f.IEs.AddFormat64(IECapability2, FormatULaw|FormatALaw)
		f.IEs.AddUint16(IEADSICPE, 0)
		f.IEs.AddUint32(IEDateTime, 0x357a2bcf)
		f.IEs.AddBytes(IECallToken, token)
		return f
	}
	p.send(build(nil))
	tok := p.expect("IAX/CALLTOKEN")
	token, _ := tok.IEs.Get(IECallToken)
	if tok.DstCall != 12903 || len(token) == 0 {
		t.Fatalf("CALLTOKEN %v", &tok)
	}
	p.dst, p.oseq, p.iseq = 0, 0, 0 // the token reply opened no dialog
	p.send(build(token))
	if ack := p.expect("IAX/ACK"); ack.DstCall != 12903 || ack.ISeq != 1 {
		t.Errorf("ACK %v", &ack)
	}
	call := <-e.Incoming()
	if call.Info().Called != "5551234" {
		t.Errorf("DID %q", call.Info().Called)
	}
	call.Accept()
	acc := p.expect("IAX/ACCEPT")
	if v, _ := acc.IEs.Uint(IEFormat); Format(v) != FormatULaw {
		t.Errorf("ACCEPT FORMAT %v", Format(v))
	}
	if f, ok := acc.IEs.Format64(IEFormat2); !ok || f != FormatULaw {
		t.Errorf("ACCEPT FORMAT2 %v %v", f, ok)
	}
	// A forged token is dropped silently, like Asterisk does.
	q := newRawPeer(t, e)
	q.call = 555
	q.send(build([]byte("1700000000?0123456789abcdef0123456789abcdef01234567")))
	q.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := q.conn.Read(make([]byte, 100)); err == nil {
		t.Error("a forged token got an answer")
	}
	if e.Stats().TokenRejected != 1 {
		t.Errorf("stats %+v", e.Stats())
	}
}

func TestInvalEndsCall(t *testing.T) {
	e := listen(t, Config{AcceptGuests: true})
	p := newRawPeer(t, e)
	nw := FullFrame{Type: TypeIAX, Subclass: CmdNew, Timestamp: 3}
	nw.IEs.AddUint32(IEFormat, uint32(FormatULaw))
	p.send(nw)
	p.expect("IAX/ACK")
	call := <-e.Incoming()
	call.Accept()
	p.expect("IAX/ACCEPT")
	p.sendRaw(FullFrame{SrcCall: p.call, DstCall: p.dst, Timestamp: 50, OSeq: p.oseq, ISeq: p.iseq, Type: TypeIAX, Subclass: CmdInval})
	select {
	case <-call.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("INVAL did not end the call")
	}
	if _, err := call.Cause(); !errors.Is(err, ErrInvalidated) {
		t.Errorf("err %v", err)
	}
}
