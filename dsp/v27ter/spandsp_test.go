package v27ter

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/internal/spandsp"
)

// randomBits returns n random bits, one per byte.
func randomBits(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 27))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(2))
	}
	return b
}

// transmit returns our transmission of bits.
func transmit(t testing.TB, cfg TxConfig, bits []byte) []int16 {
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
	var out []int16
	buf := make([]int16, 160)
	for {
		n := tx.Transmit(buf)
		out = append(out, buf[:n]...)
		if n < len(buf) {
			return out
		}
	}
}

// TestSpandspV27terTransmit sends our signal to spandsp's receiver, which
// must train and return every data bit.
func TestSpandspV27terTransmit(t *testing.T) {
	h := spandsp.Require(t)
	for _, rate := range []int{Rate4800, Rate2400} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			bits := randomBits(20000, uint64(rate))
			samples := transmit(t, TxConfig{Rate: rate, Level: DefaultLevel}, bits)
			got, events := h.Demodulate(t, spandsp.Spec{Modem: "v27ter", Rate: rate}, samples)
			trained := false
			for _, e := range events {
				if e.Status == dsp.Trained {
					trained = true
				}
			}
			if !trained {
				t.Fatalf("spandsp did not train: %v", events)
			}
			errs, n, off := spandsp.BitErrors(bits, got, 64)
			t.Logf("events %v; %d bits compared at offset %d", events, n, off)
			if errs != 0 || n != len(bits) {
				t.Errorf("%d bit errors in %d bits (want 0 in %d)", errs, n, len(bits))
			}
		})
	}
}

// TestSpandspV27terReceive feeds spandsp's transmission, through a mu-law
// line, to our receiver, which must train once and return every data bit.
func TestSpandspV27terReceive(t *testing.T) {
	h := spandsp.Require(t)
	for _, rate := range []int{Rate4800, Rate2400} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			bits := randomBits(20000, uint64(rate)+1)
			samples := h.Modulate(t, spandsp.Spec{Modem: "v27ter", Rate: rate}, bits)
			line := linesim.New(linesim.Impairments{Law: g711.Ulaw})
			samples = line.Apply(nil, append(samples, make([]int16, 800)...))
			got, events := receiveAll(t, rate, samples)
			t.Logf("events %v", events)
			checkBits(t, bits, got, events)
		})
	}
}

// TestSpandspV27terOtherModems plays other fax modems' signals (spandsp's
// transmitters) to our receiver, which must not train on them.
func TestSpandspV27terOtherModems(t *testing.T) {
	h := spandsp.Require(t)
	others := []spandsp.Spec{
		{Modem: "v21"},
		{Modem: "v29", Rate: 9600},
		{Modem: "v29", Rate: 7200},
		{Modem: "v17", Rate: 14400},
		{Modem: "v17", Rate: 7200},
		{Modem: "v27ter", Rate: 2400},
		{Modem: "v27ter", Rate: 4800},
	}
	for _, rate := range []int{Rate4800, Rate2400} {
		for _, o := range others {
			if o.Modem == "v27ter" && o.Rate == rate {
				continue
			}
			t.Run(fmt.Sprintf("%d/%v", rate, o), func(t *testing.T) {
				samples := h.Modulate(t, o, randomBits(4000, 5))
				got, events := receiveAll(t, rate, samples)
				for _, e := range events {
					if e.s == dsp.Trained {
						t.Fatalf("trained on %v: %v", o, events)
					}
				}
				if len(got) != 0 {
					t.Errorf("%d bits from %v", len(got), o)
				}
				t.Logf("events %v", events)
			})
		}
	}
}
