package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/line"
)

// runCall places one test call through an IAX2 peer (to check a trunk),
// prints its progress and frame statistics, and records what it hears:
//
//	softfax call [--peer HOST:PORT] [--user U --secret S] [--play IN.wav]
//	             [--record OUT.wav] [--seconds N] NUMBER
func runCall(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	peerAddr := fs.String("peer", "127.0.0.1:4569", "IAX2 peer (PBX) to call through, HOST:PORT")
	listen := fs.String("listen", ":0", "local UDP address")
	user := fs.String("user", "", "USERNAME to present")
	secret := fs.String("secret", "", "secret for MD5 authentication")
	play := fs.String("play", "", "16-bit 8 kHz WAV file to send once answered (silence otherwise)")
	record := fs.String("record", "", "stereo WAV file to record (left: heard, right: sent)")
	seconds := fs.Float64("seconds", 10, "how long to stay in the call once answered")
	codecs := fs.String("codec", "ulaw,alaw,slinear", "formats to offer, in order of preference")
	callerID := fs.String("caller-id", "", "calling number to present")
	callerName := fs.String("caller-name", "softfax", "calling name to present")
	ringTimeout := fs.Duration("answer-timeout", 60*time.Second, "give up if not answered within this time")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax call [flags] NUMBER")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("need exactly one NUMBER")
	}
	number := fs.Arg(0)
	peer, err := netip.ParseAddrPort(*peerAddr)
	if err != nil {
		return fmt.Errorf("--peer: %w", err)
	}
	var formats []iax.Format
	for _, name := range strings.Split(*codecs, ",") {
		f, err := iax.ParseFormat(strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("--codec: %w", err)
		}
		formats = append(formats, f)
	}
	var samples []int16
	if *play != "" {
		f, err := os.Open(*play)
		if err != nil {
			return err
		}
		samples, err = line.ReadWAV(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--play: %w", err)
		}
	}

	ep, err := iax.Listen(ctx, *listen, iax.Config{Logger: e.log, Formats: formats})
	if err != nil {
		return err
	}
	defer ep.Close()
	start := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(e.stdout, "%7.3f  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	say("calling %s via %s from %s", number, peer, ep.Addr())
	call, err := ep.Dial(iax.DialParams{Addr: peer, Username: *user, Secret: *secret, Called: number,
		CallingNumber: *callerID, CallingName: *callerName})
	if err != nil {
		return err
	}
	answerBy := time.NewTimer(*ringTimeout)
	defer answerBy.Stop()
	answered := false
	for !answered {
		select {
		case ev, ok := <-call.Events():
			if !ok {
				return errors.New("call ended")
			}
			switch ev.Kind {
			case iax.EventAccepted:
				say("accepted, format %v", call.Format())
			case iax.EventHangup:
				say("hangup: cause %v %q", ev.Cause, ev.Text)
				if ev.Err != nil {
					return fmt.Errorf("call failed: %w", ev.Err)
				}
				return fmt.Errorf("call not answered: cause %v", ev.Cause)
			case iax.EventAnswered:
				say("answered")
				answered = true
			default:
				say("%v", ev.Kind)
			}
		case <-answerBy.C:
			call.Hangup(iax.CauseNoAnswer)
			return fmt.Errorf("not answered within %v", *ringTimeout)
		case <-ctx.Done():
			call.Hangup(iax.CauseNormalClearing)
			return ctx.Err()
		}
	}

	opt := line.Options{Logger: e.log, MaxFrames: int(*seconds * 50)}
	if *record != "" {
		f, err := os.Create(*record)
		if err != nil {
			call.Hangup(iax.CauseNormalClearing)
			return err
		}
		defer f.Close()
		w, err := line.NewWAVWriter(f, 2)
		if err != nil {
			call.Hangup(iax.CauseNormalClearing)
			return err
		}
		defer func() {
			if err := w.Close(); err != nil {
				fmt.Fprintf(e.stderr, "softfax call: recording: %v\n", err)
			}
		}()
		opt.Record = w
	}
	// Events after the answer (DTMF, hangup) are shown as they come.
	go func() {
		for ev := range call.Events() {
			switch ev.Kind {
			case iax.EventHangup:
				say("hangup: cause %v %q", ev.Cause, ev.Text)
			case iax.EventDTMF:
				say("DTMF %q", ev.Digit)
			default:
				say("%v", ev.Kind)
			}
		}
	}()
	rs, runErr := line.Run(ctx, call, &player{samples: samples}, opt)
	if call.State() != iax.StateEnded {
		call.Hangup(iax.CauseNormalClearing)
		say("hung up")
	}
	st := call.Stats()
	js := st.Jitter
	fmt.Fprintf(e.stdout, "line:   %d frames of 20 ms: %d received, %d filled, %d idle; skew %+.0f ppm\n",
		rs.Frames, rs.Received, rs.Filled, rs.Idle, rs.Skew*1e6)
	fmt.Fprintf(e.stdout, "sent:   %d full + %d mini voice frames\n", st.SentFull, st.SentMini)
	fmt.Fprintf(e.stdout, "heard:  %d full + %d mini voice frames; jitter buffer: played %d, lost %d, late %d, reordered %d, duplicate %d, resyncs %d\n",
		st.RecvFull, st.RecvMini, js.Played, js.Lost, js.Late, js.Reordered, js.Duplicate, js.Resyncs)
	es := ep.Stats()
	fmt.Fprintf(e.stdout, "iax:    %d datagrams, %d retransmitted, %d duplicates, %d out of order, %d malformed; rtt %v\n",
		es.Datagrams, es.Retransmitted, es.Duplicates, es.OutOfOrder, es.Malformed, st.RTT)
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return nil
}

// player is the engine of a test call: it sends a recording once, then
// silence, and ignores what it hears (the line records it).
type player struct {
	samples []int16
	pos     int
}

func (p *player) Receive([]int16) {}

func (p *player) Transmit(out []int16) int {
	n := copy(out, p.samples[min(p.pos, len(p.samples)):])
	p.pos += n
	return n
}
