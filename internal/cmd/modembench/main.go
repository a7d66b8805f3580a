// Command modembench compares softfax's modems with spandsp's on the same
// signals: (a) speed, as multiples of real time on one core, transmit and
// receive; (b) bit error rate against signal-to-noise ratio (white noise,
// G.711 mu-law in the loop) and the SNR each receiver needs for a BER
// below 1e-5. bench/modems.sh runs it.
//
// Each modem is one [Row] (see rows.go); a modem package adds its own row.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/softfax/softfax/dsp"
	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/dsp/linesim"
	"github.com/softfax/softfax/internal/spandsp"
)

// Row is one modem at one rate, with constructors for our transmitter and
// receiver.
type Row struct {
	Name  string       // e.g. "V.29 9600"
	Spec  spandsp.Spec // the same modem in spandsp
	NewTx func(src dsp.BitSource) (dsp.Transmitter, error)
	NewRx func(sink dsp.BitSink) (dsp.Receiver, error)
	// BERBits overrides -bits (a BER below 1e-5 needs at least 1e5 bits).
	BERBits int
}

func main() {
	var (
		seconds = flag.Float64("seconds", 30, "seconds of audio per speed measurement")
		nbits   = flag.Int("bits", 100000, "bits per BER point")
		snrs    = flag.String("snr", "10:30:2", "SNR range in dB, from:to:step")
		only    = flag.String("run", "", "regexp selecting rows by name")
		skip    = flag.Bool("nober", false, "skip the BER measurements")
		rounds  = flag.Int("rounds", 5, "speed: alternating rounds of ours and spandsp's, each side's fastest kept")
	)
	flag.Parse()
	runtime.GOMAXPROCS(1) // one core, like spandsp's single thread
	if err := run(context.Background(), *seconds, *rounds, *nbits, *snrs, *only, *skip); err != nil {
		slog.Error("modembench", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, seconds float64, rounds, nbits int, snrSpec, only string, noBER bool) error {
	h, err := spandsp.Build()
	if err != nil {
		return err
	}
	re, err := regexp.Compile(only)
	if err != nil {
		return fmt.Errorf("-run: %w", err)
	}
	snrList, err := parseRange(snrSpec)
	if err != nil {
		return err
	}
	var selected []Row
	for _, r := range rows() {
		if re.MatchString(r.Name) {
			selected = append(selected, r)
		}
	}

	if rounds < 1 {
		return fmt.Errorf("-rounds %d: want at least 1", rounds)
	}
	fmt.Printf("(a) speed, multiples of real time on one core (CPU time), %.0f s of audio;\n"+
		"%d rounds alternating ours and spandsp's, the same runs each; each side's fastest round\n", seconds, rounds)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "modem\tours tx\tspandsp tx\ttx ratio\tours rx\tspandsp rx\trx ratio\t")
	for _, r := range selected {
		s, err := speed(ctx, h, r, seconds, rounds)
		if err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
		fmt.Fprintf(w, "%s\t%.0fx\t%.0fx\t%.2f\t%.0fx\t%.0fx\t%.2f\t\n", r.Name,
			s.ourTx, s.theirTx, s.ourTx/s.theirTx, s.ourRx, s.theirRx, s.ourRx/s.theirRx)
	}
	w.Flush()
	fmt.Println("ratio = ours / spandsp; above 1 means softfax is faster")
	if noBER {
		return nil
	}

	fmt.Printf("\n(b) bit error rate vs SNR (white noise over 0-4 kHz from the signal's start, mu-law),\n" +
		"spandsp's transmitter, both receivers on the same signal (spandsp's with its fax engine's carrier cutoffs)\n")
	for _, r := range selected {
		if err := ber(ctx, h, r, nbits, snrList); err != nil {
			return fmt.Errorf("%s: %w", r.Name, err)
		}
	}
	return nil
}

func parseRange(s string) ([]float64, error) {
	f := strings.Split(s, ":")
	if len(f) != 3 {
		return nil, fmt.Errorf("-snr %q: want from:to:step", s)
	}
	var v [3]float64
	for i := range f {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return nil, fmt.Errorf("-snr %q: %w", s, err)
		}
		v[i] = x
	}
	if v[2] <= 0 {
		return nil, fmt.Errorf("-snr %q: step must be positive", s)
	}
	var out []float64
	for x := v[0]; x <= v[1]+1e-9; x += v[2] {
		out = append(out, x)
	}
	return out, nil
}

func randomBits(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(2))
	}
	return b
}

// leadIn is sent before the measured bits: 64 bits of HDLC flags, as a
// V.21 transmission starts, so that a receiver still raising its carrier
// detector does not lose measured bits. The comparison skips it.
var leadIn = func() []byte {
	b := make([]byte, 64)
	for i := range b {
		b[i] = 0x7E >> (i % 8) & 1
	}
	return b
}()

func withLeadIn(bits []byte) []byte {
	return append(append([]byte(nil), leadIn...), bits...)
}

func sliceSource(bits []byte) dsp.BitSource {
	i := 0
	return func() (int, bool) {
		if i == len(bits) {
			return 0, false
		}
		i++
		return int(bits[i-1]), true
	}
}

// cpuTime returns the CPU time used by this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func transmit(r Row, bits []byte) ([]int16, error) {
	tx, err := r.NewTx(sliceSource(bits))
	if err != nil {
		return nil, err
	}
	out := make([]int16, 0, len(bits)*dsp.SampleRate/max(r.Spec.Rate, 300)+dsp.SampleRate)
	buf := make([]int16, 160)
	for {
		n := tx.Transmit(buf)
		out = append(out, buf[:n]...)
		if n < len(buf) {
			return out, nil
		}
		if len(out) > 3600*dsp.SampleRate {
			return nil, fmt.Errorf("transmitter does not stop")
		}
	}
}

// demodulate runs r's receiver over samples in blocks of 160 (20 ms),
// handing each bit to sink.
func demodulate(r Row, samples []int16, sink dsp.BitSink) error {
	rx, err := r.NewRx(sink)
	if err != nil {
		return err
	}
	for k := 0; k < len(samples); k += 160 {
		rx.Receive(samples[k:min(k+160, len(samples))])
	}
	return nil
}

func receive(r Row, samples []int16) ([]byte, error) {
	var got []byte
	err := demodulate(r, samples, func(b int) { got = append(got, byte(b)) })
	return got, err
}

// receiveCount demodulates samples as receive does, counting the bits
// instead of keeping them: the speed measurement's receiver, like
// spandsp's in the helper.
func receiveCount(r Row, samples []int16) (int, error) {
	n := 0
	err := demodulate(r, samples, func(int) { n++ })
	return n, err
}

type speeds struct{ ourTx, theirTx, ourRx, theirRx float64 }

func bitRate(r Row) int {
	if r.Spec.Modem == "v21" {
		return 300
	}
	return r.Spec.Rate
}

// calibrate returns how many runs of f take at least 100 ms of CPU time
// (at least 3, as spandsp's side is timed over the same count).
func calibrate(f func() error) (int, error) {
	reps := 0
	start := cpuTime()
	for reps < 3 || cpuTime()-start < 100*time.Millisecond {
		if err := f(); err != nil {
			return 0, err
		}
		reps++
	}
	return reps, nil
}

// timeOurs returns the CPU time of reps runs of f.
func timeOurs(reps int, f func() error) (time.Duration, error) {
	start := cpuTime()
	for range reps {
		if err := f(); err != nil {
			return 0, err
		}
	}
	return cpuTime() - start, nil
}

// fastest runs rounds that alternate reps runs of ours with theirs (which
// times spandsp's side over as many runs) and returns each side's fastest
// round.
func fastest(rounds, reps int, ours func() error, theirs func() (time.Duration, error)) (bestOurs, bestTheirs time.Duration, err error) {
	bestOurs, bestTheirs = time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for range rounds {
		d, err := timeOurs(reps, ours)
		if err != nil {
			return 0, 0, err
		}
		bestOurs = min(bestOurs, d)
		if d, err = theirs(); err != nil {
			return 0, 0, err
		}
		bestTheirs = min(bestTheirs, d)
	}
	return bestOurs, bestTheirs, nil
}

// speed measures both sides in rounds that alternate ours and spandsp's,
// the same number of runs each, and keeps each side's fastest round: on a
// shared machine the load only ever adds time, so the minimum is the
// closest to the code's own cost, and alternating exposes both sides to
// the same spells of load.
func speed(ctx context.Context, h *spandsp.Helper, r Row, seconds float64, rounds int) (speeds, error) {
	var s speeds
	bits := randomBits(int(seconds*float64(bitRate(r))), 1)

	var sig []int16
	tx := func() (err error) {
		sig, err = transmit(r, bits)
		return err
	}
	reps, err := calibrate(tx)
	if err != nil {
		return s, err
	}
	var n int
	ours, theirs, err := fastest(rounds, reps, tx, func() (d time.Duration, err error) {
		// spandsp, transmit: the same number of bits.
		d, n, err = h.TimeTransmit(ctx, r.Spec, len(bits), reps)
		return d, err
	})
	if err != nil {
		return s, err
	}
	audio := float64(len(sig)) / dsp.SampleRate
	s.ourTx = audio * float64(reps) / ours.Seconds()
	s.theirTx = float64(n) / dsp.SampleRate * float64(reps) / theirs.Seconds()

	// Both receivers on our transmitter's signal through a mu-law line.
	sig = linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(-60), Seed: 1}).Apply(nil, sig)
	// Ours counts the bits and spandsp's helper drops them (put_bit_null):
	// neither side's time includes keeping them.
	rx := func() error {
		_, err := receiveCount(r, sig)
		return err
	}
	if reps, err = calibrate(rx); err != nil {
		return s, err
	}
	ours, theirs, err = fastest(rounds, reps, rx, func() (time.Duration, error) {
		return h.TimeReceive(ctx, r.Spec, sig, reps)
	})
	if err != nil {
		return s, err
	}
	s.ourRx = audio * float64(reps) / ours.Seconds()
	s.theirRx = audio * float64(reps) / theirs.Seconds()
	return s, nil
}

func ber(ctx context.Context, h *spandsp.Helper, r Row, nbits int, snrs []float64) error {
	if r.BERBits > 0 {
		nbits = r.BERBits
	}
	if nbits < 100000 {
		slog.Warn("fewer than 1e5 bits: 'BER < 1e-5' means no errors seen", "modem", r.Name, "bits", nbits)
	}
	bits := randomBits(nbits, 2)
	clean, err := h.Transmit(ctx, []spandsp.TxSegment{{Spec: r.Spec, Bits: withLeadIn(bits)}})
	if err != nil {
		return err
	}
	// Noise starts with the signal: spandsp's V.27ter transmitter opens
	// with 20 ms of silence (V.27ter Table 3, segment 2), and noise alone
	// there can make its receiver declare a carrier, fail training and
	// never retry; that would measure the silence, not the modem.
	for len(clean) > 0 && clean[0] == 0 {
		clean = clean[1:]
	}
	var ms float64
	for _, v := range clean {
		ms += float64(v) * float64(v)
	}
	level := dsp.PowerDBm0(ms / float64(len(clean)))
	clean = append(clean, make([]int16, 800)...)

	fmt.Printf("\n%s, %d bits per point, signal %.1f dBm0\n", r.Name, nbits, level)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "SNR dB\tours BER\tspandsp BER\t")
	ourNeed, theirNeed := math.NaN(), math.NaN()
	// Scan from the best SNR down: the threshold is the lowest SNR from
	// which every higher point is below 1e-5.
	ourOK, theirOK := true, true
	lines := make([]string, len(snrs))
	for i := len(snrs) - 1; i >= 0; i-- {
		snr := snrs[i]
		line := linesim.New(linesim.Impairments{Law: g711.Ulaw, NoiseDBm0: linesim.Noise(level - snr), Seed: uint64(i + 1)})
		sig := line.Apply(nil, clean)
		got, err := receive(r, sig)
		if err != nil {
			return err
		}
		ourBER := rate(bits, got)
		ourTxt := fmtBER(ourBER, nbits, len(got))
		theirBER, res, err := h.BitErrorRate(ctx, faxCutoff(r.Spec), sig, bits)
		if err != nil {
			return err
		}
		theirTxt := fmtBER(theirBER, nbits, len(res.Bits))
		if ourOK = ourOK && ourBER < 1e-5; ourOK {
			ourNeed = snr
		}
		if theirOK = theirOK && theirBER < 1e-5; theirOK {
			theirNeed = snr
		}
		lines[i] = fmt.Sprintf("%.0f\t%s\t%s\t", snr, ourTxt, theirTxt)
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	w.Flush()
	fmt.Printf("SNR needed for BER < 1e-5 (within %.0f-%.0f dB): ours %s, spandsp %s\n",
		snrs[0], snrs[len(snrs)-1], fmtNeed(ourNeed, snrs[0]), fmtNeed(theirNeed, snrs[0]))
	return nil
}

// rate aligns got on sent and returns the bit error rate, counting missing
// bits as errors.
func rate(sent, got []byte) float64 {
	errs, n, _ := spandsp.BitErrors(sent, got, 2000)
	errs += len(sent) - n
	return float64(errs) / float64(len(sent))
}

// fmtBER formats a bit error rate measured over n bits, of which the
// receiver delivered got.
func fmtBER(b float64, n, got int) string {
	switch {
	case got < n/10:
		return "no train"
	case b == 0:
		return fmt.Sprintf("<%.0e", 1/float64(n))
	}
	return fmt.Sprintf("%.1e", b)
}

func fmtNeed(snr, lowest float64) string {
	switch {
	case math.IsNaN(snr):
		return "more than the range"
	case snr == lowest:
		return fmt.Sprintf("%.0f dB or less", snr)
	}
	return fmt.Sprintf("%.0f dB", snr)
}

// faxCutoff sets spec's carrier cutoff as spandsp's fax engine does.
func faxCutoff(spec spandsp.Spec) spandsp.Spec {
	spec.Cutoff = spandsp.FaxCutoff
	if spec.Modem == "v21" {
		spec.Cutoff = spandsp.FaxCutoffV21
	}
	return spec
}
