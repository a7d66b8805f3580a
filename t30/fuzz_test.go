package t30

import (
	"bytes"
	"testing"

	"github.com/softfax/softfax/t4"
)

// FuzzFrame: any octets parse as a frame or fail cleanly; DIS, DCS and
// identities parse without panic, and what parses marshals back to a field
// that parses to the same value.
func FuzzFrame(f *testing.F) {
	for _, s := range []string{
		"ff1380006e78", "ff1383006278", "ff0340303032302035353520312b202020202020202020",
		"ff1380006ef8808081030000", "ff13bf00000207", "ff13bd" + "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"ff1313000c", "ff03060012345678", "ff1386", "ff1300", "ff13",
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fr Frame
		if err := fr.Unmarshal(data); err != nil {
			return
		}
		if !bytes.Equal(fr.Marshal(), data) {
			t.Fatalf("frame round trip: % x -> % x", data, fr.Marshal())
		}
		_ = fr.String()
		var d DIS
		if d.Unmarshal(fr.Info) == nil {
			info, err := d.Marshal()
			if err != nil {
				t.Fatalf("DIS %+v from % x does not marshal: %v", d, fr.Info, err)
			}
			var d2 DIS
			if err := d2.Unmarshal(info); err != nil || d2 != d {
				t.Fatalf("DIS round trip: %+v -> % x -> %+v %v", d, info, d2, err)
			}
		}
		var c DCS
		if c.Unmarshal(fr.Info) == nil {
			info, err := c.Marshal()
			if err != nil {
				t.Fatalf("DCS %+v does not marshal: %v", c, err)
			}
			var c2 DCS
			if err := c2.Unmarshal(info); err != nil || c2 != c {
				t.Fatalf("DCS round trip: %+v -> %+v %v", c, c2, err)
			}
		}
		_, _ = UnmarshalID(fr.Info)
	})
}

// FuzzSessionCommands feeds arbitrary frame sets to a receiving and a
// sending session in each of their states: the state machine must never
// panic on what a far end says.
func FuzzSessionCommands(f *testing.F) {
	f.Add(byte(2), unhex(f, "ff1383006278"))
	f.Add(byte(5), unhex(f, "ff13bf4e000207"))
	f.Add(byte(4), unhex(f, "ff13be000000ff"))
	f.Add(byte(5), unhex(f, "ff13134f"))
	f.Add(byte(10), unhex(f, "ff13bd0100"))
	f.Add(byte(11), unhex(f, "ff13bc"+"ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00"))
	f.Add(byte(4), unhex(f, "ff0306ff41424344"))
	f.Add(byte(9), unhex(f, "ff1380006ef8808081030000"))
	f.Fuzz(func(t *testing.T, st byte, data []byte) {
		var fr Frame
		if fr.Unmarshal(data) != nil {
			return
		}
		fr.Final = true
		page, _ := t4.NewPage(1728, 8, t4.Fine)
		for _, role := range []Role{Receiver, Sender} {
			cfg := Config{Role: role, ECM: true, Sink: &Collector{}, Source: &Pages{List: []*t4.Page{page, page}}}
			s, err := NewSession(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s.abortOps()
			s.state = state(int(st) % int(stDone))
			s.remoteDIS = DIS{CanReceive: true, Modems: ModemsV27terV29V17, Fine: true, ECM: true, MMR: true}
			if role == Sender {
				_ = s.negotiate()
			} else {
				s.dcs = DCS{Modulation: 97, ECM: st&1 == 1, Fine: true}
				s.result.Compression = t4.MR
				s.rxECM.frameSize = 64
			}
			s.set = []Frame{fr}
			s.handle(evFrames)
			s.handle(evTimeout)
			s.set = []Frame{fr}
			s.handle(evFrames)
		}
	})
}
