package tone

import (
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/internal/spandsp"
)

// TestSpandspTones: spandsp's CNG and CED are found by our detectors, and
// ours by spandsp's (modem_connect_tones), at about the same time.
func TestSpandspTones(t *testing.T) {
	h := spandsp.Require(t)
	tests := []struct {
		tone     spandsp.Tone
		code     int
		cfg      DetectorConfig
		ours     GeneratorConfig
		nSamples int
	}{
		{spandsp.CNG, spandsp.ToneCNG, CNGDetector(), CNG(0), 8 * dsp.SampleRate},
		{spandsp.CED, spandsp.ToneANS, CEDDetector(), CED(0), 5 * dsp.SampleRate},
	}
	for _, tc := range tests {
		t.Run(string(tc.tone), func(t *testing.T) {
			theirs := h.ToneTransmit(t, tc.tone, tc.nSamples)
			ev := detect(tc.cfg, theirs)
			if len(ev) == 0 || !ev[0].Present {
				t.Fatalf("our detector on spandsp's %s: %+v", tc.tone, ev)
			}
			t.Logf("spandsp's %s: ours detects at %d (%.1f dBm0)", tc.tone, ev[0].At, ev[0].LevelDBm0)

			ours := append(generate(tc.ours, tc.nSamples), make([]int16, 800)...)
			rep := h.ToneDetect(t, tc.tone, ours)
			found := false
			for _, r := range rep {
				if r.Tone == tc.code {
					found = true
					t.Logf("our %s: spandsp detects at %d (%d dBm0)", tc.tone, r.At, r.Level)
					break
				}
			}
			if !found {
				t.Errorf("spandsp does not detect our %s: %+v", tc.tone, rep)
			}
		})
	}
}
