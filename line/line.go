package line

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/softfax/softfax/dsp/g711"
	"github.com/softfax/softfax/iax"
)

// Engine is a sample-clocked audio engine (the shapes of dsp.Receiver and
// dsp.Transmitter): a modem, a test tone, a recorder.
type Engine interface {
	Receive(in []int16)
	// Transmit fills out and returns how many samples it wrote; the rest of
	// the frame is sent as silence.
	Transmit(out []int16) int
}

// Voice is what the runner needs of a call; *iax.Call provides it.
type Voice interface {
	Format() iax.Format
	ReadAudio(dst []byte) iax.GetResult
	SendAudio(payload []byte) error
	JitterDepth() (depth, target int)
	Done() <-chan struct{}
}

// FrameSamples is the number of samples in one 20 ms frame.
const FrameSamples = 160

// Period is the nominal frame period.
const Period = 20 * time.Millisecond

// maxCatchUp is the longest stall made up for by running late steps back
// to back; the jitter buffer holds 2 s by default (iax.Config).
const maxCatchUp = 2 * time.Second

// realTimePriority is the SCHED_FIFO priority (1-99) of a RealTime loop:
// the limit the systemd unit grants (LimitRTPRIO=10).
const realTimePriority = 10

// Options tune Run.
type Options struct {
	// Record, if set, receives every frame: left the received audio as the
	// engine heard it, right what the engine transmitted.
	Record *WAVWriter
	Logger *slog.Logger
	// MaxSkew bounds the pacing correction (fraction of the period);
	// default 0.005 (5000 ppm, far beyond any real clock).
	MaxSkew float64
	// MaxFrames stops the runner after that many frames (0: until the call
	// or ctx ends).
	MaxFrames int
	// RealTime runs the 20 ms loop on an OS thread of its own at real-time
	// priority (SCHED_FIFO at realTimePriority: above normal processes,
	// below the kernel's own threads), as a PBX runs its media
	// threads. On a loaded host a normal-priority loop wakes up to 100 ms
	// late and then sends a burst of frames, which a far end that paces
	// itself by counting frames (iaxmodem) takes for clock drift. Without
	// the privilege (CAP_SYS_NICE or RLIMIT_RTPRIO) the thread runs at
	// normal priority.
	RealTime bool
}

// RunStats summarises a run.
type RunStats struct {
	Frames   int     // 20 ms ticks
	Received int     // frames that came from the far end in time
	Filled   int     // lost frames replaced by the jitter buffer's fill
	Idle     int     // ticks with nothing from the far end
	Skew     float64 // final pacing correction (positive: our ticks shortened)
	Overruns int     // stalls longer than maxCatchUp (time given up)
	// Late counts the steps that ran a period or more behind schedule (a
	// loaded host): each sends the far end a frame in a burst.
	Late    int
	MaxLate time.Duration // the latest step
}

// codec converts between 20 ms payloads and samples without allocating.
type codec struct {
	format iax.Format
	law    g711.Law
}

func newCodec(f iax.Format) (codec, error) {
	switch f {
	case iax.FormatULaw:
		return codec{f, g711.Ulaw}, nil
	case iax.FormatALaw:
		return codec{f, g711.Alaw}, nil
	case iax.FormatSLinear:
		return codec{format: f}, nil
	}
	return codec{}, fmt.Errorf("line: format %v not supported", f)
}

func (c codec) decode(dst []int16, p []byte) []int16 {
	if c.format == iax.FormatSLinear {
		// slinear is big-endian on the wire (as iaxmodem and Asterisk send it).
		for i := 0; i+1 < len(p); i += 2 {
			dst = append(dst, int16(binary.BigEndian.Uint16(p[i:])))
		}
		return dst
	}
	return c.law.Decode(dst, p)
}

func (c codec) encode(dst []byte, s []int16) []byte {
	if c.format == iax.FormatSLinear {
		for _, v := range s {
			dst = binary.BigEndian.AppendUint16(dst, uint16(v))
		}
		return dst
	}
	return c.law.Encode(dst, s)
}

// Run drives eng from v every 20 ms until the call ends, ctx ends or
// MaxFrames have passed. It returns ctx's error or nil when the call ended.
func Run(ctx context.Context, v Voice, eng Engine, opt Options) (RunStats, error) {
	r, err := newRunner(v, eng, opt)
	if err != nil {
		return RunStats{}, err
	}
	if !opt.RealTime {
		timer := time.NewTimer(0)
		defer timer.Stop()
		return r.loop(ctx, func(d time.Duration) bool {
			timer.Reset(d)
			select {
			case <-ctx.Done():
				return false
			case <-v.Done():
				return false
			case <-timer.C:
				return true
			}
		})
	}
	// The loop gets an OS thread of its own at real-time priority and
	// sleeps in the kernel, so that a loaded host's scheduler, not the Go
	// runtime's timers, wakes it on time. The thread is never unlocked: it
	// ends with the goroutine, and its priority with it.
	type result struct {
		st  RunStats
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if err := setRealTime(); err != nil {
			r.log.Info("line: real-time priority not available, running at normal priority", "err", err)
		}
		st, err := r.loop(ctx, func(d time.Duration) bool {
			sleepThread(d)
			select {
			case <-ctx.Done():
				return false
			case <-v.Done():
				return false
			default:
				return true
			}
		})
		done <- result{st, err}
	}()
	res := <-done
	return res.st, res.err
}

// loop runs a step every period; wait sleeps until the next one is due and
// reports false when the call or ctx has ended.
func (r *runner) loop(ctx context.Context, wait func(time.Duration) bool) (RunStats, error) {
	next := time.Now()
	for r.opt.MaxFrames == 0 || r.st.Frames < r.opt.MaxFrames {
		if !wait(max(0, time.Until(next))) {
			return r.stats(), ctx.Err()
		}
		if late := time.Since(next); late >= Period {
			// A step a period or more behind: the far end gets a burst.
			r.st.Late++
			r.st.MaxLate = max(r.st.MaxLate, late)
		}
		period, err := r.step()
		if errors.Is(err, iax.ErrCallEnded) {
			return r.stats(), nil
		} else if err != nil {
			return r.stats(), err
		}
		next = next.Add(period)
		if late := time.Since(next); late > maxCatchUp {
			// The host stalled for long (suspend): give up on the lost time.
			r.st.Overruns++
			next = time.Now()
		}
		// A shorter stall (a loaded host) is caught up by running the due
		// steps back to back: the far end's jitter buffer absorbs the
		// burst, and both directions keep their frame counts level.
	}
	return r.stats(), nil
}

// runner holds one call's conversion buffers, so a step allocates nothing.
type runner struct {
	v         Voice
	eng       Engine
	opt       Options
	log       *slog.Logger
	cd        codec
	rxPayload []byte
	txPayload []byte
	rx, tx    []int16
	p         pacer
	st        RunStats
}

func newRunner(v Voice, eng Engine, opt Options) (*runner, error) {
	cd, err := newCodec(v.Format())
	if err != nil {
		return nil, err
	}
	if opt.MaxSkew == 0 {
		opt.MaxSkew = 0.005
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bpf := FrameSamples * cd.format.BytesPerSample()
	r := &runner{v: v, eng: eng, opt: opt, log: log, cd: cd,
		rxPayload: make([]byte, bpf), txPayload: make([]byte, 0, bpf),
		rx: make([]int16, 0, FrameSamples), tx: make([]int16, FrameSamples)}
	r.p.maxSkew = opt.MaxSkew
	return r, nil
}

func (r *runner) stats() RunStats {
	st := r.st
	st.Skew = r.p.skew
	return st
}

// step moves one frame each way and returns the length of the next tick.
func (r *runner) step() (time.Duration, error) {
	r.st.Frames++
	switch r.v.ReadAudio(r.rxPayload) {
	case iax.GetFrame:
		r.st.Received++
	case iax.GetFilled:
		r.st.Filled++
	default:
		r.st.Idle++
	}
	r.rx = r.cd.decode(r.rx[:0], r.rxPayload)
	r.eng.Receive(r.rx)
	n := r.eng.Transmit(r.tx)
	clear(r.tx[max(0, n):])
	r.txPayload = r.cd.encode(r.txPayload[:0], r.tx)
	if err := r.v.SendAudio(r.txPayload); err != nil {
		return 0, err
	}
	if r.opt.Record != nil {
		if err := r.opt.Record.Write(r.rx, r.tx); err != nil {
			r.log.Warn("line: recording stopped", "err", err)
			r.opt.Record = nil
		}
	}
	return r.p.period(r.v.JitterDepth()), nil
}

// pacer turns the jitter buffer's depth into the next tick's length. A
// smoothed depth above target means the far end sends faster than we play:
// shorten our ticks (and so send faster too); below, lengthen them.
type pacer struct {
	avg     float64
	primed  bool
	skew    float64
	maxSkew float64
}

func (p *pacer) period(depth, target int) time.Duration {
	if depth == 0 && !p.primed {
		return Period // the far end has sent nothing yet: free-run
	}
	if !p.primed {
		p.primed = true
		p.avg = float64(target)
	}
	// ~2 s time constant: jitter averages out, clock drift does not.
	p.avg += (float64(depth) - p.avg) / 100
	p.skew = max(-p.maxSkew, min(p.maxSkew, (p.avg-float64(target))*0.002))
	return time.Duration(float64(Period) * (1 - p.skew))
}

// ErrBusy is returned when a call is offered to a line already in a call.
var ErrBusy = errors.New("line: busy")

// Line is one fax channel's call slot.
type Line struct {
	Name string
	mu   sync.Mutex
	call *iax.Call
}

// Busy reports whether the line is in a call.
func (l *Line) Busy() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.call != nil
}

// Call is the line's current call, or nil.
func (l *Line) Call() *iax.Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.call
}

// take puts c on the line; false if the line is busy.
func (l *Line) take(c *iax.Call) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.call != nil {
		return false
	}
	l.call = c
	go func() {
		<-c.Done()
		l.mu.Lock()
		if l.call == c {
			l.call = nil
		}
		l.mu.Unlock()
	}()
	return true
}

// Offer puts an incoming call on the line and accepts it (ACCEPT, RINGING);
// the driver answers it later. A line already in a call rejects it with
// cause 17 (user busy) so that the PBX moves on to its next channel.
func (l *Line) Offer(c *iax.Call) error {
	if !l.take(c) {
		_ = c.Reject(iax.CauseUserBusy)
		return ErrBusy
	}
	if err := c.Accept(); err != nil {
		return err
	}
	return c.Ring()
}

// Dial places an outgoing call on the line.
func (l *Line) Dial(e *iax.Endpoint, p iax.DialParams) (*iax.Call, error) {
	l.mu.Lock()
	busy := l.call != nil
	l.mu.Unlock()
	if busy {
		return nil, ErrBusy
	}
	c, err := e.Dial(p)
	if err != nil {
		return nil, err
	}
	if !l.take(c) {
		_ = c.Hangup(iax.CauseNormalClearing)
		return nil, ErrBusy
	}
	return c, nil
}
