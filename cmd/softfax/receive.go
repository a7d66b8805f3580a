package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/softfax/softfax/iax"
	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
)

// faxRecord is the JSON record written next to each received fax.
type faxRecord struct {
	Caller      string    `json:"caller"`
	CallerName  string    `json:"caller_name,omitempty"`
	DID         string    `json:"did"`
	RemoteID    string    `json:"remote_id"`
	SubAddress  string    `json:"subaddress,omitempty"`
	Pages       int       `json:"pages"`
	Rate        int       `json:"rate"`
	Modulation  string    `json:"modulation"`
	ECM         bool      `json:"ecm"`
	Compression string    `json:"compression,omitempty"`
	Result      string    `json:"result"` // "ok" or the reason it failed
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended"`
	TIFF        string    `json:"tiff,omitempty"`
	PDF         string    `json:"pdf,omitempty"`
}

// runReceive answers IAX2 calls with softfax's own fax client and writes
// each fax as TIFF + PDF + a JSON record:
//
//	softfax receive --listen HOST:PORT --out DIR [--once] [--user U --secret S]
func runReceive(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("receive", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", ":4569", "UDP address to answer calls on, HOST:PORT")
	out := fs.String("out", "", "directory for received faxes")
	once := fs.Bool("once", false, "exit after the first fax call (status 0 only if it succeeded)")
	user := fs.String("user", "", "accept calls only from this USERNAME (with --secret: MD5-authenticated)")
	secret := fs.String("secret", "", "secret of --user")
	id := fs.String("id", "", "our fax identity (CSI), 20 characters at most")
	ecm := fs.Bool("ecm", true, "offer error correction mode")
	record := fs.Bool("record", false, "keep a stereo WAV recording of each call next to the fax")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax receive --listen HOST:PORT --out DIR [--once] [--user U --secret S]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return errors.New("need --out DIR")
	}
	if *secret != "" && *user == "" {
		return errors.New("--secret needs --user")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	cfg := iax.Config{Logger: e.log, AcceptGuests: *user == ""}
	if *user != "" {
		cfg.Peers = []iax.Peer{{Name: *user, Secret: *secret}}
	}
	ep, err := iax.Listen(ctx, *listen, cfg)
	if err != nil {
		return err
	}
	defer ep.Close()
	fmt.Fprintf(e.stdout, "listening on %s, faxes to %s\n", ep.Addr(), *out)
	for {
		var call *iax.Call
		select {
		case call = <-ep.Incoming():
		case <-ctx.Done():
			return nil
		case <-ep.Done():
			return errors.New("endpoint closed")
		}
		rec, err := receiveBusy(ep, func() (faxRecord, error) {
			return receiveOne(ctx, e, call, *out, *id, *ecm, *record)
		})
		if err != nil {
			fmt.Fprintf(e.stderr, "softfax receive: %v\n", err)
		}
		if *once {
			if err != nil {
				return err
			}
			if rec.Result != "ok" {
				return fmt.Errorf("fax failed: %s", rec.Result)
			}
			return nil
		}
	}
}

// receiveBusy runs one fax call and meanwhile refuses other calls as busy
// (Q.850 cause 17), so that a PBX tries its next channel instead of letting
// them ring.
func receiveBusy(ep *iax.Endpoint, fax func() (faxRecord, error)) (faxRecord, error) {
	done := make(chan struct{})
	refused := make(chan struct{})
	go func() {
		defer close(refused)
		for {
			select {
			case c := <-ep.Incoming():
				if c != nil {
					_ = c.Reject(iax.CauseUserBusy)
				}
			case <-done:
				return
			}
		}
	}()
	rec, err := fax()
	close(done)
	<-refused
	return rec, err
}

// receiveOne answers one call, runs a receiving session on it, and writes
// what arrived.
func receiveOne(ctx context.Context, e *env, call *iax.Call, dir, id string, ecm, record bool) (faxRecord, error) {
	info := call.Info()
	rec := faxRecord{Caller: info.CallingNumber, CallerName: info.CallingName, DID: info.Called, Started: time.Now().UTC()}
	base := filepath.Join(dir, fmt.Sprintf("fax-%s-%05d", rec.Started.Format("20060102-150405"), call.LocalCallNumber()))
	say := func(format string, a ...any) {
		fmt.Fprintf(e.stdout, "%s  %s\n", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, a...))
	}
	say("call from %q <%s> to %q", info.CallingName, info.CallingNumber, info.Called)
	if err := call.Accept(); err != nil {
		return rec, err
	}
	if err := call.Answer(); err != nil {
		return rec, err
	}
	col := &t30.Collector{}
	cfg := t30.Config{
		Role:     t30.Receiver,
		LocalID:  id,
		ECM:      ecm,
		MaxWidth: t30.WidthA3,
		Sink:     col,
		Logger:   e.log,
		Progress: func(p t30.Progress) {
			switch p.Kind {
			case t30.ProgressConnected:
				say("remote %q", p.Remote)
			case t30.ProgressNegotiated, t30.ProgressRetrain:
				say("%v: %s", p.Kind, p.Detail)
			case t30.ProgressPage:
				say("page %d received (%s)", p.Page, p.Detail)
			}
		},
	}
	wav := ""
	if record {
		wav = base + ".wav"
	}
	r, runErr := faxRunSession(ctx, call, cfg, wav, e)
	rec.Ended = time.Now().UTC()
	rec.RemoteID, rec.SubAddress, rec.Pages = r.RemoteID, r.SubAddress, len(col.Pages)
	rec.Rate, rec.Modulation, rec.ECM = r.Modulation.BitRate(), r.Modulation.String(), r.ECM
	if r.Compression != 0 {
		rec.Compression = r.Compression.String()
	}
	switch {
	case runErr != nil:
		rec.Result = runErr.Error()
	case r.Err != nil:
		rec.Result = r.Err.Error()
	default:
		rec.Result = "ok"
	}
	if err := writeFax(base, col, &rec); err != nil {
		return rec, err
	}
	say("fax %s: %d page(s), %s", base, rec.Pages, rec.Result)
	return rec, runErr
}

// writeFax writes the pages as TIFF and PDF and then the record, each
// atomically (temporary file, fsync, rename): a reader that sees the JSON
// finds the documents complete.
func writeFax(base string, col *t30.Collector, rec *faxRecord) error {
	if len(col.Pages) > 0 {
		pages := make([]t4.TIFFPage, len(col.Pages))
		for i, p := range col.Pages {
			pages[i] = t4.TIFFPage{Page: p, BadFaxLines: col.Info[i].BadRows, Compression: t4.MMR}
			if col.Info[i].BadRows > 0 {
				pages[i].CleanFaxData = t4.CleanFaxDataRegenerated
			}
		}
		rec.TIFF, rec.PDF = filepath.Base(base+".tif"), filepath.Base(base+".pdf")
		err := writeFileAtomic(base+".tif", func(w io.Writer) error {
			return t4.WriteTIFFPages(w, pages, t4.TIFFOptions{Compression: t4.MMR, Time: rec.Started})
		})
		if err != nil {
			return fmt.Errorf("writing TIFF: %w", err)
		}
		err = writeFileAtomic(base+".pdf", func(w io.Writer) error {
			return t4.WritePDF(w, col.Pages, t4.PDFOptions{Title: "Fax from " + rec.RemoteID, Time: rec.Started})
		})
		if err != nil {
			return fmt.Errorf("writing PDF: %w", err)
		}
	}
	err := writeFileAtomic(base+".json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rec)
	})
	if err != nil {
		return fmt.Errorf("writing record: %w", err)
	}
	return syncDir(filepath.Dir(base))
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
