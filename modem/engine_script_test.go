package modem

import (
	"bytes"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
)

var (
	frameTSI = append([]byte{0xFF, 0x03, 0x43}, frameCSI[3:]...)
	frameEOP = []byte{0xFF, 0x13, 0x2F}
	frameMCF = []byte{0xFF, 0x13, 0x8C}
	frameDCN = []byte{0xFF, 0x13, 0xFB}
	frameMPS = []byte{0xFF, 0x13, 0x4F}
)

// TestFaxTranscript runs the Class 1 dialogue of a whole one-page fax
// between two engines, as the HylaFAX/efax transcripts in
// shared/reference show it, and checks the events of every command.
func TestFaxTranscript(t *testing.T) {
	tcf := make([]byte, 14400*3/2/8) // 1.5 s of zeros
	page := bytes.Repeat([]byte{0x00, 0x80, 0xB2, 0x59, 0x01}, 600)
	bad := linesim.Impairments{Law: g711.Alaw, GainDB: -20, NoiseDBm0: linesim.Noise(-62),
		FreqOffsetHz: 2, ClockPPM: 100, Seed: 9}
	tests := []struct {
		name  string
		lateB int // samples B's receive commands come late
		line  linesim.Impairments
	}{
		{"prompt DTE", 0, mulaw()},
		{"late DTE", 2400, mulaw()},
		{"poor A-law line, late DTE", 2400, bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, Config{}, tt.line)
			sender := []step{
				atd("CONNECT3 frame OK"),      // CSI
				frh(V21, "CONNECT3 frame OK"), // DIS (final: OK on carrier loss)
				frs(7),                        //
				fth(V21, frameTSI, frameDCS),  //
				fts(7),                        //
				ftm(V17_14400, tcf),           // TCF
				frh(V21, "CONNECT3 frame OK"), // CFR
				frs(7),                        //
				ftm(V17_14400Short, page),     // page 1
				fts(9),                        //
				fth(V21, frameEOP),            //
				frh(V21, "CONNECT3 frame OK"), // MCF
				frs(7),                        //
				fth(V21, frameDCN),            //
			}
			receiver := []step{
				ata(frameCSI, frameDIS),
				late(frh(V21, "CONNECT3 frame OK"), tt.lateB),                   // TSI
				frh(V21, "CONNECT3 frame OK"),                                   // DCS
				late(frm(V17_14400, true, "CONNECT data NO CARRIER"), tt.lateB), // TCF
				frs(7),
				fth(V21, frameCFR),
				late(frm(V17_14400Short, true, "CONNECT data NO CARRIER"), tt.lateB),
				late(frh(V21, "CONNECT3 frame OK"), tt.lateB), // EOP
				frs(7),
				fth(V21, frameMCF),
				late(frh(V21, "CONNECT3 frame OK"), tt.lateB), // DCN
			}
			sa, sb := p.runScripts(40, sender, receiver)
			if t.Failed() {
				return
			}
			if got := sb.data[3]; len(got) < len(tcf) || !bytes.Equal(got[:len(tcf)], tcf) {
				t.Errorf("TCF: %d bytes received", len(got))
			}
			if got := sb.data[6]; len(got) < len(page) || !bytes.Equal(got[:len(page)], page) {
				t.Errorf("page: %d of %d bytes received", len(got), len(page))
			}
			frames := p.b.frames()
			want := [][]byte{frameTSI, frameDCS, frameEOP, frameDCN}
			if len(frames) != len(want) {
				t.Fatalf("receiver got %d frames", len(frames))
			}
			for i := range want {
				if !bytes.Equal(frames[i].Data, want[i]) || !frames[i].FCSOK {
					t.Errorf("frame %d: %x ok=%v, want %x", i, frames[i].Data, frames[i].FCSOK, want[i])
				}
			}
			if sa.got[0] != "CONNECT3 frame OK" {
				t.Errorf("ATD: %q", sa.got[0])
			}
		})
	}
}
