package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/softfax/softfax/config"
	"github.com/softfax/softfax/spool"
	"github.com/softfax/softfax/t30"
)

// runDemo shows the whole service with nothing installed or configured:
//
//	softfax demo [-dir ./softfax-demo]
//
// Two softfax services run in this process, talking IAX2 over loopback.
// The first ("sender") finds a two-page document queued for DID 100 and
// faxes it; the second ("receiver") answers, archives the fax, routes DID
// 100 to an email address and a folder, and — with no SMTP server
// configured — writes the email as an .eml file.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dir := fs.String("dir", "softfax-demo", "folder for the demo's spools and results")
	verbose := fs.Bool("v", false, "log every step of both services")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	root, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	// Each run starts clean, so the results shown are this run's.
	for _, sub := range []string{"sender", "receiver", "mail", "faxes"} {
		if err := os.RemoveAll(filepath.Join(root, sub)); err != nil {
			return err
		}
	}
	log := slog.New(slog.DiscardHandler)
	if *verbose {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	say := func(format string, a ...any) {
		fmt.Fprintf(e.stdout, "%6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
	}
	progress := func(who string) func(string, string, t30.Progress) {
		return func(lineName, dir string, p t30.Progress) {
			verb := map[string]string{"out": "sent", "in": "received"}[dir]
			switch p.Kind {
			case t30.ProgressConnected:
				say("%s %s: connected to %q", who, lineName, p.Remote)
			case t30.ProgressTrained:
				say("%s %s: trained at %d bit/s (%v)%s", who, lineName, p.Modulation.BitRate(), p.Modulation, map[bool]string{true: ", ECM"}[p.ECM])
			case t30.ProgressRetrain:
				say("%s %s: falling back or retraining: %s", who, lineName, p.Detail)
			case t30.ProgressPage:
				say("%s %s: page %d %s at %d bit/s", who, lineName, p.Page, verb, p.Modulation.BitRate())
			case t30.ProgressDone:
				d := p.Detail
				if d == "" || d == "<nil>" {
					d = "ok"
				}
				say("%s %s: session ended: %s", who, lineName, d)
			}
		}
	}

	rcfg := config.Default()
	rcfg.Spool = filepath.Join(root, "receiver")
	rcfg.StationID = "+1 555 0199"
	rcfg.IAX.Listen = "127.0.0.1:0"
	rcfg.Lines.Count = 1
	rcfg.SMTP.EMLDir = filepath.Join(root, "mail")
	rcfg.Route = []config.Route{{DID: "100", Email: []string{"fax-100@example.com"}, Folder: filepath.Join(root, "faxes"), Formats: []string{"pdf", "tiff"}}}
	ready := make(chan netip.AddrPort, 1)
	receiver, err := newService(rcfg, serviceOptions{Log: log.With("service", "receiver"), Progress: progress("receiver"), Ready: func(a netip.AddrPort) { ready <- a }})
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- receiver.Run(ctx) }()
	var raddr netip.AddrPort
	select {
	case raddr = <-ready:
	case err := <-errc:
		return err
	}
	say("receiver: listening on %s (IAX2), DID 100 routed to fax-100@example.com and %s", raddr, filepath.Join(root, "faxes"))

	scfg := config.Default()
	scfg.Spool = filepath.Join(root, "sender")
	scfg.StationID = "+1 555 0100"
	scfg.Header = "softfax demo"
	scfg.IAX.Listen = "127.0.0.1:0"
	scfg.IAX.Dial = raddr.String()
	scfg.Lines.Count = 1
	scfg.Retry.Tries = 2
	scfg.Retry.Backoff = config.Duration(3 * time.Second)
	scfg.SMTP.EMLDir = filepath.Join(root, "mail")
	sender, err := newService(scfg, serviceOptions{Log: log.With("service", "sender"), Progress: progress("sender")})
	if err != nil {
		return err
	}
	go func() { errc <- sender.Run(ctx) }()

	// Queue the document the way users do: write under a temporary name in
	// the outbound folder, then rename to NUMBER.ext.
	out := filepath.Join(scfg.Spool, spool.DirOutbound)
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	tmp := filepath.Join(out, ".100.txt")
	if err := os.WriteFile(tmp, []byte(demoDocument), 0o640); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(out, "100.txt")); err != nil {
		return err
	}
	say("sender: queued a 2-page document for DID 100: %s", filepath.Join(out, "100.txt"))

	var job spool.Job
	var eml string
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for job.ID == "" || eml == "" {
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo did not finish within %v (job %q, mail %q); rerun with -v to see why", *timeout, job.State, eml)
		case err := <-errc:
			return err
		case <-tick.C:
		}
		if job.ID == "" {
			for _, d := range []string{spool.DirDone, spool.DirFailed} {
				if js, _ := spool.ReadJobs(scfg.Spool, d, 1); len(js) == 1 {
					job = js[0]
					say("sender: job %s %s: %d page(s) to %s, %d try(s)%s", job.ID, job.State, job.Pages, job.To, job.Tries, map[bool]string{true: ": " + job.Reason}[job.Reason != ""])
					if job.State == spool.Failed {
						return fmt.Errorf("the fax failed: %s", job.Reason)
					}
				}
			}
		}
		if eml == "" {
			if m, _ := filepath.Glob(filepath.Join(root, "mail", "*.eml")); len(m) > 0 {
				eml = m[0]
				say("receiver: fax delivered")
			}
		}
	}
	cancel()
	faxes, _ := spool.ReadFaxes(rcfg.Spool, 1)
	fmt.Fprintln(e.stdout, "\nResults:")
	if len(faxes) == 1 {
		f := faxes[0]
		fd := filepath.Join(rcfg.Spool, spool.DirInbound, f.ID)
		fmt.Fprintf(e.stdout, "  received fax     %s (%d pages from %q, DID %s, %d bit/s)\n", fd, f.Pages, f.RemoteID, f.DID, f.Rate)
		fmt.Fprintf(e.stdout, "  as PDF           %s\n", filepath.Join(fd, spool.FaxPDF))
		fmt.Fprintf(e.stdout, "  as TIFF          %s\n", filepath.Join(fd, spool.FaxTIFF))
	}
	fmt.Fprintf(e.stdout, "  email (.eml)     %s\n", eml)
	if m, _ := filepath.Glob(filepath.Join(root, "faxes", "*")); len(m) > 0 {
		fmt.Fprintf(e.stdout, "  route's folder   %s\n", strings.Join(m, "\n                   "))
	}
	fmt.Fprintf(e.stdout, "  sender's report  %s\n", filepath.Join(scfg.Spool, spool.DirDone, job.ID, "report.txt"))
	return nil
}

// demoDocument is the demo's fax: two pages of text (a form feed between).
const demoDocument = `softfax demo                                              page 1 of 2

This page was rendered from plain text by softfax (package t4), queued in
the outbound folder of one softfax service, and faxed over IAX2 on loopback
to a second softfax service, which answered on its internal line, received
it with its own T.30 session and V.17/V.29 modems, archived it as TIFF and
PDF, routed DID 100 to an email address and a folder, and - with no SMTP
server configured - wrote the email as an .eml file.

Every sample of audio between the two went through G.711 and IAX2 frames
over UDP, paced in real time, as it would through a PBX.

    +------------------+        IAX2 / UDP        +------------------+
    | sender           |  ---------------------->  | receiver         |
    | spool -> T.30 TX |       G.711 u-law         | T.30 RX -> spool |
    +------------------+                          +------------------+
` + "\f" + `softfax demo                                              page 2 of 2

Next steps:

  softfax serve -config contrib/softfax.toml     the service
  softfax status -config contrib/softfax.toml    lines, jobs, recent faxes

Drop NUMBER.pdf (or any file with a FILE.json sidecar) into the outbound
folder and it is faxed; faxes for your DIDs arrive in the mailboxes the
routes name.
`
