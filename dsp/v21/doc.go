// Package v21 implements channel 2 of ITU-T V.21, the 300 bit/s FSK modem
// that carries every T.30 control message (T.30 §5.1): a mark (binary 1)
// is 1650 Hz and a space (binary 0) 1850 Hz (V.21 §2, §3).
//
// The [Transmitter] is a phase-continuous FSK generator fed by a
// dsp.BitSource (typically an hdlc.Encoder). The [Receiver] mixes the
// channel's centre, 1750 Hz, down to complex baseband, low-pass filters
// it, and takes the sign of a frequency discriminator averaged over one
// bit, sampled by a digital PLL locked to the bit transitions. Carrier
// detection follows V.21 §6: on above -43 dBm0, off below -48 dBm0. V.21
// has no training: its receiver reports only dsp.CarrierUp and
// dsp.CarrierDown, and passes bits only while the carrier is up.
package v21
