package qam

// TaperedRRC is the pulse the Shaper and Demodulator use: the root-raised-
// cosine at t symbol periods, roll-off beta, truncated to span symbols with
// a soft taper. Exported for transmitters that fold the pulse and the
// carrier into one table (V.27 ter's 1800 Hz carrier and symbol clock
// repeat every 40 samples).
func TaperedRRC(t, beta float64, span int) float64 { return taperedRRC(t, beta, span) }
