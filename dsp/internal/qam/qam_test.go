package qam

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRRCNyquist(t *testing.T) {
	// RRC ⊛ RRC is a raised cosine: zero at every non-zero whole symbol.
	for _, beta := range []float64{0.25, 0.5, 0.75} {
		conv := func(k float64) float64 {
			var s float64
			const step = 1.0 / 64
			for u := -12.0; u <= 12; u += step {
				s += RRC(u, beta) * RRC(k-u, beta) * step
			}
			return s
		}
		c0 := conv(0)
		for k := 1.0; k <= 3; k++ {
			if r := math.Abs(conv(k) / c0); r > 0.01 {
				t.Errorf("beta %v: raised cosine at %v symbols = %.4f of peak, want ~0", beta, k, r)
			}
		}
	}
}

func TestComplex(t *testing.T) {
	a, b := Complex{1, 2}, Complex{3, -1}
	tests := []struct {
		name      string
		got, want Complex
	}{
		{"add", a.Add(b), Complex{4, 1}},
		{"sub", a.Sub(b), Complex{-2, 3}},
		{"mul", a.Mul(b), Complex{5, 5}},
		{"mulconj", a.MulConj(b), Complex{1, 7}},
		{"inv", a.Mul(a.Inv()), Complex{1, 0}},
		{"expj", Expj(math.Pi / 2), Complex{0, 1}},
	}
	for _, tt := range tests {
		if math.Abs(tt.got.Re-tt.want.Re) > 1e-12 || math.Abs(tt.got.Im-tt.want.Im) > 1e-12 {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestNCO(t *testing.T) {
	n := NewNCO(1700)
	for i := range 1000 {
		v := n.Next()
		w := Expj(2 * math.Pi * 1700 * float64(i) / 8000)
		if d := v.Sub(w).Abs(); d > 0.01 {
			t.Fatalf("sample %d: %v, want %v", i, v, w)
		}
	}
	if f := n.Frequency(); math.Abs(f-1700) > 1e-3 {
		t.Errorf("Frequency = %v", f)
	}
}

// link runs random QPSK through a Shaper and carrier, and back through a
// Demodulator with Gardner timing, an Equalizer and a PLL; it returns the
// mean squared symbol error over the last half.
func link(t *testing.T, baud, eqTaps int, freqOffset, timingOffset float64) float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	sh := NewShaper(baud, 0.5, 8)
	tx := NewNCO(1800 + freqOffset)
	demod := NewDemodulator(NewMatchedFilter(1800, float64(baud), 0.5, 6))
	demod.AdjustTiming(timingOffset)
	var g Gardner
	eq := NewEqualizer(eqTaps)
	pll := PLL{Alpha: 0.05, Beta: 0.002}
	pts := []Complex{{1, 1}, {-1, 1}, {-1, -1}, {1, -1}}
	var mse float64
	var count, syms int
	const total = 8000 * 3
	for range total {
		if sh.Tick() {
			sh.Push(pts[rng.IntN(4)])
		}
		x := sh.Sample().Mul(tx.Next()).Re * 1000
		if !demod.Push(x) {
			continue
		}
		y := demod.Output()
		eq.Push(y.Scale(1.0 / 500))
		e, sym := g.Push(y)
		if !sym {
			continue
		}
		demod.AdjustTiming(0.05 * e)
		z := pll.Derotate(eq.Output())
		d := Complex{math.Copysign(1, z.Re), math.Copysign(1, z.Im)}
		pll.Update(PhaseError(z, d))
		err := d.Sub(z)
		eq.Adapt(pll.Rotate(err), 0.01)
		syms++
		if syms > baud*3/2 {
			mse += err.Abs2()
			count++
		}
	}
	return mse / float64(count)
}

func TestLinkConverges(t *testing.T) {
	tests := []struct {
		baud         int
		freq, timing float64
	}{
		{2400, 0, 0}, {2400, 7, 0.5}, {2400, -7, -0.5}, {1600, 5, 1}, {1200, -3, 2},
	}
	for _, tt := range tests {
		mse := link(t, tt.baud, 15, tt.freq, tt.timing)
		t.Logf("baud %d freq %+v timing %+v: MSE %.2g", tt.baud, tt.freq, tt.timing, mse)
		if mse > 0.01 {
			t.Errorf("baud %d freq %+v timing %+v: MSE %.3g, want < 0.01", tt.baud, tt.freq, tt.timing, mse)
		}
	}
}

// TestGardnerLocks uses a one-tap equalizer (gain and phase only), so only
// the timing loop can remove the initial timing error.
func TestGardnerLocks(t *testing.T) {
	for _, timing := range []float64{-1.6, -0.8, 0.8, 1.6} {
		mse := link(t, 2400, 1, 0, timing)
		if mse > 0.01 {
			t.Errorf("timing %+v: MSE %.3g, want < 0.01", timing, mse)
		}
	}
}

func TestCarrierDetectHysteresis(t *testing.T) {
	c := NewCarrierDetect(-40, -45)
	sine := func(dBm0 float64, n int) (changes int) {
		a := math.Sqrt(meanSquare(dBm0) * 2)
		for i := range n {
			if c.Push(a * math.Sin(2*math.Pi*1700*float64(i)/8000)) {
				changes++
			}
		}
		return changes
	}
	if sine(-50, 800) != 0 || c.Up() {
		t.Fatal("carrier up at -50 dBm0")
	}
	if sine(-35, 800) != 1 || !c.Up() {
		t.Fatal("carrier not up at -35 dBm0")
	}
	if sine(-42, 800) != 0 || !c.Up() {
		t.Fatal("carrier dropped at -42 dBm0, between the thresholds")
	}
	if sine(-48, 800) != 1 || c.Up() {
		t.Fatal("carrier not down at -48 dBm0")
	}
	if sine(-42, 800) != 0 || c.Up() {
		t.Fatal("carrier up at -42 dBm0, between the thresholds")
	}
}

func TestZeroAllocs(t *testing.T) {
	sh := NewShaper(2400, 0.5, 8)
	demod := NewDemodulator(NewMatchedFilter(1700, 2400, 0.5, 6))
	eq := NewEqualizer(23)
	var g Gardner
	var pll PLL
	allocs := testing.AllocsPerRun(100, func() {
		for range 160 {
			if sh.Tick() {
				sh.Push(Complex{1, -1})
			}
			if demod.Push(sh.Sample().Re) {
				y := demod.Output()
				eq.Push(y)
				if e, sym := g.Push(y); sym {
					demod.AdjustTiming(e * 0.01)
					z := pll.Derotate(eq.Output())
					pll.Update(PhaseError(z, Complex{1, 1}))
					eq.Adapt(z, 0.001)
				}
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per block, want 0", allocs)
	}
}

func TestPLLRotatorStaysExact(t *testing.T) {
	var p PLL
	p.Reset(0.3, 0.02)
	for i := range 100000 {
		p.Update(0.001 * math.Sin(float64(i)))
	}
	want := Expj(-p.Phase())
	if d := p.rot.Sub(want).Abs(); d > 1e-6 {
		t.Errorf("rotator %v drifted from e^-jφ = %v by %g", p.rot, want, d)
	}
}

// TestModulatorMatchesShaper checks the tabulated waveforms against the
// Shaper and an exact carrier, for every carrier and baud rate the modems
// use, with output in odd blocks and a pause (next reports ok=false) in the
// middle of the symbols; and at a gain that takes samples beyond full
// scale, which must saturate.
func TestModulatorMatchesShaper(t *testing.T) {
	points := []Complex{{}, {3, 1}, {-1, 3}, {-3, -3}, {1, -1}, {5, 0}}
	for _, tt := range []struct {
		fc, baud, span int
		gain           float64
	}{{1700, 2400, 8, 1000}, {1800, 2400, 8, 1000}, {1800, 1600, 8, 1000}, {1800, 1200, 8, 1000}, {1800, 2400, 6, 1000},
		{1800, 2400, 8, 12000}} {
		gain := tt.gain
		m := NewModulator(NewWaveforms(tt.fc, tt.baud, 0.5, tt.span, points))
		sh := NewShaper(tt.baud, 0.5, tt.span)
		rng := rand.New(rand.NewPCG(3, 4))
		syms := make([]int, 600)
		for i := range syms {
			syms[i] = rng.IntN(len(points))
		}
		var want []float64
		for n, next := 0, 0; ; n++ {
			if sh.Tick() {
				if next == len(syms) {
					break
				}
				sh.Push(points[syms[next]])
				next++
			}
			want = append(want, gain*sh.Sample().Mul(Expj(2*math.Pi*float64(tt.fc)*float64(n)/8000)).Re)
		}
		next, limit := 0, 200
		src := func() (int, bool) {
			if next >= limit {
				return 0, false
			}
			next++
			return syms[next-1], true
		}
		var got []int16
		buf := make([]int16, 77)
		for {
			n := m.Fill(buf, gain, perSymbol(src))
			got = append(got, buf[:n]...)
			if n < len(buf) {
				if limit == len(syms) {
					break
				}
				limit = len(syms)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%+v: Fill wrote %d samples, want %d", tt, len(got), len(want))
		}
		clipped := 0
		for i := range got {
			w := min(max(want[i], -32768), 32767)
			if w != want[i] {
				clipped++
			}
			if d := float64(got[i]) - w; math.Abs(d) > 0.51 {
				t.Fatalf("%+v: sample %d = %d, want %.2f", tt, i, got[i], want[i])
			}
		}
		if tt.gain > 10000 && clipped == 0 {
			t.Errorf("%+v: no sample beyond full scale: the saturating path is not tested", tt)
		}
	}
	if NewWaveforms(1701, 2400, 0.5, 8, points) != nil {
		t.Error("1701 Hz with 2400 baud should not fit the tables")
	}
	if NewWaveforms(1800, 2400, 0.5, 8, nil) != nil {
		t.Error("no points should give no modulator")
	}
}

func TestDemodulatorSurvivesBadTiming(t *testing.T) {
	d := NewDemodulator(NewMatchedFilter(1700, 2400, 0.5, 6))
	for i := range 1000 {
		d.AdjustTiming([]float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300}[i%5])
		if !d.Push(float64(i)) {
			continue
		}
		if y := d.Output(); y.Re != y.Re {
			t.Fatal("NaN output")
		}
	}
}

func TestCarrierDetectRaiseOff(t *testing.T) {
	c := NewCarrierDetect(-45, -49)
	push := func(dBm0 float64, n int) (changes int) {
		a := math.Sqrt(meanSquare(dBm0) * 2)
		for i := range n {
			if c.Push(a * math.Sin(2*math.Pi*1700*float64(i)/8000)) {
				changes++
			}
		}
		return changes
	}
	if push(-13, 400) != 1 || !c.Up() {
		t.Fatal("no carrier at -13 dBm0")
	}
	c.RaiseOff(meanSquare(-25))
	if push(-20, 400) != 0 || !c.Up() {
		t.Fatal("carrier dropped at -20 dBm0, above the raised off level")
	}
	// Noise at -35 dBm0, above the on level but below the raised off
	// level: the carrier ends and stays down.
	if n := push(-35, 800); n != 1 || c.Up() {
		t.Fatalf("at -35 dBm0: %d changes, up %v; want the carrier down once", n, c.Up())
	}
	// A new signal 6 dB above that floor is a carrier again, and the
	// raise is gone.
	if n := push(-28, 800); n != 1 || !c.Up() {
		t.Fatalf("at -28 dBm0: %d changes, up %v; want a new carrier", n, c.Up())
	}
	if push(-47, 400) != 0 || !c.Up() {
		t.Fatal("carrier dropped at -47 dBm0: the raise outlived its carrier")
	}
}

// TestTrack: Track alone must pull a one-tap equalizer and a PLL onto a
// symbol stream that arrives with a gain, a phase and a frequency offset.
func TestTrack(t *testing.T) {
	eq := NewEqualizer(1)
	pll := PLL{Alpha: 0.1, Beta: 0.005}
	pll.Reset(0, 0)
	ch := Complex{0.5, 0.3}
	pts := []Complex{{1, 1}, {-1, 1}, {-1, -1}, {1, -1}}
	rng := rand.New(rand.NewPCG(1, 1))
	var e Complex
	for n := range 3000 {
		s := pts[rng.IntN(4)]
		eq.Push(s.Mul(ch).Mul(Expj(0.01 * float64(n))))
		e = Track(eq, &pll, pll.Derotate(eq.Output()), s, 0.05)
	}
	if e.Abs() > 1e-3 {
		t.Errorf("error after 3000 symbols: %v", e.Abs())
	}
	if f := pll.Freq(); math.Abs(f-0.01) > 1e-4 {
		t.Errorf("PLL frequency %v rad/symbol, want 0.01", f)
	}
}

// perSymbol adapts a source of one symbol at a time to Modulator.Fill.
func perSymbol(next func() (int, bool)) func([]int) int {
	return func(syms []int) int {
		for i := range syms {
			p, ok := next()
			if !ok {
				return i
			}
			syms[i] = p
		}
		return len(syms)
	}
}
