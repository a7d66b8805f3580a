package tone

import (
	"math"

	"github.com/softfax/softfax/dsp"
)

// blockLen is the Goertzel block: 10 ms. Its 100 Hz resolution keeps the
// loss at the edge of CNG's ±38 Hz tolerance to about 2 dB, while a V.21
// tone 250 Hz away from CED falls in the filter's sidelobes.
const blockLen = 80

// DetectorConfig describes what a [Detector] accepts.
type DetectorConfig struct {
	Hz float64
	// MinLevelDBm0 is the weakest tone detected; 0 selects -46 dBm0, so a
	// tone at -43 dBm0 (the bottom of T.30's receive range) is found even
	// at the edge of its frequency tolerance, where the filter loses 2 dB.
	MinLevelDBm0 float64
	// Purity is the minimum share of a block's energy that must lie at Hz
	// (0 selects 0.5: the tone at least as strong as everything else).
	Purity float64
	// MinOn is the on-time, in samples, after which the tone is declared.
	// When MaxOn is non-zero the tone is cadenced (CNG): a burst is
	// declared when it ends, if it lasted between MinOn and MaxOn.
	MinOn, MaxOn int
}

// CNGDetector accepts 1100 Hz bursts of 0.5 s ± 15 % (T.30 §4.1.2), with
// a block of slack either side.
func CNGDetector() DetectorConfig {
	return DetectorConfig{Hz: CNGHz, MinOn: 425*dsp.SampleRate/1000 - blockLen, MaxOn: 575*dsp.SampleRate/1000 + 2*blockLen}
}

// CEDDetector accepts 2100 Hz present for 400 ms; CED lasts at least 2.6 s
// (T.30 §4.1.3), speech never holds such a pure tone that long.
func CEDDetector() DetectorConfig {
	return DetectorConfig{Hz: CEDHz, MinOn: 400 * dsp.SampleRate / 1000}
}

// Event is a detector's report.
type Event struct {
	// Present is true when the tone is detected, false when a tone
	// detected earlier has ended. Cadenced tones (CNG) are reported once,
	// when a valid burst ends, and have no end event.
	Present   bool
	Start     int64   // first sample of the tone (to 10 ms)
	At        int64   // sample at which the detector decided
	LevelDBm0 float64 // mean level of the tone
}

// Detector finds one connect tone in received audio. It does not allocate.
type Detector struct {
	cfg      DetectorConfig
	report   func(Event)
	coeff    float64
	minPower float64
	purity   float64

	n       int64 // samples received
	k       int   // samples in the current block
	s1, s2  float64
	energy  float64
	on      bool  // a run of tone blocks is in progress
	start   int64 // first sample of the run
	lastOn  int64 // end of the last tone block
	misses  int   // consecutive blocks without the tone during a run
	sumPow  float64
	blocks  int
	present bool // declared (continuous tones)
}

// NewDetector returns a detector for cfg reporting to report.
func NewDetector(cfg DetectorConfig, report func(Event)) *Detector {
	if cfg.MinLevelDBm0 == 0 {
		cfg.MinLevelDBm0 = -46
	}
	if cfg.Purity == 0 {
		cfg.Purity = 0.5
	}
	return &Detector{
		cfg:      cfg,
		report:   report,
		coeff:    2 * math.Cos(2*math.Pi*cfg.Hz/dsp.SampleRate),
		minPower: MeanSquareOf(cfg.MinLevelDBm0),
		purity:   cfg.Purity,
	}
}

// Present reports whether a continuous tone is currently declared.
func (d *Detector) Present() bool { return d.present }

// Reset forgets everything heard.
func (d *Detector) Reset() {
	*d = Detector{cfg: d.cfg, report: d.report, coeff: d.coeff, minPower: d.minPower, purity: d.purity}
}

// Receive processes a block of samples of any length.
func (d *Detector) Receive(in []int16) {
	s1, s2, e, c := d.s1, d.s2, d.energy, d.coeff
	for _, x := range in {
		v := float64(x)
		s1, s2 = v+c*s1-s2, s1
		e += v * v
		d.n++
		if d.k++; d.k == blockLen {
			d.s1, d.s2, d.energy = s1, s2, e
			d.endBlock()
			s1, s2, e = 0, 0, 0
			d.k = 0
		}
	}
	d.s1, d.s2, d.energy = s1, s2, e
}

func (d *Detector) endBlock() {
	// Goertzel: |X|² = s1² + s2² - c·s1·s2; a sine of amplitude A at the
	// filter's frequency gives |X| = A·N/2, so its mean square A²/2 is
	// 2|X|²/N².
	x2 := d.s1*d.s1 + d.s2*d.s2 - d.coeff*d.s1*d.s2
	tonePow := 2 * x2 / (blockLen * blockLen)
	total := d.energy / blockLen
	hit := tonePow >= d.minPower && tonePow >= d.purity*total
	blockStart := d.n - blockLen
	if hit {
		if !d.on {
			d.on, d.start, d.sumPow, d.blocks = true, blockStart, 0, 0
		}
		d.misses = 0
		d.lastOn = d.n
		d.sumPow += tonePow
		d.blocks++
		if d.cfg.MaxOn == 0 && !d.present && d.lastOn-d.start >= int64(d.cfg.MinOn) {
			d.present = true
			d.emit(true)
		}
		return
	}
	if !d.on {
		return
	}
	// One block may fail (a click, a burst of noise) without ending the tone.
	if d.misses++; d.misses < 2 {
		return
	}
	d.on = false
	dur := d.lastOn - d.start
	switch {
	case d.cfg.MaxOn > 0:
		if dur >= int64(d.cfg.MinOn) && dur <= int64(d.cfg.MaxOn) {
			d.emit(true)
		}
	case d.present:
		d.present = false
		d.emit(false)
	}
}

func (d *Detector) emit(present bool) {
	if d.report == nil {
		return
	}
	level := math.Inf(-1)
	if d.blocks > 0 && d.sumPow > 0 {
		level = dsp.PowerDBm0(d.sumPow / float64(d.blocks))
	}
	d.report(Event{Present: present, Start: d.start, At: d.n, LevelDBm0: level})
}
