package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/softfax/softfax/analyze"
)

// maxAnalyzeBytes bounds the recording read: an hour of 16-bit stereo at
// 8 kHz, far longer than any fax call.
const maxAnalyzeBytes = 3600 * 8000 * 4

// runAnalyze decodes a recorded fax call into a timeline:
//
//	softfax analyze [-json] CALL.wav...
//
// The recording may be mono (a tap on the line) or stereo (one direction
// per channel, as `softfax call -record` and the line recorder write them),
// 16-bit or 8-bit PCM, mu-law or A-law, at any sample rate. The exit status is 0 when every
// file was analyzed, whatever the call's outcome (the report says it).
func runAnalyze(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "write the report as JSON instead of a timeline")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax analyze [-json] CALL.wav...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no recording given")
	}
	for i, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		r, err := analyzeFile(path)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(r); err != nil {
				return err
			}
			continue
		}
		if fs.NArg() > 1 {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			fmt.Fprintf(e.stdout, "== %s\n", path)
		}
		if err := r.WriteText(e.stdout); err != nil {
			return err
		}
	}
	return nil
}

func analyzeFile(path string) (*analyze.Report, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxAnalyzeBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than an hour of audio", path, st.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r, err := analyze.File(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
