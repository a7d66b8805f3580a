package t30

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/softfax/softfax/modem"
	"github.com/softfax/softfax/t4"
)

// BenchmarkSessionV17Page measures the CPU time of a whole fax back to back
// at V.17 14400 (both ends: modulation, demodulation, T.4 coding, T.30),
// reported per page. The pages are A4 at fine resolution with text-like
// content: three pages of a business letter rendered by t4.Render.
func BenchmarkSessionV17Page(b *testing.B) {
	for _, ecm := range []bool{false, true} {
		name := "ECM=off"
		if ecm {
			name = "ECM=on"
		}
		b.Run(name, func(b *testing.B) {
			pages := benchPages(b)
			nPages := len(pages)
			cfg := Config{Modulations: []modem.Modulation{modem.V17_14400}, ECM: ecm}
			var line time.Duration
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				col, rs, rr, p := fax(b, cfg, cfg, pages, linear(), 1200)
				if rs.Err != nil || rr.Err != nil || len(col.Pages) != nPages {
					b.Fatalf("sender %v, receiver %v", rs.Err, rr.Err)
				}
				line += time.Duration(p.samples) * time.Second / 8000
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*nPages), "ms/page")
			// CPU time (user+system of the process) is what a loaded machine
			// does not inflate as much as the wall clock.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N*nPages), "cpu-ms/page")
			b.ReportMetric(line.Seconds()/float64(b.N), "line-s/fax")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/line.Seconds(), "ms/line-s")
		})
	}
}

// benchPages renders three full A4 pages of text at fine resolution.
func benchPages(b *testing.B) []*t4.Page {
	b.Helper()
	var sb strings.Builder
	for i := 0; i < 3*62; i++ {
		sb.WriteString("Dear customer, this is a line of a three-page fax letter; digits 0123456789.\n")
	}
	pages, err := t4.Render(context.Background(), "letter.txt", []byte(sb.String()), t4.RenderOptions{Res: t4.Fine})
	if err != nil {
		b.Fatal(err)
	}
	return pages
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
