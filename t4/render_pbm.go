package t4

import (
	"errors"
	"fmt"
)

// errPBM reports a malformed PBM file.
var errPBM = errors.New("t4: malformed PBM")

// parsePBM reads a binary PBM (netpbm "P4"): a header of magic, width and
// height separated by whitespace and "#" comments, one whitespace byte,
// then rows packed MSB first with 1 meaning black — exactly a Page's layout,
// so the page aliases data instead of copying it. Ghostscript's pbmraw
// device and pdftoppm -mono both write this format.
func parsePBM(data []byte, res Resolution) (*Page, error) {
	if len(data) < 2 || data[0] != 'P' || data[1] != '4' {
		return nil, fmt.Errorf("%w: no P4 magic", errPBM)
	}
	i := 2
	var dims [2]int
	for k := range dims {
		// Skip whitespace and comments before each number.
		for i < len(data) {
			c := data[i]
			if c == '#' {
				for i < len(data) && data[i] != '\n' && data[i] != '\r' {
					i++
				}
				continue
			}
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f' {
				break
			}
			i++
		}
		start, v := i, 0
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			v = v*10 + int(data[i]-'0')
			if v > MaxDimension {
				return nil, fmt.Errorf("%w: dimension too large", errPBM)
			}
			i++
		}
		if i == start {
			return nil, fmt.Errorf("%w: missing dimension", errPBM)
		}
		dims[k] = v
	}
	if i >= len(data) {
		return nil, fmt.Errorf("%w: truncated header", errPBM)
	}
	i++ // the single whitespace byte before the raster
	w, h := dims[0], dims[1]
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: %dx%d", ErrDimension, w, h)
	}
	stride := (w + 7) / 8
	if len(data)-i < stride*h {
		return nil, fmt.Errorf("%w: %d raster bytes, want %d", errPBM, len(data)-i, stride*h)
	}
	return &Page{Width: w, Height: h, Res: res, Stride: stride, Pix: data[i : i+stride*h : i+stride*h]}, nil
}
