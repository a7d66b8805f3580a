// Package t30 is softfax's own fax terminal: a T.30 session (ITU-T T.30,
// phases A to E, with the error correction mode of Annex A) that drives a
// modem.Engine directly, without a pty or an AT interpreter in between.
//
// A Session is a caller or an answerer, and a sender or a receiver. It reads
// pages to send from a PageSource (rows of t4.Page, coded MH, MR or MMR as
// negotiated) and hands received pages to a PageSink. It exposes the audio
// side of its engine (Receive and Transmit, the shapes line.Engine wants),
// so a line runner plays it over an IAX2 call and a test wires two sessions
// back to back on the sample clock.
//
// Like the modem and dsp layers below it, the session never reads the wall
// clock: the T.30 timers T1 to T5 count received samples.
//
// The negotiation frames are value types with Marshal and Unmarshal: Frame
// (address, control, FCF, information field), DIS (also DTC) and DCS, whose
// fields are the bits of T.30 Table 2 that softfax supports, one Go field per
// capability.
package t30
