package t4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// renderGhostscript rasterises a PDF or PostScript document with
// ghostscript's pbmraw device straight at the fax resolution, each page
// scaled to fit the fax page (-dFitPage on fixed media of opt.Width x the
// paper's length in pixels). The input and the per-page output live in a
// private temporary directory removed afterwards; gs runs with -dSAFER
// (no file access outside what we pass it) under a timeout, and is asked
// for at most MaxPages+1 pages so that a huge document costs little
// before it is refused.
func renderGhostscript(ctx context.Context, format Format, data []byte, opt RenderOptions) ([]*Page, error) {
	gs := opt.GhostscriptPath
	if gs == "" {
		gs = "gs"
	}
	path, err := exec.LookPath(gs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoGhostscript, err)
	}
	dir, err := os.MkdirTemp("", "softfax-render-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "input.pdf")
	if format == FormatPostScript {
		in = filepath.Join(dir, "input.ps")
	}
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	height := opt.pageHeight()
	args := []string{
		"-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT",
		"-sDEVICE=pbmraw",
		"-r" + fmtDPI(opt.Res.X) + "x" + fmtDPI(opt.Res.Y),
		fmt.Sprintf("-g%dx%d", opt.Width, height),
		"-dFIXEDMEDIA", "-dFitPage",
		"-dFirstPage=1", "-dLastPage=" + strconv.Itoa(opt.MaxPages+1),
		"-sstdout=%stderr",
		"-sOutputFile=" + filepath.Join(dir, "page-%06d.pbm"),
		"--permit-file-read=" + in, // with -dSAFER: only our input
		in,
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Stdin = nil
	var stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &stderr, max: 4096}
	cmd.Stderr = cmd.Stdout
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("ghostscript: %w (after %v)", ctx.Err(), opt.Timeout)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "page-") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if runErr != nil || len(names) == 0 {
		msg := lastLines(stderr.String(), 3)
		if runErr == nil {
			runErr = errors.New("no pages")
		}
		return nil, fmt.Errorf("ghostscript could not render the document: %w: %s", runErr, msg)
	}
	if len(names) > opt.MaxPages {
		return nil, fmt.Errorf("%w: more than %d", ErrTooManyPages, opt.MaxPages)
	}
	pages := make([]*Page, 0, len(names))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		p, err := parsePBM(b, opt.Res)
		if err != nil {
			return nil, fmt.Errorf("ghostscript output %s: %w", n, err)
		}
		if p.Width != opt.Width || p.Height != height {
			return nil, fmt.Errorf("ghostscript made a %dx%d page, want %dx%d", p.Width, p.Height, opt.Width, height)
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// fmtDPI formats a resolution for gs's -r option.
func fmtDPI(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// lastLines returns the last n non-empty lines of s, joined by " / ".
func lastLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	if len(out) == 0 {
		return "no diagnostics"
	}
	return strings.Join(out, " / ")
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, so that a chatty gs cannot fill memory.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
