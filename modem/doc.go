// Package modem is the T.31 Class 1 fax modem engine of one call: the
// Class 1 operations (+FTH/+FRH, +FTM/+FRM, +FTS/+FRS, answer and dial
// handshakes) as Go calls, on top of the dsp modems.
//
// It sits between the dsp layer (V.21 channel 2 with HDLC, V.27 ter, V.29,
// V.17, the CNG and CED tones) and the two drivers of a fax modem: the AT
// interpreter behind a pty, which HylaFAX or efax drive as they would a
// Class 1 modem (iaxmodem's role), and package t30, which drives the engine
// directly in-process. Both see the same operations and the same events.
//
// # The sample clock
//
// The engine never reads the wall clock. Its audio side is two calls that
// the line runner makes every 20 ms (or a test makes back to back, as fast
// as the CPU allows): [Engine.Receive] with the samples heard from the far
// end and [Engine.Transmit] for the samples to send. Every timer of T.31 —
// +FTS and +FRS durations, +FCL carrier loss, +FIT inactivity, the wait for
// the far fax after dialling — counts samples.
//
// # Operations and events
//
// A DTE starts one operation at a time, from the idle state (T.31 §8.3):
// [Engine.TransmitHDLC], [Engine.ReceiveHDLC], [Engine.TransmitData],
// [Engine.ReceiveData], [Engine.TransmitSilence], [Engine.WaitSilence],
// plus [Engine.Answer] and [Engine.Originate] for the handshakes of ATA and
// ATD. The engine reports what T.31 answers as events — CONNECT, a received
// frame with its FCS verdict, received data, OK, ERROR, NO CARRIER,
// +FCERROR — which the driver drains with [Engine.Poll] after each Receive
// or Transmit and after starting an operation. Events are queued, never
// delivered by callback, so a driver never re-enters the engine.
//
// What each operation reports, in order (a pty driver prints the T.31
// result in brackets):
//
//	Answer           Connect (flags start after CED) [CONNECT], then as TransmitHDLC
//	Originate        Connect on V.21 flags [CONNECT], then as ReceiveHDLC; NoCarrier after the S7 time
//	TransmitHDLC     Connect at once; Connect after each non-final frame; OK when the carrier is off
//	                 (after a final frame, or EndHDLC [<DLE><ETX> alone])
//	ReceiveHDLC      Connect on flags; Frame [frame, FCS, <DLE><ETX>]; OK or Error [ERROR];
//	                 or NoCarrier when the carrier goes after Connect without a frame
//	                 (at a high speed also when V.21 flags are heard: the far end is back at T.30)
//	TransmitData     Connect at once; OK when the trailer has gone after EndData
//	ReceiveData      Connect once trained; Data...; NoCarrier [<DLE><ETX> NO CARRIER] on carrier
//	                 loss or V.21 flags, whichever comes first (the next +FRH=3 gets those flags);
//	                 or FCError [+FCERROR]; or, adaptive, Connect with Mod V21 [+FRH:3 CONNECT]
//	                 and then as ReceiveHDLC
//	TransmitSilence  OK
//	WaitSilence      OK
//	Abort            OK (NoCarrier while answering or dialling)
//
// Inactive [none; hang up] can come at any time off hook when +FIT is set.
//
// The behaviour follows what HylaFAX and efax rely on from a T.31 modem
// (spandsp's inside iaxmodem is the reference peer): a received frame is
// followed by OK (good FCS) or ERROR (bad FCS), and the OK after a final
// frame is held until the carrier drops; with +FAR=1 V.21 flags heard
// during +FRM switch to HDLC reception (+FRH:3); the HDLC receiver keeps
// running between +FRH commands and queues what it hears; and audio heard
// while the DTE is between commands is kept (Config.HistorySamples) and
// fed to the receiver of the next +FRH or +FRM, because DTEs are often
// late.
//
// An Engine is not safe for concurrent use: its driver serialises the
// audio calls and the operations (one goroutine, or one mutex).
//
// # The modem a DTE sees
//
// [DCE] is the AT interpreter in front of an Engine: the command set of
// HylaFAX's and efax's Class 1 drivers, DLE shielding, result codes,
// S-registers, caller ID presentation and XON/XOFF flow control. It talks
// to the telephone side through the small [Phone] interface (dial, answer,
// hang up, DTMF), so it knows nothing of IAX2; the telephone side reports
// back through [DCE.Offer], [DCE.Ring], [DCE.Progress] and [DCE.DTMF] (the
// far end's digits, shown in command state). [PTY] exposes a DCE on a
// pseudo-terminal behind a stable device symlink, as iaxmodem does, and
// [ParseIaxmodemConfig] reads iaxmodem's configuration files so that
// `softfax modem -c FILE` can replace iaxmodem unchanged.
package modem
