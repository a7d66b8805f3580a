package analyze

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/softfax/softfax/internal/spandsp"
	"github.com/softfax/softfax/line"
	"github.com/softfax/softfax/t30"
	"github.com/softfax/softfax/t4"
)

// testPage draws text-like strokes, so every code table is used.
func testPage(t testing.TB, seed uint64, height int) *t4.Page {
	t.Helper()
	p, err := t4.NewPage(1728, height, t4.Resolution{X: 204, Y: 196})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for y := 4; y < height-10; y += 12 {
		for x := 40; x < 1728-60; {
			w, h := 2+r.IntN(40), 3+r.IntN(6)
			for yy := y; yy < y+h; yy++ {
				for xx := x; xx < x+w; xx++ {
					p.Set(xx, yy, true)
				}
			}
			x += w + 1 + r.IntN(30)
		}
	}
	return p
}

// writeTIFF writes pages as a TIFF Class F file spandsp can send.
func writeTIFF(t testing.TB, pages ...*t4.Page) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.tif")
	var buf bytes.Buffer
	if err := t4.WriteTIFF(&buf, pages, t4.TIFFOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// frameNames lists frames as "<- DCS" lines: direction and FCF mnemonic
// (PPS with its FCF2).
func frameName(dir Direction, data []byte) string {
	var f t30.Frame
	if err := f.Unmarshal(data); err != nil {
		return "?"
	}
	n := f.FCF.Code().String()
	if f.FCF.Code() == t30.FCFPPS && len(f.Info) > 0 {
		n += "-" + t30.FCF(f.Info[0]).Code().String()
	}
	return dir.Arrow() + " " + n
}

// spandspFrames is spandsp's own log of the control frames (ECM data
// frames sent at high speed are left out: they are not V.21 frames).
func spandspFrames(res *spandsp.FaxCallResult) []string {
	var out []string
	for _, f := range res.Frames {
		if len(f.Data) >= 3 {
			c := t30.FCF(f.Data[2]).Code()
			if c == t30.FCFFCD || c == t30.FCFRCP {
				continue
			}
		}
		dir := FromCalled
		if f.Caller {
			dir = FromCaller
		}
		out = append(out, frameName(dir, f.Data))
	}
	return out
}

func reportFrames(r *Report) []string {
	var out []string
	for _, e := range r.Events {
		if e.Kind == KindFrame {
			out = append(out, frameName(e.Dir, e.Frame))
		}
	}
	return out
}

// checkPages checks the rows of each page's last appearance (a page sent
// again after RTN appears twice): all rows there, none bad.
func checkPages(t *testing.T, r *Report, heights ...int) {
	t.Helper()
	last := map[string]Event{}
	for _, e := range r.Events {
		if e.Kind == KindData && strings.HasPrefix(e.Name, "page ") {
			last[e.Name] = e
		}
	}
	if len(last) != len(heights) {
		t.Errorf("%d pages seen, want %d", len(last), len(heights))
	}
	for i, h := range heights {
		e := last[fmt.Sprintf("page %d", i+1)]
		if e.Rows != h || e.BadRows != 0 {
			t.Errorf("page %d: %d rows, %d bad; want %d, none bad", i+1, e.Rows, e.BadRows, h)
		}
	}
}

// mono mixes a stereo recording to one channel, as a tap on a two-wire line
// hears it.
func mono(chans [][]int16) [][]int16 {
	m := make([]int16, len(chans[0]))
	for i := range m {
		m[i] = int16(max(-32768, min(32767, int(chans[0][i])+int(chans[1][i]))))
	}
	return [][]int16{m}
}

func TestSpandspCall(t *testing.T) {
	fc := spandsp.RequireFaxCall(t)
	doc := writeTIFF(t, testPage(t, 1, 300), testPage(t, 2, 200))
	cases := []struct {
		name   string
		modems int
		ecm    bool
		comp   int
	}{
		{"V17", spandsp.ModemsV17, false, spandsp.CompressMH},
		{"V17-ECM", spandsp.ModemsV17, true, spandsp.CompressMMR},
		{"V29", spandsp.ModemsV29, false, spandsp.CompressMR},
		{"V29-ECM", spandsp.ModemsV29, true, 0},
		{"V27ter", spandsp.ModemsV27ter, false, spandsp.CompressMH},
		{"V27ter-ECM", spandsp.ModemsV27ter, true, spandsp.CompressMR},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := fc.Run(context.Background(), spandsp.FaxCallSpec{TIFF: doc, ECM: tc.ecm, Modems: tc.modems, Compressions: tc.comp})
			if err != nil {
				t.Fatal(err)
			}
			if res.CallerCode != 0 || res.AnswererCode != 0 || res.Pages != 2 {
				t.Fatalf("spandsp call failed: caller %q, answerer %q, %d pages", res.CallerText, res.AnswererText, res.Pages)
			}
			a, err := line.DecodeWAV(res.WAV)
			if err != nil {
				t.Fatal(err)
			}
			want := spandspFrames(res)
			for _, layout := range []string{"stereo", "mono"} {
				chans := a.Channels
				if layout == "mono" {
					chans = mono(chans)
				}
				r, err := Channels(chans)
				if err != nil {
					t.Fatal(err)
				}
				var out strings.Builder
				r.WriteText(&out)
				t.Logf("%s %s:\n%s", tc.name, layout, out.String())
				got := reportFrames(r)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: frames\n got %q\nwant %q", layout, got, want)
				}
				if !r.Complete || r.Pages != 2 || len(r.Problems) != 0 {
					t.Errorf("%s: complete %v, %d pages, problems %q", layout, r.Complete, r.Pages, r.Problems)
				}
				checkPages(t, r, 300, 200)
			}
		})
	}
}

func TestSpandspFailures(t *testing.T) {
	fc := spandsp.RequireFaxCall(t)
	doc := writeTIFF(t, testPage(t, 1, 300), testPage(t, 2, 200))
	cases := []struct {
		name        string
		ecm         bool
		start, len  float64
		level       float64
		wantProblem string
	}{
		{"noise-in-TCF", false, 8.6, 0.6, -20, "FTT"},
		{"noise-in-page", false, 12.0, 1.0, -20, "RTN"},
		{"noise-in-ECM-block", true, 12.0, 0.5, -20, "PPR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := fc.Run(context.Background(), spandsp.FaxCallSpec{TIFF: doc, ECM: tc.ecm, Modems: spandsp.ModemsV17, Compressions: spandsp.CompressMH,
				NoiseStart: tc.start, NoiseLen: tc.len, NoiseDBm0: tc.level})
			if err != nil {
				t.Fatal(err)
			}
			r, err := File(res.WAV)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			r.WriteText(&out)
			t.Logf("spandsp: caller %q, answerer %q\n%s", res.CallerText, res.AnswererText, out.String())
			if got, want := reportFrames(r), spandspFrames(res); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("frames\n got %q\nwant %q", got, want)
			}
			found := false
			for _, p := range r.Problems {
				found = found || strings.Contains(p, tc.wantProblem+":")
			}
			if !found {
				t.Errorf("no %s among the problems %q", tc.wantProblem, r.Problems)
			}
			if !r.Complete || r.Pages != 2 {
				t.Errorf("complete %v, %d pages; spandsp recovered and sent both", r.Complete, r.Pages)
			}
			checkPages(t, r, 300, 200)
		})
	}
}
