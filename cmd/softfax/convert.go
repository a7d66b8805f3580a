package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/softfax/softfax/t4"
)

// runConvert renders documents into one fax TIFF or PDF:
//
//	softfax convert [-compression mh|mr|mmr] [-resolution standard|fine|superfine]
//	                [-paper a4|letter] INPUT... OUTPUT
//
// OUTPUT's extension chooses the format (.tif/.tiff or .pdf); every
// input's pages go into it in order. The output appears atomically: it is
// written to a temporary file beside it and renamed when complete.
func runConvert(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	compression := fs.String("compression", "mmr", "TIFF compression: mh (T.4 1-D), mr (T.4 2-D) or mmr (T.6)")
	resolution := fs.String("resolution", "fine", "fax resolution: standard (204x98), fine (204x196) or superfine (204x391)")
	paper := fs.String("paper", "a4", "paper size: a4 or letter")
	title := fs.String("title", "", "PDF document title")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: softfax convert [flags] INPUT... OUTPUT.{tif,tiff,pdf}")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return errors.New("need at least one input and an output file")
	}
	inputs, output := fs.Args()[:fs.NArg()-1], fs.Arg(fs.NArg()-1)

	comp, err := parseCompression(*compression)
	if err != nil {
		return err
	}
	res, err := parseResolution(*resolution)
	if err != nil {
		return err
	}
	pap, err := t4.ParsePaper(*paper)
	if err != nil {
		return err
	}
	var write func(io.Writer, []*t4.Page) error
	switch strings.ToLower(filepath.Ext(output)) {
	case ".tif", ".tiff":
		write = func(w io.Writer, pages []*t4.Page) error {
			return t4.WriteTIFF(w, pages, t4.TIFFOptions{Compression: comp, Software: "softfax"})
		}
	case ".pdf":
		write = func(w io.Writer, pages []*t4.Page) error {
			return t4.WritePDF(w, pages, t4.PDFOptions{Title: *title})
		}
	default:
		return fmt.Errorf("output %s: unknown extension (want .tif, .tiff or .pdf)", output)
	}

	opt := t4.RenderOptions{Res: res, Paper: pap}
	var pages []*t4.Page
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		ps, err := t4.Render(ctx, in, data, opt)
		if err != nil {
			return err
		}
		pages = append(pages, ps...)
	}
	start := time.Now()
	if err := writeFileAtomic(output, func(w io.Writer) error { return write(w, pages) }); err != nil {
		return err
	}
	e.log.Debug("converted", "inputs", len(inputs), "pages", len(pages), "output", output, "write", time.Since(start))
	return nil
}

func parseCompression(s string) (t4.Compression, error) {
	switch strings.ToLower(s) {
	case "mh", "g3", "1d":
		return t4.MH, nil
	case "mr", "2d":
		return t4.MR, nil
	case "mmr", "g4":
		return t4.MMR, nil
	}
	return 0, fmt.Errorf("unknown compression %q (want mh, mr or mmr)", s)
}

func parseResolution(s string) (t4.Resolution, error) {
	switch strings.ToLower(s) {
	case "standard", "normal", "low":
		return t4.Standard, nil
	case "fine", "high":
		return t4.Fine, nil
	case "superfine":
		return t4.Superfine, nil
	}
	return t4.Resolution{}, fmt.Errorf("unknown resolution %q (want standard, fine or superfine)", s)
}

// writeFileAtomic writes name through a temporary file in the same
// directory, synced and renamed over name only when fill succeeded, so a
// reader (a spool watching the folder) never sees half a document.
func writeFileAtomic(name string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
