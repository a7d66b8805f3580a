// Package tone generates and detects the fax connect tones and measures
// signal power.
//
// CNG, the calling tone, is 1100 Hz sent 0.5 s on, 3 s off by the calling
// fax (T.30 §4.1.2, §5.2.1); CED, the called station identification, is
// 2100 Hz sent for 2.6 to 4 s by the answering fax (T.30 §4.1.3, the V.25
// answer tone without phase reversals). A [Generator] produces either; a
// [Detector] finds either with Goertzel filters, applying the timing rules
// (minimum on-time, CNG's cadence), a level threshold in dBm0 and a purity
// test (most of the energy at the tone's frequency) so that V.21, other
// modem signals or speech are not mistaken for a connect tone. A
// [PowerMeter] gives receivers a smoothed level in dBm0.
package tone
