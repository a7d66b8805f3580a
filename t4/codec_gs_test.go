package t4

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/softfax/softfax/internal/peer"
)

// TestDecodeGhostscript decodes the raw fax streams of ghostscript's
// faxg3, faxg32d and faxg4 devices and the strip of its tiffcrle device, an encoder written independently of
// ours and of libtiff's, and compares them with the same page rendered as a
// PBM (testdata/codec/page.ps: text, a dithered grey area, a diagonal line).
func TestDecodeGhostscript(t *testing.T) {
	gs := peer.Require(t, "gs", "ghostscript")
	dir := t.TempDir()
	render := func(device string) string {
		out := filepath.Join(dir, device)
		cmd := exec.Command(gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE="+device, "-dMaxStripSize=0",
			"-r204x196", "-g1728x2200", "-dFIXEDMEDIA", "-sOutputFile="+out, filepath.Join("testdata", "codec", "page.ps"))
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gs %s: %v: %s", device, err, msg)
		}
		return out
	}
	want := codecReadPBM(t, render("pbmraw"))
	// TIFF Compression 2 (MH rows without EOLs, each starting on a byte
	// boundary), in the single strip of a TIFF; our coding must be the same.
	t.Run("tiffcrle", func(t *testing.T) {
		strip, _ := codecReadStrip(t, render("tiffcrle"))
		got, st, err := Decode(strip, DecodeOptions{Compression: MH, Width: want.Width, Height: want.Height, AlignRows: true})
		if err != nil || st.BadRows != 0 {
			t.Fatalf("stats %+v, err %v", st, err)
		}
		codecSamePixels(t, got, want)
		ours, err := Encode(want, EncodeOptions{Compression: MH, NoEOL: true, AlignRows: true})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, strip) {
			t.Errorf("ours %d bytes differ from ghostscript's %d", len(ours), len(strip))
		}
	})
	for _, tc := range []struct {
		device string
		c      Compression
	}{
		{"faxg3", MH},
		{"faxg32d", MR},
		{"faxg4", MMR},
	} {
		t.Run(tc.device, func(t *testing.T) {
			data, err := os.ReadFile(render(tc.device))
			if err != nil {
				t.Fatal(err)
			}
			got, st, err := Decode(data, DecodeOptions{Compression: tc.c, Width: want.Width})
			if err != nil {
				t.Fatal(err)
			}
			if st.BadRows != 0 {
				t.Errorf("stats %+v", st)
			}
			codecSamePixels(t, got, want)
			// Our coding of the same page is no bigger than ghostscript's.
			ours, _ := Encode(want, EncodeOptions{Compression: tc.c, K: 4, RTC: st.RTC})
			t.Logf("%s: ghostscript %d bytes, ours %d, RTC %v", tc.device, len(data), len(ours), st.RTC)
			if len(ours) > len(data)*101/100 {
				t.Errorf("ours %d bytes, ghostscript's %d", len(ours), len(data))
			}
		})
	}
}

// codecReadPBM reads a binary PBM (P4), whose rows are packed like Page's.
func codecReadPBM(t *testing.T, path string) *Page {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return codecParsePBM(t, b)
}

// codecParsePBM parses a binary PBM (P4).
func codecParsePBM(t *testing.T, b []byte) *Page {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(b))
	var fields []int
	var magic string
	for len(fields) < 2 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal("bad PBM header")
		}
		if line[0] == '#' {
			continue
		}
		if magic == "" {
			magic = line[:2]
			line = line[2:]
		}
		var a, b int
		if n, _ := fmt.Sscan(line, &a, &b); n == 2 {
			fields = append(fields, a, b)
		}
	}
	if magic != "P4" {
		t.Fatalf("%q is not P4", magic)
	}
	p := codecMustPage(t, fields[0], fields[1])
	if n, _ := r.Read(p.Pix); n != len(p.Pix) {
		if _, err := io.ReadFull(r, p.Pix[n:]); err != nil {
			t.Fatal("short PBM")
		}
	}
	return p
}
