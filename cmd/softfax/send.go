package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
)

// runSend sends documents at once over an IAX2 call with softfax's own fax
// client:
//
//	softfax send --now --to NUMBER [--via iax2://USER:SECRET@HOST:PORT] FILE...
//
// It prints the progress page by page and exits 0 only when every page was
// confirmed by the far fax.
func runSend(ctx context.Context, e *env, args []string) error {
	if !sendNow(args) {
		return runQueue(ctx, e, args) // serve.go: queue into softfax serve's spool
	}
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	now := fs.Bool("now", false, "send at once (required: queued sending is the spool's job)")
	to := fs.String("to", "", "NUMBER to call")
	via := fs.String("via", "iax2://127.0.0.1:4569", "IAX2 peer to call through: iax2://[USER[:SECRET]@]HOST[:PORT]")
	listen := fs.String("listen", ":0", "local UDP address")
	id := fs.String("id", "", "our fax identity (TSI), 20 characters at most")
	callerID := fs.String("caller-id", "", "calling number to present")
	resName := fs.String("resolution", "fine", "standard, fine or superfine")
	paperName := fs.String("paper", "a4", "a4 or letter")
	ecm := fs.Bool("ecm", true, "use error correction mode when the far fax offers it")
	maxRate := fs.Int("max-rate", 14400, "fastest rate to try, bit/s")
	record := fs.String("record", "", "stereo WAV file of the call (left heard, right sent)")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up on the whole call after this long")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax send --now --to NUMBER [--via iax2://USER:SECRET@HOST:PORT] [flags] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if !*now {
		return errors.New("only --now is supported here; queue faxes with the spool")
	}
	if *to == "" || fs.NArg() == 0 {
		fs.Usage()
		return errors.New("need --to NUMBER and at least one FILE")
	}
	dial, err := faxParseVia(*via)
	if err != nil {
		return err
	}
	dial.Called, dial.CallingNumber, dial.CallingName = *to, *callerID, "softfax"
	res, err := parseResolution(*resName)
	if err != nil {
		return err
	}
	paper, err := t4.ParsePaper(*paperName)
	if err != nil {
		return err
	}
	var pages []*t4.Page
	for _, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		p, err := t4.Render(ctx, filepath.Base(name), data, t4.RenderOptions{Res: res, Paper: paper})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		pages = append(pages, p...)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	start := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(e.stdout, "%7.3f  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	say("%d page(s) to send to %s via %s", len(pages), *to, dial.Addr)
	ep, err := iax.Listen(ctx, *listen, iax.Config{Logger: e.log})
	if err != nil {
		return err
	}
	defer ep.Close()
	call, err := ep.Dial(dial)
	if err != nil {
		return err
	}
	if err := faxWaitAnswer(ctx, call, say); err != nil {
		return err
	}
	cfg := t30.Config{
		Caller:      true,
		Role:        t30.Sender,
		LocalID:     *id,
		ECM:         *ecm,
		Source:      &t30.Pages{List: pages},
		Logger:      e.log,
		Modulations: faxModulationsUpTo(*maxRate),
		Progress: func(p t30.Progress) {
			switch p.Kind {
			case t30.ProgressConnected:
				say("connected to %q", p.Remote)
			case t30.ProgressNegotiated, t30.ProgressRetrain:
				say("%v: %s", p.Kind, p.Detail)
			case t30.ProgressTrained:
				say("trained at %v", p.Modulation)
			case t30.ProgressPage:
				say("page %d of %d sent", p.Page, len(pages))
			}
		},
	}
	r, err := faxRunSession(ctx, call, cfg, *record, e)
	if err != nil {
		return err
	}
	if r.Err != nil {
		return fmt.Errorf("fax failed after %d of %d pages: %w", r.Pages, len(pages), r.Err)
	}
	say("done: %d page(s) at %v, ECM %v, %v", r.Pages, r.Modulation, r.ECM, r.Compression)
	return nil
}

// faxParseVia reads iax2://[USER[:SECRET]@]HOST[:PORT].
func faxParseVia(s string) (iax.DialParams, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "iax2" || u.Host == "" {
		return iax.DialParams{}, fmt.Errorf("--via %q: want iax2://[USER[:SECRET]@]HOST[:PORT]", s)
	}
	host := u.Host
	if u.Port() == "" {
		host += ":4569"
	}
	addr, err := netip.ParseAddrPort(host)
	if err != nil {
		return iax.DialParams{}, fmt.Errorf("--via: %w", err)
	}
	p := iax.DialParams{Addr: addr}
	if u.User != nil {
		p.Username = u.User.Username()
		p.Secret, _ = u.User.Password()
	}
	return p, nil
}

func faxModulationsUpTo(rate int) []modem.Modulation {
	var mods []modem.Modulation
	for _, m := range t30.Fallback {
		if m.BitRate() <= rate {
			mods = append(mods, m)
		}
	}
	return mods
}

// faxWaitAnswer waits for an outgoing call to be answered.
func faxWaitAnswer(ctx context.Context, call *iax.Call, say func(string, ...any)) error {
	for {
		select {
		case ev, ok := <-call.Events():
			if !ok {
				return errors.New("call ended before it was answered")
			}
			switch ev.Kind {
			case iax.EventAccepted:
				say("accepted, format %v", call.Format())
			case iax.EventAnswered:
				say("answered")
				return nil
			case iax.EventHangup:
				if ev.Err != nil {
					return fmt.Errorf("call failed: %w", ev.Err)
				}
				return fmt.Errorf("call not answered: cause %v %s", ev.Cause, ev.Text)
			}
		case <-ctx.Done():
			_ = call.Hangup(iax.CauseNoAnswer)
			return ctx.Err()
		}
	}
}

// faxEngine runs a T.30 session on a line and stops the line once the
// session has ended and its last transmission (DCN) is out.
type faxEngine struct {
	s    *t30.Session
	stop context.CancelFunc
	tail int // frames of silence still to send after the end
}

func (se *faxEngine) Receive(in []int16) { se.s.Receive(in) }

func (se *faxEngine) Transmit(out []int16) int {
	n := se.s.Transmit(out)
	if se.s.Done() {
		if se.tail--; se.tail <= 0 {
			se.stop()
		}
	}
	return n
}

// faxRunSession plays a session over an answered call until it ends, then
// hangs up. It returns the session's result; its error is for the call
// itself.
func faxRunSession(ctx context.Context, call *iax.Call, cfg t30.Config, record string, e *env) (t30.Result, error) {
	s, err := t30.NewSession(cfg)
	if err != nil {
		_ = call.Hangup(iax.CauseNormalClearing)
		return t30.Result{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	// Real-time priority where the host allows it (else the line says so
	// and runs normally): a late loop sends audio in bursts.
	opt := line.Options{Logger: e.log, RealTime: true}
	if record != "" {
		f, err := os.Create(record)
		if err != nil {
			_ = call.Hangup(iax.CauseNormalClearing)
			return t30.Result{}, err
		}
		defer f.Close()
		w, err := line.NewWAVWriter(f, 2)
		if err != nil {
			_ = call.Hangup(iax.CauseNormalClearing)
			return t30.Result{}, err
		}
		defer func() {
			if err := w.Close(); err != nil {
				fmt.Fprintf(e.stderr, "recording: %v\n", err)
			}
		}()
		opt.Record = w
	}
	go func() { // drain call events; the line sees the end through Done
		for range call.Events() {
		}
	}()
	_, runErr := line.Run(runCtx, call, &faxEngine{s: s, stop: stop, tail: 10}, opt)
	if call.State() != iax.StateEnded {
		_ = call.Hangup(iax.CauseNormalClearing)
	}
	if !s.Done() {
		cause := io.ErrUnexpectedEOF
		if runErr != nil && !errors.Is(runErr, context.Canceled) {
			s.Close(fmt.Errorf("t30: call ended: %w", runErr))
		} else {
			s.Close(fmt.Errorf("t30: call ended: %w", cause))
		}
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) && ctx.Err() != nil {
		return s.Result(), runErr
	}
	return s.Result(), nil
}
