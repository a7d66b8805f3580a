package qam

// TxStage is where a V.29 or V.17 transmitter is in its sequence. Both
// send a synchronizing signal of the same shape (V.17 takes it from V.29
// by way of V.32): optional talker echo protection, four segments, then
// the data; after the data come a trailer and the symbols that let the
// pulse shaper ring out.
type TxStage int

// Transmitter stages, in the order they are sent.
const (
	TxTEP     TxStage = iota // talker echo protection (optional)
	TxSeg1                   // synchronizing signal, segments 1 to 4
	TxSeg2                   //
	TxSeg3                   //
	TxSeg4                   //
	TxData                   // the source's bits
	TxTrailer                // scrambled ones after the data
	TxFlush                  // silence while the last pulses decay
	TxDone                   // nothing more to send
)
