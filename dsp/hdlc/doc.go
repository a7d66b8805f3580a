// Package hdlc frames T.30 messages for the fax modems: flags, zero-bit
// insertion, the 16-bit frame check sequence and aborts (ITU-T T.30 §5.3
// and ISO/IEC 13239, formerly ISO 3309; the FCS is the CRC-16 of ITU-T
// V.42 §8.1.1.6.1).
//
// It sits on top of any bit modem: an [Encoder] pulls frames from a
// [FrameSource] and is itself a dsp.BitSource for a transmitter (V.21
// channel 2 for T.30 control frames, the high-speed modems for ECM); a
// [Decoder] is a dsp.BitSink for a receiver and reports each frame with
// its FCS verdict, plus the flags that tell T.31's +FRH that a frame is
// coming. Bits are sent least significant bit first, as HDLC requires.
package hdlc
