package t4

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/image/tiff"
)

// renderTIFF renders a TIFF. A fax TIFF — every page fax width at a fax
// resolution, as ReadTIFF reads TIFF Class F — passes through untouched,
// pixel for pixel: that is what a fax machine sent or will send, and
// scaling it would only blur it. Any other TIFF (a scan, a photo, a
// bilevel page of another size) is fitted and dithered like an image;
// bilevel pages keep their own pixel aspect ratio.
func renderTIFF(data []byte, opt RenderOptions) ([]*Page, error) {
	pages, faxErr := ReadTIFF(bytes.NewReader(data), int64(len(data)))
	if faxErr != nil && !errors.Is(faxErr, ErrUnsupported) {
		// A bilevel TIFF that is damaged: say so rather than render the
		// pages before the damage as if they were the whole document.
		return nil, fmt.Errorf("reading TIFF (%d pages readable): %w", len(pages), faxErr)
	}
	if faxErr == nil {
		out := make([]*Page, 0, len(pages))
		for _, tp := range pages {
			p := tp.Page
			if isFaxPage(p) {
				out = append(out, p)
				continue
			}
			if !(p.Res.X > 0 && p.Res.Y > 0) {
				p.Res = Resolution{1, 1} // unknown: square pixels
			}
			fitted, err := fitImage(pageImage{p}, p.Res.Y/p.Res.X, opt)
			if err != nil {
				return nil, err
			}
			out = append(out, fitted)
		}
		return out, nil
	}
	// Not bilevel (or not readable as such): x/image/tiff decodes the
	// first image of greyscale, palette and colour TIFFs.
	cfg, err := tiff.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading TIFF: %w (as fax TIFF: %w)", err, faxErr)
	}
	if err := checkImageConfig(cfg); err != nil {
		return nil, err
	}
	img, err := tiff.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("reading TIFF: %w (as fax TIFF: %w)", err, faxErr)
	}
	p, err := fitImage(img, 1, opt)
	if err != nil {
		return nil, err
	}
	return []*Page{p}, nil
}

// isFaxPage reports whether p is a page a fax machine sends: a T.4 width
// (A4, B4 or A3 at 8 dots/mm) at 8 dots/mm (written as 200 or 204 dpi)
// by 3.85, 7.7 or 15.4 lines/mm (98/100, 196/200 or 391/400 dpi).
func isFaxPage(p *Page) bool {
	switch p.Width {
	case WidthA4, WidthB4, WidthA3:
	default:
		return false
	}
	if p.Res.X < 195 || p.Res.X > 210 {
		return false
	}
	y := p.Res.Y
	return y >= 95 && y <= 102 || y >= 190 && y <= 205 || y >= 380 && y <= 410
}
