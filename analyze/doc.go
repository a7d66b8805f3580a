// Package analyze decodes a recorded fax call into a timeline a fax
// administrator can read: the connect tones (CNG, CED), every T.30 control
// frame heard on V.21 with DIS, DTC and DCS spelled out in words, each
// high-speed transmission (which modem trained, when, for how long), the TCF
// check's quality (ones among the zeros), ECM blocks (FCD frame numbers,
// PPS, PPR), page statistics (rows and bad rows, decoded with t4's streaming
// decoder in the DCS's coding and width) and a diagnosis of where the call
// went wrong: FTT after TCF, a command left unanswered, RTN, a DCN before the
// end of the document, a recording that stops without DCN.
//
// It is a top-level package rather than part of t30 because it is a
// consumer of every layer — WAV files (line), tones and modems (dsp), frames
// (t30), page coding (t4) — like cmd/softfax, and none of those layers
// depends on it. `softfax analyze CALL.wav` is its front end.
//
// The analysis runs in two passes. The first demodulates each channel of
// the recording on its own, running the V.21 receiver, both tone detectors
// and the high-speed receivers side by side over the same samples; which
// high-speed receivers listen is chosen by the last DCS heard on that
// channel (all three families until there is one), and the one that reports
// Trained first owns the transmission. The second pass merges the channels'
// findings in time order and interprets them as T.30 does: a transmission
// after DCS is TCF, after CFR a page (or an ECM block when the DCS chose
// ECM).
//
// Directions are told from the frames themselves (T.30 §5.3.6.1): the X bit
// is set by the station that received DIS, the calling station in every
// call that is not a poll; DIS, CSI and NSF come from the called station.
// In a stereo recording each channel is attributed to the station whose
// frames it carries.
//
// Like the dsp layer it reads no clock: every time is a sample index of the
// recording.
package analyze
