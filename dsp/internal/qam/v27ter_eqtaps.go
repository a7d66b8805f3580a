package qam

// SetTaps loads taps saved earlier from Taps (for a receiver that keeps its
// equalizer across a short training sequence), keeping the input history.
// w must have Len() taps; extra or missing taps are ignored.
func (e *Equalizer) SetTaps(w []Complex) { copy(e.w, w) }
