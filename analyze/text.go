package analyze

import (
	"bufio"
	"fmt"
	"io"

	"github.com/softfax/softfax/dsp"
)

// WriteText writes the report as a timeline, one event per line, then the
// outcome and the problems found:
//
//	 9.100s  <-  V.21          DCS        V.17 14400, fine, MH, no ECM, A4, ...
//	10.320s  <-  V.17 14400    TCF        1.50 s: 21600 zeros, 0 ones, ...
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	desc := fmt.Sprintf("%d channel", r.Channels)
	if r.Channels != 1 {
		desc += "s"
	}
	if r.Format != "" {
		desc += fmt.Sprintf(", %s at %d Hz", r.Format, r.Rate)
	}
	fmt.Fprintf(bw, "recording: %.3f s, %s\n", float64(r.Samples)/dsp.SampleRate, desc)
	fmt.Fprintf(bw, "<- sent by the calling terminal, -> sent by the called terminal\n\n")
	for _, e := range r.Events {
		if e.Kind == KindProblem {
			fmt.Fprintf(bw, "%s  !!  %s\n", pad(seconds(e.At), 9), e.Detail)
			continue
		}
		fmt.Fprintf(bw, "%s  %s  %-16s %-10s %s\n", pad(seconds(e.At), 9), e.Dir.Arrow(), e.Signal, e.Name, e.Detail)
	}
	fmt.Fprintf(bw, "\nresult: %s\n", r.Outcome())
	if len(r.Problems) > 0 {
		fmt.Fprintf(bw, "problems:\n")
		for _, p := range r.Problems {
			fmt.Fprintf(bw, "  %s\n", p)
		}
	}
	return bw.Flush()
}

func pad(s string, n int) string {
	for len(s) < n {
		s = " " + s
	}
	return s
}

// Outcome sums the call up in one line.
func (r *Report) Outcome() string {
	pages := plural(r.Pages, "page")
	switch {
	case r.Complete && len(r.Problems) == 0:
		return fmt.Sprintf("OK, %s confirmed", pages)
	case r.Complete:
		return fmt.Sprintf("document complete (%s confirmed) after %s", pages, plural(len(r.Problems), "problem"))
	}
	return fmt.Sprintf("FAILED, %s confirmed, document incomplete", pages)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
