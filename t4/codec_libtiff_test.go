package t4

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/softfax/softfax/internal/peer"
)

// These tests hold our encoder to libtiff's, the reference every fax
// program's files meet: tiffcp codes a raw page as G3 (MH), G3 2-D (MR) and
// G4 (MMR), and our streams must be bit-identical to its strips, and decode
// to the same pixels. Identical codes also mean identical sizes, which the
// project's benchmark against tiffcp relies on.

// codecWriteRawTIFF writes p as an uncompressed single-strip bilevel TIFF
// (WhiteIsZero, so set bits are black as in Page).
func codecWriteRawTIFF(t *testing.T, path string, p *Page, yres uint32) {
	t.Helper()
	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32
	}
	const short, long, rational = 3, 4, 5
	pixOff := uint32(8)
	resOff := pixOff + uint32(len(p.Pix))
	ifdOff := resOff + 16
	entries := []entry{
		{256, long, 1, uint32(p.Width)},
		{257, long, 1, uint32(p.Height)},
		{258, short, 1, 1}, // BitsPerSample
		{259, short, 1, 1}, // no compression
		{262, short, 1, 0}, // WhiteIsZero
		{273, long, 1, pixOff},
		{277, short, 1, 1}, // SamplesPerPixel
		{278, long, 1, uint32(p.Height)},
		{279, long, 1, uint32(len(p.Pix))},
		{282, rational, 1, resOff},
		{283, rational, 1, resOff + 8},
		{296, short, 1, 2}, // inches
	}
	var b []byte
	b = append(b, 'I', 'I', 42, 0)
	b = binary.LittleEndian.AppendUint32(b, ifdOff)
	b = append(b, p.Pix...)
	b = binary.LittleEndian.AppendUint32(b, 204)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, yres)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.typ)
		b = binary.LittleEndian.AppendUint32(b, e.count)
		if e.typ == short {
			b = binary.LittleEndian.AppendUint16(b, uint16(e.value))
			b = append(b, 0, 0)
		} else {
			b = binary.LittleEndian.AppendUint32(b, e.value)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, 0)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// codecReadStrip returns the data of the single strip of the first image of a
// little-endian TIFF, and its T4Options.
func codecReadStrip(t *testing.T, path string) (strip []byte, t4opts uint32) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 || string(b[:2]) != "II" {
		t.Fatalf("%s: not a little-endian TIFF", path)
	}
	le := binary.LittleEndian
	ifd := int(le.Uint32(b[4:]))
	n := int(le.Uint16(b[ifd:]))
	var off, count uint32
	for i := range n {
		e := b[ifd+2+12*i:]
		tag, typ, cnt := le.Uint16(e), le.Uint16(e[2:]), le.Uint32(e[4:])
		v := le.Uint32(e[8:])
		if typ == 3 {
			v = uint32(le.Uint16(e[8:]))
		}
		switch tag {
		case 273:
			if cnt != 1 {
				t.Fatalf("%s: %d strips", path, cnt)
			}
			off = v
		case 279:
			count = v
		case 292:
			t4opts = v
		}
	}
	return b[off : off+count], t4opts
}

func TestMatchesLibtiff(t *testing.T) {
	tiffcp := peer.Require(t, "tiffcp", "libtiff-tools")
	dir := t.TempDir()
	pages := codecCorpus(t)
	for _, tc := range []struct {
		flag string
		opt  EncodeOptions
		yres uint32
		all  bool // every codecCorpus page, or the first four
	}{
		{"g3", EncodeOptions{Compression: MH}, 196, true},
		{"g3:2d", EncodeOptions{Compression: MR, K: 4}, 196, true}, // libtiff: K=4 above 150 lines/inch
		{"g3:2d", EncodeOptions{Compression: MR, K: 2}, 98, false},
		{"g3:fill", EncodeOptions{Compression: MH, AlignEOL: true}, 196, false},
		{"g3:2d:fill", EncodeOptions{Compression: MR, K: 2, AlignEOL: true}, 98, false},
		{"g4", EncodeOptions{Compression: MMR, RTC: true}, 196, true},
	} {
		for i, tp := range pages {
			if !tc.all && i >= 4 {
				continue
			}
			name := fmt.Sprintf("%s-%d/%s", tc.flag, tc.yres, tp.name)
			t.Run(name, func(t *testing.T) {
				in := filepath.Join(dir, "in.tif")
				out := filepath.Join(dir, "out.tif")
				codecWriteRawTIFF(t, in, tp.page, tc.yres)
				cmd := exec.Command(tiffcp, "-c", tc.flag, "-r", fmt.Sprint(tp.page.Height), in, out)
				if msg, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("tiffcp: %v: %s", err, msg)
				}
				want, _ := codecReadStrip(t, out)
				got, err := Encode(tp.page, tc.opt)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Fatalf("our %d bytes differ from libtiff's %d from byte %d", len(got), len(want), i)
				}
			})
		}
	}
}
