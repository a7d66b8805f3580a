// Package v27ter implements the ITU-T V.27 ter modem as fax uses it:
// 4800 bit/s (1600 baud, 8-phase differential PSK, tribits) and 2400 bit/s
// (1200 baud, 4-phase differential PSK, dibits) on an 1800 Hz carrier, with
// the self-synchronising scrambler 1 + x^-6 + x^-7 and its guard against
// repetitive patterns, and the long and short synchronizing sequences of
// V.27 ter §2.5 (Table 3): continuous 180° reversals, the equalizer
// conditioning pattern and scrambled binary ones.
//
// A [Transmitter] pulls data bits from a dsp.BitSource and writes 8 kHz
// samples; a [Receiver] consumes samples and pushes bits and status changes.
// Both are clocked only by the samples they are given.
//
// The receiver is coherent: it treats the differential PSK as a fixed
// constellation after training, with a fractionally spaced LMS equalizer,
// Gardner symbol timing, and a second-order carrier loop. Unlike spandsp's
// receiver it never parks on a failed start: noise that happens to look like
// the start of a training sequence costs at most a few tens of symbols, after
// which the receiver is hunting again.
//
// Where V.27 ter leaves a choice, this package follows what fax equipment
// (and spandsp, the reference peer in our tests) does: no talker-echo
// protection tone unless asked for, and an equalizer conditioning pattern
// that takes the first of every three scrambler output bits at both rates.
package v27ter
