package modem

// history keeps the most recent received samples while the DTE is between
// commands, so that the receiver of a late +FRH or +FRM still gets the
// start of the signal (a V.17 training lasts 1.4 s; HylaFAX often issues
// +FRM a few hundred ms after the carrier started).
type history struct {
	buf     []int16 // ring storage, fixed capacity
	start   int     // index of the oldest sample in buf
	n       int     // samples held
	startAt int64   // sample position (receive clock) of the oldest sample
}

func newHistory(capacity int) history {
	return history{buf: make([]int16, max(capacity, 1))}
}

func (h *history) clear() { h.start, h.n = 0, 0 }

// push appends in, whose first sample is at position at.
func (h *history) push(in []int16, at int64) {
	if h.n == 0 {
		h.start, h.startAt = 0, at
	}
	c := len(h.buf)
	if len(in) >= c {
		copy(h.buf, in[len(in)-c:])
		h.start, h.n, h.startAt = 0, c, at+int64(len(in)-c)
		return
	}
	if over := h.n + len(in) - c; over > 0 {
		h.start = (h.start + over) % c
		h.n -= over
		h.startAt += int64(over)
	}
	end := (h.start + h.n) % c
	k := copy(h.buf[end:], in)
	copy(h.buf, in[k:])
	h.n += len(in)
}

// take copies the held samples, oldest first, to dst[:0] and clears the
// history; it returns them and the position of the first.
func (h *history) take(dst []int16) ([]int16, int64) {
	dst = dst[:0]
	c := len(h.buf)
	if h.start+h.n <= c {
		dst = append(dst, h.buf[h.start:h.start+h.n]...)
	} else {
		dst = append(dst, h.buf[h.start:]...)
		dst = append(dst, h.buf[:h.start+h.n-c]...)
	}
	at := h.startAt
	h.clear()
	return dst, at
}
