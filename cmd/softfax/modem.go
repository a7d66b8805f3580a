package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/modem"
)

// runModem runs fax modems on ptys, each described by an iaxmodem config
// file, all in this one process (iaxmodem needs a process per modem):
//
//	softfax modem -c /etc/iaxmodem/ttyIAX0 [-c /etc/iaxmodem/ttyIAX1 ...]
func runModem(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("modem", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var files multiFlag
	fs.Var(&files, "c", "iaxmodem config file (repeat for more modems)")
	identity := fs.String("identity", "softfax", "what ATI0/ATI3 answer: softfax, or iaxmodem (spandsp's strings)")
	recordDir := fs.String("record-dir", os.TempDir(), "where 'record' modems write WAV files")
	answerTimeout := fs.Duration("answer-timeout", 90*time.Second, "give up an outgoing call not answered within this time")
	realTime := fs.Bool("realtime", true, "run each call's 20 ms audio loop at real-time priority (SCHED_FIFO: needs root or CAP_SYS_NICE)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax modem -c FILE [-c FILE ...] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if len(files) == 0 || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("need at least one -c FILE")
	}
	var id modem.Identity
	switch *identity {
	case "softfax":
		id = modem.DefaultIdentity
	case "iaxmodem":
		id = modem.IaxmodemIdentity
	default:
		return fmt.Errorf("--identity %q: softfax or iaxmodem", *identity)
	}
	var cfgs []modem.IaxmodemConfig
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return err
		}
		c, err := modem.ParseIaxmodemConfig(r, f)
		r.Close()
		if err != nil {
			return err
		}
		cfgs = append(cfgs, c)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(cfgs))
	for _, c := range cfgs {
		m := &modemRunner{cfg: c, id: id, recordDir: *recordDir, answerTimeout: *answerTimeout, realTime: *realTime,
			log: e.log.With("modem", filepath.Base(c.Device))}
		go func() { errs <- m.run(ctx) }()
	}
	var first error
	for range cfgs {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel() // one modem failing to start stops them all
		}
	}
	return first
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// modemRunner is one modem: an IAX2 endpoint, a pty, a DCE, and the call
// that joins them. It is the DCE's Phone.
type modemRunner struct {
	cfg           modem.IaxmodemConfig
	id            modem.Identity
	recordDir     string
	answerTimeout time.Duration
	realTime      bool
	log           *slog.Logger

	ctx  context.Context
	ep   *iax.Endpoint
	dce  *modem.DCE
	line line.Line

	mu       sync.Mutex
	call     *iax.Call // the call the DCE is in, nil when on hook
	answered chan struct{}
}

func (m *modemRunner) run(ctx context.Context) error {
	m.ctx = ctx
	formats, err := formatsPreferring(m.cfg.Codec)
	if err != nil {
		return err
	}
	// A fax tolerates delay, not gaps: a lost or late frame is a carrier
	// drop to V.21 and a burst of errors to a high-speed modem. 200 ms of
	// jitter buffer rides out a loaded host's (or far end's) stalls.
	icfg := iax.Config{Logger: m.log, Formats: formats, AcceptGuests: true, JitterDelay: 10}
	if m.cfg.NoJitterBuffer {
		icfg.JitterDelay = 1
	}
	ep, err := iax.Listen(ctx, fmt.Sprintf(":%d", m.cfg.Port), icfg)
	if err != nil {
		return fmt.Errorf("%s: %w", m.cfg.Name, err)
	}
	defer ep.Close()
	m.ep = ep
	m.line.Name = filepath.Base(m.cfg.Device)
	m.dce = modem.NewDCE(modem.DCEConfig{Identity: m.id, Phone: m, Logger: m.log})
	defer m.dce.Close()
	p, err := modem.OpenPTY(modem.PTYConfig{Device: m.cfg.Device, Owner: m.cfg.Owner, Mode: m.cfg.Mode}, m.log)
	if err != nil {
		return fmt.Errorf("%s: %w", m.cfg.Name, err)
	}
	defer p.Close()
	m.log.Info("modem ready", "config", m.cfg, "pty", p.Name(), "listen", ep.Addr())

	if m.cfg.Refresh > 0 {
		addr, err := resolve(m.cfg.ServerAddr())
		if err != nil {
			return fmt.Errorf("%s: server: %w", m.cfg.Name, err)
		}
		reg := ep.Register(ctx, iax.RegisterParams{Server: addr, Username: m.cfg.PeerName,
			Secret: m.cfg.Secret, Refresh: time.Duration(m.cfg.Refresh) * time.Second})
		defer reg.Close()
	}
	go m.incoming(ctx)
	return p.Serve(ctx, m.dce)
}

func formatsPreferring(codec string) ([]iax.Format, error) {
	all := []string{"ulaw", "alaw", "slinear"}
	first, err := iax.ParseFormat(codec)
	if err != nil {
		return nil, fmt.Errorf("codec %q: %w", codec, err)
	}
	fs := []iax.Format{first}
	for _, n := range all {
		if f, _ := iax.ParseFormat(n); f != first {
			fs = append(fs, f)
		}
	}
	return fs, nil
}

func resolve(hostport string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(hostport); err == nil {
		return ap, nil
	}
	ua, err := net.ResolveUDPAddr("udp", hostport)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return ua.AddrPort(), nil
}

// incoming offers each new call to the DCE, or refuses it busy when no DTE
// has the pty open, the DTE went off hook busy, or a call is in progress.
func (m *modemRunner) incoming(ctx context.Context) {
	for {
		var c *iax.Call
		select {
		case <-ctx.Done():
			return
		case c = <-m.ep.Incoming():
		}
		if c == nil {
			return
		}
		info := c.Info()
		if !m.dce.Available() {
			m.log.Info("incoming call refused: busy", "from", info.CallingNumber, "did", info.Called)
			c.Reject(iax.CauseUserBusy)
			continue
		}
		if err := m.line.Offer(c); err != nil {
			m.log.Info("incoming call refused", "err", err)
			continue
		}
		m.mu.Lock()
		m.call, m.answered = c, make(chan struct{})
		answered := m.answered
		m.mu.Unlock()
		did := info.Called
		if did == "" {
			did = info.DNID
		}
		if !m.dce.Offer(modem.CallerID{Time: time.Now(), Name: info.CallingName, Number: info.CallingNumber, DID: did}) {
			m.drop(c)
			c.Reject(iax.CauseUserBusy)
			continue
		}
		m.log.Info("incoming call", "from", info.CallingNumber, "name", info.CallingName, "did", did)
		go m.ringer(c, answered)
		go m.watch(c, true)
	}
}

// ringer repeats RING every 5 s until the call is answered or ends.
func (m *modemRunner) ringer(c *iax.Call, answered <-chan struct{}) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			m.dce.Ring()
		case <-answered:
			return
		case <-c.Done():
			return
		case <-m.ctx.Done():
			return
		}
	}
}

// watch turns the call's events into the DCE's call progress.
func (m *modemRunner) watch(c *iax.Call, incoming bool) {
	up := false
	var timeout <-chan time.Time
	if !incoming {
		t := time.NewTimer(m.answerTimeout)
		defer t.Stop()
		timeout = t.C
	}
	for {
		select {
		case <-m.ctx.Done():
			c.Hangup(iax.CauseNormalClearing)
			return
		case <-timeout:
			m.log.Info("outgoing call not answered", "after", m.answerTimeout)
			if m.current(c) {
				m.drop(c)
				c.Hangup(iax.CauseNoAnswer)
				m.dce.Progress(modem.CallNoAnswer)
			}
			return
		case ev, ok := <-c.Events():
			if !ok {
				ev = iax.Event{Kind: iax.EventHangup}
			}
			switch ev.Kind {
			case iax.EventAnswered:
				if !incoming && !up {
					up = true
					timeout = nil
					m.startAudio(c)
					m.dce.Progress(modem.CallAnswered)
				}
			case iax.EventRinging:
				m.dce.Progress(modem.CallRinging)
			case iax.EventDTMF:
				shown := m.dce.DTMF(ev.Digit)
				m.log.Info("DTMF from far end", "digit", string(ev.Digit), "shown", shown)
			case iax.EventHangup:
				m.log.Info("call ended by far end", "cause", ev.Cause, "text", ev.Text, "err", ev.Err)
				if !m.current(c) {
					return
				}
				m.drop(c)
				switch {
				case incoming || up:
					m.dce.Progress(modem.CallEnded)
				case ev.Cause == iax.CauseUserBusy || strings.EqualFold(ev.Text, "busy"):
					m.dce.Progress(modem.CallBusy)
				case ev.Cause == iax.CauseNoAnswer || ev.Cause == iax.CauseNoUserResponse:
					m.dce.Progress(modem.CallNoAnswer)
				default:
					m.dce.Progress(modem.CallRejected)
				}
				return
			}
		}
	}
}

func (m *modemRunner) current(c *iax.Call) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.call == c
}

func (m *modemRunner) drop(c *iax.Call) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.call == c {
		m.call = nil
	}
}

// startAudio runs the 20 ms audio loop between the call and the DCE.
func (m *modemRunner) startAudio(c *iax.Call) {
	go func() {
		opt := line.Options{Logger: m.log, RealTime: m.realTime}
		if m.cfg.Record {
			name := fmt.Sprintf("%s-%s.wav", filepath.Base(m.cfg.Device), time.Now().Format("20060102-150405"))
			if f, err := os.Create(filepath.Join(m.recordDir, name)); err != nil {
				m.log.Warn("recording", "err", err)
			} else if w, err := line.NewWAVWriter(f, 2); err != nil {
				f.Close()
			} else {
				opt.Record = w
				defer f.Close()
				defer w.Close()
			}
		}
		st, err := line.Run(m.ctx, c, m.dce, opt)
		m.log.Info("audio ended", "frames", st.Frames, "received", st.Received, "filled", st.Filled, "idle", st.Idle,
			"late", st.Late, "max_late", st.MaxLate, "err", err)
	}()
}

// Dial places the call ATD asked for (Phone).
func (m *modemRunner) Dial(req modem.DialRequest) {
	go func() {
		fail := func(err error) {
			m.log.Info("dial failed", "number", req.Number, "err", err)
			m.dce.Progress(modem.CallRejected)
		}
		addr, err := resolve(m.cfg.ServerAddr())
		if err != nil {
			fail(fmt.Errorf("server %q: %w", m.cfg.Server, err))
			return
		}
		name, num := m.cfg.CIDName, m.cfg.CIDNumber
		if req.CallerName != "" {
			name = req.CallerName
		}
		if req.CallerNumber != "" {
			num = req.CallerNumber
		}
		c, err := m.line.Dial(m.ep, iax.DialParams{Addr: addr, Username: m.cfg.PeerName, Secret: m.cfg.Secret,
			Called: req.Number, CallingNumber: num, CallingName: name})
		if err != nil {
			fail(err)
			return
		}
		m.mu.Lock()
		m.call = c
		m.mu.Unlock()
		m.log.Info("dialling", "number", req.Number, "server", addr)
		m.watch(c, false)
	}()
}

// Answer answers the ringing call (Phone).
func (m *modemRunner) Answer() {
	m.mu.Lock()
	c, answered := m.call, m.answered
	m.mu.Unlock()
	if c == nil {
		return
	}
	go func() {
		if err := c.Answer(); err != nil {
			m.log.Info("answer failed", "err", err)
			return
		}
		if answered != nil {
			close(answered)
		}
		m.startAudio(c)
	}()
}

// Hangup ends the call (Phone).
func (m *modemRunner) Hangup() {
	m.mu.Lock()
	c := m.call
	m.call = nil
	m.mu.Unlock()
	if c != nil {
		go c.Hangup(iax.CauseNormalClearing)
	}
}

// SendDTMF sends a digit on the call (Phone).
func (m *modemRunner) SendDTMF(digit rune) {
	m.mu.Lock()
	c := m.call
	m.mu.Unlock()
	if c != nil {
		go c.SendDTMF(digit)
	}
}
