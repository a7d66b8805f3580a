// Package v17 is the ITU-T V.17 fax modem: 7200, 9600, 12000 and 14400
// bit/s, QAM at 2400 baud on an 1800 Hz carrier, with the 8-state
// rotationally invariant trellis code shared with V.32bis and V.33.
//
// The transmit chain is: scrambler (1 + x^-18 + x^-23) → differential
// encoder → systematic convolutional encoder adding the redundant bit Y0
// → signal mapping (V.17 signal element coding; the same tables as
// Table 1, Figure 1 and Figures 2-1 to 2-4 of V.32bis) →
// root-raised-cosine pulse shaping and modulation onto the carrier in one
// step (qam.Modulator: each symbol adds the precomputed waveform of its
// point).
//
// Before the data a transmitter sends the synchronizing signals of V.17:
// segment 1 (ABAB alternations), segment 2 (the scrambled CDBA equalizer
// conditioning pattern), segment 3 (the bridge, long train only) and
// segment 4 (trellis-coded scrambled binary ones). The long train (about
// 1.4 s) is used for TCF and the first page, the short train (about 142 ms)
// between pages, where the receiver reuses the equalizer it learned from
// the last long train: see [Receiver.Restart].
//
// The receiver mixes to baseband, recovers symbol timing (Gardner) and the
// carrier, trains a T/2 fractionally spaced LMS equalizer on the known
// training symbols, and decodes data with a soft-decision Viterbi decoder
// over the eight constellation subsets. The nearest point of each subset
// comes from rounding to the subset's lattice coset (each subset is the
// constellation's part of a coset of 4Z², 8Z² or a 45°-turned lattice),
// with a precomputed grid near the constellation's edge.
//
// Usage: [NewTransmitter] with a [Config] (rate, long or short train, level,
// optional talker echo protection) pulls bits from a dsp.BitSource and fills
// sample blocks; [NewReceiver] with a Config (rate, and the train to expect)
// pushes bits to a dsp.BitSink and reports
// CarrierUp, Trained, TrainingFailed and CarrierDown with the sample index.
// The receiver's first data bit is the first bit the transmitter took from
// its source; the trailer's scrambled ones may follow the data.
//
// Interworking details not spelled out in the figures, as spandsp and the
// fax machines it meets use them: both scramblers start segment 2 from the
// state 0x2ECDD5, and the differential encoder starts segment 4 from
// Y2Y1 = 01 (long train) or 00 (short train).
//
// Everything is clocked by samples; no allocation happens per block.
package v17
