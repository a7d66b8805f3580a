package v17

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

// symbolTrace returns the transmitter's symbols as text: training points
// as letters (A B C D), data symbols as labels in hex, TEP and silence as
// '-', 64 symbols a line.
func symbolTrace(t *testing.T, cfg Config, bits []byte) string {
	t.Helper()
	i := 0
	tx, err := NewTransmitter(cfg, func() (int, bool) {
		if i == len(bits) {
			return 0, false
		}
		i++
		return int(bits[i-1]), true
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	n := 0
	for {
		training := tx.stage < qam.TxSeg4
		s := symbolPoint(tx, tx.nextSymbol())
		if tx.stage == qam.TxDone {
			break
		}
		switch {
		case s == (point{}):
			b.WriteByte('-')
		case training:
			for k, p := range trainingPoints {
				if p == s {
					b.WriteByte("ABCD"[k])
				}
			}
		default:
			for label, p := range tx.p.points {
				if p == s {
					fmt.Fprintf(&b, " %02x", label)
				}
			}
		}
		if n++; n%64 == 0 {
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	return b.String()
}

// TestGoldenSymbols pins the exact symbol sequences (training segments,
// trellis-coded data, trailer) that spandsp's receiver accepts, so a change
// shows up even where the spandsp interop tests cannot run. Rewrite with
// go test -run Golden -update after a deliberate change.
func TestGoldenSymbols(t *testing.T) {
	bits := randomBits(17, 600)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"long-14400", Config{Rate: Rate14400}},
		{"short-14400", Config{Rate: Rate14400, ShortTrain: true}},
		{"short-12000", Config{Rate: Rate12000, ShortTrain: true}},
		{"short-9600", Config{Rate: Rate9600, ShortTrain: true}},
		{"short-7200-tep", Config{Rate: Rate7200, ShortTrain: true, TEP: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := symbolTrace(t, tc.cfg, bits)
			path := filepath.Join("testdata", "symbols-"+tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("symbols differ from %s (run with -update after a deliberate change)", path)
			}
		})
	}
}

// symbolPoint returns the point of the transmitter's symbol index i.
func symbolPoint(tx *Transmitter, i int) point {
	switch {
	case i < tx.train:
		return tx.p.points[i]
	case i < tx.train+len(trainingPoints):
		return trainingPoints[i-tx.train]
	}
	return point{}
}
