package t4

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/softfax/softfax/internal/peer"
)

// TestEfix holds our MH coding to efax's, the fax program iaxmodem users
// run: efix codes a PBM as raw Group 3 ("-o fax": EOL before each row and
// RTC) and decodes raw Group 3 back to PBM.
func TestEfix(t *testing.T) {
	efix := peer.Require(t, "efix", "efax")
	dir := t.TempDir()
	for _, tp := range []codecTestPage{
		{"text", codecTextPage(t, WidthA4, 600, 31)},
		{"halftone", codecHalftonePage(t, WidthA4, 100)},
		{"long-runs-2432", codecLongRunPage(t, WidthA3, 40)},
	} {
		t.Run(tp.name, func(t *testing.T) {
			pbm := filepath.Join(dir, tp.name+".pbm")
			header := fmt.Sprintf("P4\n%d %d\n", tp.page.Width, tp.page.Height)
			if err := os.WriteFile(pbm, append([]byte(header), tp.page.Pix...), 0o644); err != nil {
				t.Fatal(err)
			}
			// efix's coding decodes to the page and equals ours.
			theirs, err := exec.Command(efix, "-v", "", "-i", "pbm", "-o", "fax", pbm).Output()
			if err != nil {
				t.Fatalf("efix -o fax: %v", err)
			}
			got, st, err := Decode(theirs, DecodeOptions{Compression: MH, Width: tp.page.Width})
			if err != nil || st.BadRows != 0 || !st.RTC {
				t.Fatalf("decoding efix: stats %+v, err %v", st, err)
			}
			codecSamePixels(t, got, tp.page)
			// The same codes; efix only adds fill before its last EOL, and
			// sometimes a stray bit after the RTC, to end on a byte boundary.
			ours, _ := Encode(tp.page, EncodeOptions{Compression: MH, RTC: true})
			if !strings.HasPrefix(codecNormalizeFill(theirs), codecNormalizeFill(ours)) {
				t.Errorf("ours %d bytes, efix's %d: not the same coding", len(ours), len(theirs))
			}
			if tp.page.Width != WidthA4 {
				return // efix reads raw G3 as 1728 pixels wide
			}
			// efix decodes our coding to the page.
			fax := filepath.Join(dir, tp.name+".g3")
			if err := os.WriteFile(fax, ours, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(efix, "-v", "", "-i", "fax", "-o", "pbm", fax).Output()
			if err != nil {
				t.Fatalf("efix -o pbm: %v", err)
			}
			back := codecParsePBM(t, out) // padded to the length of A4
			if back.Width != tp.page.Width || back.Height < tp.page.Height {
				t.Fatalf("efix decoded %dx%d", back.Width, back.Height)
			}
			for y := range tp.page.Height {
				if !codecRowsEqual(back, tp.page, y, y) {
					t.Fatalf("efix decodes row %d of our coding differently", y)
				}
			}
		})
	}
}

var codecEolWithFill = regexp.MustCompile("0{11,}1")

// codecNormalizeFill returns the bits of data with fill removed: every EOL
// reduced to its twelve bits, trailing zeros dropped.
func codecNormalizeFill(data []byte) string {
	s := strings.TrimRight(codecBitString(data), "0")
	return codecEolWithFill.ReplaceAllString(s, "000000000001")
}
