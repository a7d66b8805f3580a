// Package qam holds the machinery shared by the fax QAM/PSK modems (V.27ter,
// V.29, V.17): complex baseband arithmetic, root-raised-cosine pulse
// shaping for transmitters (Shaper at baseband, the reference; Modulator,
// which sends each symbol as a precomputed passband waveform of its point,
// from Waveforms made once per modem and rate), a table-driven carrier
// oscillator (NCO), and the receiver chain
//
//	samples -> CarrierDetect (power with hysteresis)
//	        -> Demodulator (mix to baseband, RRC matched filter that
//	           interpolates at any fractional time: T/2 samples)
//	        -> AGC (scales them to unit power while hunting, then holds)
//	        -> Gardner (symbol timing error, drives the Demodulator's clock)
//	        -> Equalizer (T/2 fractionally spaced, complex LMS)
//	        -> PLL (decision-directed carrier phase and frequency)
//	        -> Slicer (nearest constellation point, grid accelerated)
//
// with Track doing the per-symbol equalizer and PLL update, and Diverged
// the check that the loops have run away on a signal that is not theirs.
// The scramblers are in dsp/internal/scrambler.
//
// Each piece is a plain value with explicit state, clocked by samples; none
// reads the wall clock, allocates after construction, or calls math.Sin per
// sample. The modem packages own the state machines (training detection,
// decisions, differential decoding, scramblers); this package owns only what
// is the same for all of them.
package qam
