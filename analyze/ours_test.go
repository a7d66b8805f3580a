package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
)

// ourCall runs two softfax T.30 sessions back to back through dsp/linesim
// (caller sends, answerer receives) and records the answerer's side with
// line.WAVWriter, as a line does: left what it hears, right what it sends.
// It returns the WAV file and the frames each session sent, in order.
func ourCall(t *testing.T, send, recv t30.Config, pages []*t4.Page, imp linesim.Impairments) ([]byte, t30.Result, t30.Result) {
	t.Helper()
	send.Role, send.Caller, send.Source, send.LocalID = t30.Sender, true, &t30.Pages{List: pages}, "+1 555 0100"
	recv.Role, recv.Caller, recv.Sink, recv.LocalID = t30.Receiver, false, &t30.Collector{}, "+1 555 0199"
	a, err := t30.NewSession(send)
	if err != nil {
		t.Fatal(err)
	}
	b, err := t30.NewSession(recv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "call.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec, err := line.NewWAVWriter(f, 2)
	if err != nil {
		t.Fatal(err)
	}
	imp2 := imp
	imp2.Seed++
	ab, ba := linesim.New(imp), linesim.New(imp2)
	bufA, bufB := make([]int16, 160), make([]int16, 160)
	var toB, toA []int16
	for n := 0; n < 180*8000/160; n++ {
		if a.Done() && b.Done() {
			break
		}
		a.Transmit(bufA)
		b.Transmit(bufB)
		toB = ab.Apply(toB[:0], bufA)
		toA = ba.Apply(toA[:0], bufB)
		b.Receive(toB)
		a.Receive(toA)
		if err := rec.Write(toB, bufB); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	wav, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return wav, a.Result(), b.Result()
}

// TestOurEngines analyzes calls between two softfax sessions recorded
// through the line, and checks the analysis against what the sessions
// themselves report.
func TestOurEngines(t *testing.T) {
	pages := []*t4.Page{testPage(t, 5, 150), testPage(t, 6, 100)}
	cases := []struct {
		name string
		send t30.Config
		imp  linesim.Impairments
		// noisy: the noise sits at the modems' carrier-off threshold, so
		// the sessions themselves may stumble (a missed PPS, a PPR): the
		// analysis may then report problems, but must still follow the
		// call to its end.
		noisy bool
	}{
		{"V17", t30.Config{}, linesim.Impairments{Seed: 1}, false},
		{"V17-ECM-ulaw-noise", t30.Config{ECM: true}, linesim.Impairments{Law: g711.Ulaw, GainDB: -3, NoiseDBm0: linesim.Noise(-45), Seed: 2}, true},
		{"V29", t30.Config{Modulations: []modem.Modulation{modem.V29_9600}}, linesim.Impairments{Law: g711.Alaw, Seed: 3}, false},
		{"V27ter-ECM", t30.Config{ECM: true, Modulations: []modem.Modulation{modem.V27ter4800}}, linesim.Impairments{Seed: 4}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			recv := t30.Config{ECM: tc.send.ECM}
			wav, rs, rr := ourCall(t, tc.send, recv, pages, tc.imp)
			if rs.Err != nil || rr.Err != nil {
				t.Fatalf("the call itself failed: sender %v, receiver %v", rs.Err, rr.Err)
			}
			r, err := File(wav)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			r.WriteText(&out)
			t.Logf("\n%s", out.String())
			if !r.Complete || r.Pages != rr.Pages || (len(r.Problems) != 0 && !tc.noisy) {
				t.Errorf("analysis: complete %v, %d pages (receiver got %d), problems %q", r.Complete, r.Pages, rr.Pages, r.Problems)
			}
			dcs := 0
			for _, e := range r.Events {
				if e.FCF() == t30.FCFDCS {
					dcs++
					if !strings.HasPrefix(e.Detail, rs.Modulation.String()) {
						t.Errorf("DCS %q, the sender used %v", e.Detail, rs.Modulation)
					}
				}
			}
			if dcs == 0 {
				t.Error("no DCS")
			}
			checkPages(t, r, pages[0].Height, pages[1].Height)
		})
	}
}
