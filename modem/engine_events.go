package modem

import "fmt"

// EventKind says what an Event reports. Each kind maps to a T.31 result or
// delivery (T.31 §8.3, §9).
type EventKind int

// Event kinds.
const (
	// Connect: the operation is under way (CONNECT). For TransmitHDLC it
	// also means "send the next frame" after each non-final frame went out.
	// During ReceiveData with adaptive reception, a Connect with Mod V21
	// reports the switch to HDLC reception (+FRH:3 then CONNECT).
	Connect EventKind = iota + 1
	// Frame: an HDLC frame received, Data without its FCS, FCS as received,
	// FCSOK its verdict. An OK or Error event follows (T.31 §8.3.5).
	Frame
	// Data: bytes received by ReceiveData, in line order (first bit
	// received is the least significant bit of the first byte).
	Data
	// OK: the operation ended normally.
	OK
	// Error: the frame just delivered had a bad FCS (ERROR), and the
	// operation ended.
	Error
	// NoCarrier: the carrier was lost (or never came after dialling), and
	// the operation ended (NO CARRIER).
	NoCarrier
	// FCError: ReceiveData heard V.21 flags instead of the modulation
	// asked for, without adaptive reception (+FCERROR).
	FCError
	// Inactive: the DTE inactivity timer (+FIT) expired while the engine
	// was idle off-hook; the driver should hang up the call.
	Inactive
)

func (k EventKind) String() string {
	switch k {
	case Connect:
		return "CONNECT"
	case Frame:
		return "frame"
	case Data:
		return "data"
	case OK:
		return "OK"
	case Error:
		return "ERROR"
	case NoCarrier:
		return "NO CARRIER"
	case FCError:
		return "+FCERROR"
	case Inactive:
		return "inactive"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one report of the engine.
type Event struct {
	Kind EventKind
	// Mod is the modulation concerned: the one connected (Connect), the
	// one a frame or data came on.
	Mod Modulation
	// Data is a frame without its FCS (Frame) or received bytes (Data). It
	// is valid until the next call of Poll.
	Data []byte
	// FCS is the frame check sequence as received, in line order, and
	// FCSOK whether it matched (Frame only). A T.31 DTE receives the frame
	// followed by these two octets.
	FCS   [2]byte
	FCSOK bool
	// At is the sample at which the event was decided: a count of received
	// samples for receive events, of transmitted samples for transmit
	// events, both from the engine's creation.
	At int64
}

func (ev Event) String() string {
	switch ev.Kind {
	case Frame:
		return fmt.Sprintf("frame(%d octets, fcs ok %v) at %d", len(ev.Data), ev.FCSOK, ev.At)
	case Data:
		return fmt.Sprintf("data(%d octets) at %d", len(ev.Data), ev.At)
	case Connect:
		return fmt.Sprintf("CONNECT %v at %d", ev.Mod, ev.At)
	}
	return fmt.Sprintf("%v at %d", ev.Kind, ev.At)
}

// Bounds of the event queue when a driver does not poll: beyond them data
// is dropped (and counted in Stats), so a stuck driver cannot make the
// engine grow without end.
const (
	maxQueuedEvents = 4096
	maxQueuedBytes  = 1 << 20
)

// queuedEvent is an Event whose data lives in the queue's arena.
type queuedEvent struct {
	kind   EventKind
	mod    Modulation
	fcs    [2]byte
	fcsOK  bool
	at     int64
	off, n int
}

// eventQueue is a FIFO of events with their data in one arena. Storage is
// reused once the queue has been drained, so steady state allocates
// nothing.
type eventQueue struct {
	evs     []queuedEvent
	head    int
	arena   []byte
	out     []byte // the data of the event last returned by pop
	dropped int    // events or octets dropped because the queue was full
}

func (q *eventQueue) len() int { return len(q.evs) - q.head }

func (q *eventQueue) reset() {
	q.evs, q.head, q.arena = q.evs[:0], 0, q.arena[:0]
}

// push queues an event with data p (copied).
func (q *eventQueue) push(kind EventKind, mod Modulation, at int64, p []byte) *queuedEvent {
	if len(q.evs)-q.head >= maxQueuedEvents || len(q.arena)+len(p) > maxQueuedBytes {
		q.dropped++
		return nil
	}
	off := len(q.arena)
	q.arena = append(q.arena, p...)
	q.evs = append(q.evs, queuedEvent{kind: kind, mod: mod, at: at, off: off, n: len(p)})
	return &q.evs[len(q.evs)-1]
}

// pushByte adds one received data byte, extending the last event when it
// is a Data event (its data is always at the end of the arena).
func (q *eventQueue) pushByte(mod Modulation, at int64, b byte) {
	if n := len(q.evs); n > q.head {
		last := &q.evs[n-1]
		if last.kind == Data && last.mod == mod {
			if len(q.arena) >= maxQueuedBytes {
				q.dropped++
				return
			}
			q.arena = append(q.arena, b)
			last.n++
			last.at = at
			return
		}
	}
	if ev := q.push(Data, mod, at, nil); ev != nil {
		q.arena = append(q.arena, b)
		ev.n = 1
	}
}

// pop removes the oldest event. Its data is copied to q.out, so that the
// arena can be reused as soon as the queue is empty.
func (q *eventQueue) pop() (Event, bool) {
	if q.head == len(q.evs) {
		return Event{}, false
	}
	r := q.evs[q.head]
	q.head++
	q.out = append(q.out[:0], q.arena[r.off:r.off+r.n]...)
	ev := Event{Kind: r.kind, Mod: r.mod, FCS: r.fcs, FCSOK: r.fcsOK, At: r.at}
	if r.kind == Frame || r.kind == Data {
		ev.Data = q.out
	}
	if q.head == len(q.evs) {
		q.reset()
	}
	return ev, true
}
