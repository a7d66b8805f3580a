// Package v29 implements the ITU-T V.29 modem as fax uses it: 9600, 7200
// and 4800 bit/s over a 1700 Hz carrier at 2400 baud, half duplex.
//
// The Transmitter sends the synchronizing signals of V.29 (segment 1:
// silence; segment 2: ABAB alternations; segment 3: the equalizer
// conditioning pattern CDCD... chosen by the 1+x^-6+x^-7 generator;
// segment 4: scrambled binary ones), then the data, scrambled by
// 1+x^-18+x^-23 and differentially phase encoded (Table 1/V.29),
// then a short trailer of scrambled ones.
//
// The Receiver detects the carrier with hysteresis, recovers symbol timing
// (Gardner) on the ABAB segment, estimates level, phase and frequency
// offset from it, finds the start of segment 3 and trains its fractionally
// spaced equalizer on the known CDCD pattern, checks the scrambled ones of
// segment 4, and then decodes data decision-directed while tracking carrier
// phase (PLL) and timing. Once trained, it reports the carrier gone when
// the power falls 12 dB below what it trained on (or below the configured
// off level), so it also ends on lines noisier than that level. Status
// changes are reported at the sample where they are decided. A failed
// training is reported once per carrier; the receiver keeps looking for a
// training on the same carrier, since what failed may have been noise.
//
// Both are built on dsp/internal/qam and clocked only by samples.
package v29
