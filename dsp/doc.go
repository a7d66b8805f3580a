// Package dsp turns samples into bits and bits into samples: G.711, fax
// tones, the fax modems (V.21 channel 2, V.27ter, V.29, V.17) and HDLC.
//
// Everything here is clocked by samples (8000 per second of int16 linear
// audio), never by the wall clock: a transmitter fills whatever block it is
// given, a receiver consumes whatever block it is given, and every duration
// is a count of samples. That is what lets two fax engines run back to back
// in-process as fast as the CPU allows.
//
// The modems live in subpackages, one per recommendation (v21, v27ter, v29,
// v17), each with a Transmitter and a Receiver that satisfy the small
// contracts below. Steady-state processing allocates nothing.
package dsp
