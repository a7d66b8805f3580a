package modem

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// T.30 frames as a DTE hands them over: address, control, FCF, info.
var (
	frameCSI = []byte{0xFF, 0x03, 0x40, '1', '2', '3', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}
	frameDIS = []byte{0xFF, 0x13, 0x80, 0x00, 0xEE, 0xFA, 0x80}
	frameDCS = []byte{0xFF, 0x13, 0x83, 0x00, 0x62, 0x78}
	frameCFR = []byte{0xFF, 0x13, 0x84}
)

func TestAnswerOriginate(t *testing.T) {
	p := newPair(t, Config{}, mulaw())
	a, b := p.a, p.b
	must(t, a.e.Originate())
	must(t, b.e.Answer())
	sentB := 0
	b.on = func(ev Event) {
		if ev.Kind == Connect {
			switch sentB {
			case 0:
				must(t, b.e.SendFrame(frameCSI, false))
			case 1:
				must(t, b.e.SendFrame(frameDIS, true))
			}
			sentB++
		}
	}
	a.on = func(ev Event) {
		if ev.Kind == OK && len(a.frames()) == 1 {
			must(t, a.e.ReceiveHDLC(V21)) // HylaFAX is quick here
		}
	}
	if !p.run(10, func() bool { return len(a.frames()) == 2 && p.idle() }) {
		t.Fatalf("no exchange:\n%v\n%v", a, b)
	}
	if got, want := a.kinds(), "CONNECT3 frame OK CONNECT3 frame OK"; got != want {
		t.Errorf("caller events %q, want %q", got, want)
	}
	if got, want := b.kinds(), "CONNECT3 CONNECT3 OK"; got != want {
		t.Errorf("answerer events %q, want %q", got, want)
	}
	f := a.frames()
	if !bytes.Equal(f[0].Data, frameCSI) || !bytes.Equal(f[1].Data, frameDIS) {
		t.Errorf("frames %x, %x", f[0].Data, f[1].Data)
	}
	for _, ev := range f {
		if fcs := hdlcFCS(ev.Data); fcs != ev.FCS {
			t.Errorf("FCS %x, want %x", ev.FCS, fcs)
		}
	}
	// CED after 0.2 s of silence, 3.3 s long, 75 ms gap: flags start at 3.575 s.
	c, _ := b.find(Connect, 0)
	if want := int64(answerSilence + 33*800 + cedGap); c.At != want {
		t.Errorf("answerer CONNECT at %d, want %d", c.At, want)
	}
	// The caller connects on the flags: after CED, within the 1 s preamble.
	c, _ = a.find(Connect, 0)
	if c.At < int64(answerSilence+33*800+cedGap) || c.At > int64(answerSilence+33*800+cedGap+8000) {
		t.Errorf("caller CONNECT at %d", c.At)
	}
	// The OK after the final frame waits for the carrier to drop.
	okEv, _ := a.find(OK, 1)
	if okEv.At <= f[1].At {
		t.Errorf("final OK at %d, not after the frame at %d", okEv.At, f[1].At)
	}
}

func hdlcFCS(b []byte) [2]byte {
	crc := uint16(0xFFFF)
	for _, x := range b {
		crc ^= uint16(x)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x8408
			} else {
				crc >>= 1
			}
		}
	}
	crc ^= 0xFFFF
	return [2]byte{byte(crc), byte(crc >> 8)}
}

// TestDataEveryModulation sends random bytes at every +FTM modulation and
// checks +FRM gets exactly them.
func TestDataEveryModulation(t *testing.T) {
	for _, m := range Modulations() {
		t.Run(m.String(), func(t *testing.T) {
			p := newPair(t, Config{}, mulaw())
			a, b := p.a, p.b
			rng := rand.New(rand.NewPCG(uint64(m), 7))
			sent := make([]byte, m.BitRate()/8) // one second
			for i := range sent {
				sent[i] = byte(rng.Uint32())
			}
			if m.ShortTrain() {
				// A short train follows a long one at the same rate.
				long := m - 1
				must(t, b.e.ReceiveData(long, false))
				must(t, a.e.TransmitData(long))
				must(t, a.e.EndData())
				if !p.run(4, func() bool { return p.idle() }) {
					t.Fatalf("long train: %v / %v", a, b)
				}
				a.log, b.log = nil, nil
				must(t, b.e.WaitSilence(7))
				p.run(0.2, nil)
				b.log = nil
			}
			must(t, b.e.ReceiveData(m, false))
			must(t, a.e.TransmitData(m))
			n, err := a.e.WriteData(sent)
			if err != nil || n != len(sent) {
				t.Fatalf("WriteData %d, %v", n, err)
			}
			must(t, a.e.EndData())
			if !p.run(6, func() bool { return p.idle() }) {
				t.Fatalf("not done: %v / %v", a, b)
			}
			if got, want := a.kinds(), "CONNECT OK"; got != want {
				t.Errorf("sender %q, want %q", got, want)
			}
			if got, want := b.kinds(), "CONNECT data NO CARRIER"; got != want {
				t.Errorf("receiver %q, want %q", got, want)
			}
			got := b.data()
			if len(got) < len(sent) || !bytes.Equal(got[:len(sent)], sent) {
				i := 0
				for i < len(got) && i < len(sent) && got[i] == sent[i] {
					i++
				}
				t.Errorf("received %d bytes, %d sent; first difference at %d", len(got), len(sent), i)
			}
		})
	}
}
