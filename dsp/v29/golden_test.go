package v29

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/softfax/softfax/dsp/internal/qam"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSymbolsGolden pins the transmitted symbol sequence (training
// segments, then data from a fixed bit pattern) against testdata golden
// files: the exact V.29 line coding, independent of filters and floating
// point. Regenerate with go test -run SymbolsGolden -update after an
// intended change (and check it against spandsp: TestSpandspV29...).
func TestSymbolsGolden(t *testing.T) {
	for _, rate := range []int{9600, 7200, 4800} {
		bits := randomBits(400, 42)
		i := 0
		tx, err := NewTransmitter(Config{Rate: rate, TEP: true}, func() (int, bool) {
			if i >= len(bits) {
				return 0, false
			}
			i++
			return bits[i-1], true
		})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for n := 0; tx.stage != qam.TxDone; n++ {
			s := txPoints(rate)[tx.nextSymbol()]
			fmt.Fprintf(&b, "%d %g %g\n", n, s.Re, s.Im)
		}
		path := filepath.Join("testdata", fmt.Sprintf("symbols_%d.golden", rate))
		if *update {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != string(want) {
			gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
			for k := range min(len(gl), len(wl)) {
				if gl[k] != wl[k] {
					t.Fatalf("%d: symbol line %q, golden %q", rate, gl[k], wl[k])
				}
			}
			t.Fatalf("%d: %d symbol lines, golden %d", rate, len(gl), len(wl))
		}
	}
}
