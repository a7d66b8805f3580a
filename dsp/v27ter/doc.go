// Package v27ter implements the ITU-T V.27 ter modem as fax uses it
// (T.30's fall-back rates): 4800 bit/s (1600 baud, 8-phase differential
// PSK, tribits) and 2400 bit/s (1200 baud, 4-phase differential PSK,
// dibits) on an 1800 Hz carrier, with the self-synchronising scrambler
// 1 + x^-6 + x^-7 and its guard against repetitive patterns (the scrambler clause), and
// the long and short synchronizing sequences of Table 3/V.27 ter:
//
//	segment 3  continuous 180° phase reversals     50 symbols (short: 14)
//	segment 4  equalizer conditioning pattern    1074 symbols (short: 58)
//	segment 5  continuous scrambled binary ones     8 symbols
//
// Segments 1 and 2 (185-200 ms of unmodulated carrier against talker echo,
// then 20 ms of silence) are optional and, as in most fax equipment, off by
// default (Config.TEP turns them on).
//
// A [Transmitter] pulls data bits from a dsp.BitSource and writes 8 kHz
// samples: training, data, then 32 symbols of scrambled ones so the far
// receiver flushes the last data bits before the carrier stops. A
// [Receiver] consumes samples and pushes bits and status changes. Both are
// clocked only by the samples they are given and allocate nothing once
// running.
//
// The transmitter sends each symbol as the precomputed waveform of its
// point (qam.Modulator). The receiver is built on dsp/internal/qam: a
// root-raised-cosine matched filter sampled at T/2 with Gardner timing
// recovery, a 17-tap fractionally spaced LMS equalizer, and a second-order
// carrier loop; it treats the
// differential PSK as a fixed constellation once trained, and decodes the
// phase changes. It hunts for the reversals of segment 3 (estimating the
// carrier offset from their rotation), takes the first symbol that does not
// reverse as the start of segment 4, trains on the known conditioning
// pattern, and tells a short sequence from a long one by the signal itself:
// after 58 symbols of segment 4 it compares the next 8 with both "more
// conditioning pattern" and "segment 5". A short sequence reuses the
// equalizer of the previous good training.
//
// Unlike spandsp's receiver it never parks after a failed start: a false
// start on noise is dropped silently after 24 symbols if it does not
// converge, a failed training is reported (TrainingFailed) and the hunt goes
// on, and in data mode a signal that stops making sense (noise holding the
// energy up) or drops by 20 dB ends the reception (CarrierDown) at once.
//
// The conditioning pattern takes the first of every three scrambler output
// bits (0: no phase change, 1: 180°) at both rates, from the scrambler state
// 0011110, as spandsp does; interworking with spandsp is tested at both
// rates, but the 2400 bit/s reading was not checked against the text of the
// Recommendation itself.
package v27ter
