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
	"strings"
	"time"

	"github.com/softfax/softfax/config"
	"github.com/softfax/softfax/spool"
)

// runStatus shows what a softfax serve is doing, from its spool:
//
//	softfax status [-config FILE] [-spool DIR] [-n RECENT]
//
// The service rewrites SPOOL/status.json every second; status reads it
// (lines, registration, deliveries) and the spool's folders (jobs, recent
// faxes), so it works whether or not the service runs.
func runStatus(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "", "the service's configuration file")
	spoolDir := fs.String("spool", "", "the spool folder (default: from -config, else "+config.Default().Spool+")")
	recent := fs.Int("n", 10, "how many recent jobs and faxes to list")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	root := config.Default().Spool
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		root = cfg.Spool
	}
	if *spoolDir != "" {
		root = *spoolDir
	}
	if _, err := os.Stat(filepath.Join(root, spool.DirQueue)); err != nil {
		return fmt.Errorf("%s is not a softfax spool: %w", root, err)
	}
	return printStatus(e.stdout, root, *recent, time.Now())
}

func printStatus(w io.Writer, root string, recent int, now time.Time) error {
	var st serviceStatus
	b, err := os.ReadFile(filepath.Join(root, statusFile))
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	switch {
	case err != nil:
		fmt.Fprintf(w, "service:  no status in %s (never started?)\n", root)
	case now.Sub(st.Updated) > 5*time.Second:
		fmt.Fprintf(w, "service:  NOT RUNNING (last seen %s, pid %d)\n", st.Updated.Format(time.DateTime), st.PID)
	default:
		fmt.Fprintf(w, "service:  running, pid %d, up %s, IAX2 on %s\n", st.PID, now.Sub(st.Started).Round(time.Second), st.Listen)
		fmt.Fprintf(w, "pbx:      %s\n", st.Registration)
		fmt.Fprintln(w, "lines:")
		for _, l := range st.Lines {
			if !l.Busy {
				fmt.Fprintf(w, "  %-8s idle\n", l.Name)
				continue
			}
			fmt.Fprintf(w, "  %-8s %-3s %-20s for %s, page %d", l.Name, l.Direction, l.Peer, now.Sub(l.Since).Round(time.Second), l.Page)
			if l.Rate > 0 {
				fmt.Fprintf(w, " at %d bit/s", l.Rate)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "delivery: %d queued, %d sent, %d failed, %d retries", st.Delivery.Queued, st.Delivery.Sent, st.Delivery.Failed, st.Delivery.Retried)
		if st.Delivery.LastError != "" {
			fmt.Fprintf(w, "; last error: %s", st.Delivery.LastError)
		}
		fmt.Fprintln(w)
	}
	queued, err := spool.ReadJobs(root, spool.DirQueue, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "queue:    %d job(s)\n", len(queued))
	for _, j := range queued {
		line := fmt.Sprintf("  %s  %-8s to %-16s %q, try %d of %d", j.ID, j.State, j.To, j.Name, j.Tries, j.MaxTries)
		if j.State == spool.Ready && j.NextTry.After(now) {
			line += ", next at " + j.NextTry.Format(time.TimeOnly)
		}
		if n := len(j.Attempts); n > 0 {
			line += ", last: " + string(j.Attempts[n-1].Outcome)
		}
		fmt.Fprintln(w, line)
	}
	var done []spool.Job
	for _, d := range []string{spool.DirDone, spool.DirFailed} {
		js, err := spool.ReadJobs(root, d, recent)
		if err != nil {
			return err
		}
		done = append(done, js...)
	}
	sortJobsNewest(done)
	if len(done) > recent {
		done = done[:recent]
	}
	fmt.Fprintf(w, "recent jobs:\n")
	for _, j := range done {
		fmt.Fprintf(w, "  %s  %-6s to %-16s %q, %d page(s)", j.ID, j.State, j.To, j.Name, j.Pages)
		if j.Reason != "" {
			fmt.Fprintf(w, ": %s", j.Reason)
		}
		fmt.Fprintln(w)
	}
	faxes, err := spool.ReadFaxes(root, recent)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "recent faxes:\n")
	for _, f := range faxes {
		fmt.Fprintf(w, "  %s  from %-16s to %-8s %d page(s) %s\n", f.ID, strings.TrimSpace(f.Caller+" "+f.RemoteID), f.DID, f.Pages, f.Result)
	}
	return nil
}

func sortJobsNewest(js []spool.Job) {
	for i := 1; i < len(js); i++ {
		for k := i; k > 0 && js[k].Finished.After(js[k-1].Finished); k-- {
			js[k], js[k-1] = js[k-1], js[k]
		}
	}
}
