package t4

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
)

// maxImagePixels and maxImageBytes bound the images Render decodes: a
// 10000 x 10000 scan (100 megapixels; 100 MB as greyscale, 400 MB as
// 8-bit RGBA) is accepted, anything larger is refused from its header,
// before decoding, so that a small hostile file cannot claim gigabytes.
const (
	maxImagePixels = 100_000_000
	maxImageBytes  = 512 << 20
)

// imageMarginIn is the blank border left around images and rasterised
// PDF pages: fax machines lose a few millimetres at every edge.
const imageMarginIn = 0.2

// renderImageFile decodes a PNG, JPEG or GIF (the first frame of an
// animation) and fits it on one page.
func renderImageFile(data []byte, opt RenderOptions) ([]*Page, error) {
	var (
		cfg    image.Config
		decode func([]byte) (image.Image, error)
		err    error
	)
	r := bytes.NewReader(data)
	switch SniffFormat(data) {
	case FormatPNG:
		cfg, err = png.DecodeConfig(r)
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	case FormatJPEG:
		cfg, err = jpeg.DecodeConfig(r)
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	case FormatGIF:
		cfg, err = gif.DecodeConfig(r)
		decode = func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) }
	default:
		return nil, ErrUnknownFormat
	}
	if err != nil {
		return nil, fmt.Errorf("decoding image header: %w", err)
	}
	if err := checkImageConfig(cfg); err != nil {
		return nil, err
	}
	img, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("decoding image: %w", err)
	}
	p, err := fitImage(img, 1, opt)
	if err != nil {
		return nil, err
	}
	return []*Page{p}, nil
}

// checkImageConfig checks an image's header against the pixel and memory
// bounds, with the memory its decoder will allocate for its colour model.
func checkImageConfig(cfg image.Config) error {
	if err := checkImageSize(cfg.Width, cfg.Height); err != nil {
		return err
	}
	bpp := int64(8) // 16-bit RGBA, the worst case
	switch cfg.ColorModel {
	case color.GrayModel, color.AlphaModel:
		bpp = 1
	case color.Gray16Model, color.Alpha16Model:
		bpp = 2
	case color.YCbCrModel:
		bpp = 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel:
		bpp = 4
	}
	if _, ok := cfg.ColorModel.(color.Palette); ok {
		bpp = 1
	}
	if n := int64(cfg.Width) * int64(cfg.Height) * bpp; n > maxImageBytes {
		return fmt.Errorf("%w: %dx%d pixels would take %d MB to decode, limit %d MB",
			ErrImageTooLarge, cfg.Width, cfg.Height, n>>20, maxImageBytes>>20)
	}
	return nil
}

func checkImageSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: %dx%d", ErrEmptyImage, w, h)
	}
	if int64(w)*int64(h) > maxImagePixels {
		return fmt.Errorf("%w: %dx%d pixels, limit %d", ErrImageTooLarge, w, h, maxImagePixels)
	}
	return nil
}

// fitImage scales img to the largest size that fits the printable area of
// a page (keeping its aspect ratio, in physical units, so that the
// non-square pixels of standard resolution do not stretch it), centres it
// horizontally below the top margin, and dithers it to black and white.
// pixelAspect is the width of one source pixel over its height (1 for
// ordinary images; Res.Y/Res.X for a page of another resolution).
func fitImage(img image.Image, pixelAspect float64, opt RenderOptions) (*Page, error) {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if err := checkImageSize(sw, sh); err != nil {
		return nil, err
	}
	height := opt.pageHeight()
	page, err := NewPage(opt.Width, height, opt.Res)
	if err != nil {
		return nil, err
	}
	mx, my := imageMarginIn*opt.Res.X, imageMarginIn*opt.Res.Y
	availW := (float64(opt.Width) - 2*mx) / opt.Res.X // inches
	availH := (float64(height) - 2*my) / opt.Res.Y
	srcW, srcH := float64(sw)*pixelAspect, float64(sh) // in source-row units
	scale := min(availW/srcW, availH/srcH)             // inches per source row
	dw := max(1, min(opt.Width, int(math.Round(srcW*scale*opt.Res.X))))
	dh := max(1, min(height, int(math.Round(srcH*scale*opt.Res.Y))))
	x0 := (opt.Width - dw) / 2
	y0 := int(math.Round(my))
	if y0+dh > height {
		y0 = height - dh
	}
	lum := resample(img, dw, dh)
	ditherFloydSteinberg(page, lum, x0, y0, dw, dh)
	return page, nil
}

// srgbToLinear maps an 8-bit sRGB value to linear light (IEC 61966-2-1).
var srgbToLinear = func() (t [256]float32) {
	for i := range t {
		v := float64(i) / 255
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		t[i] = float32(v)
	}
	return t
}()

// rowLuminance writes row y of img as linear luminance in [0, 1], images
// with transparency composited over white paper. Common image types take
// fast paths; everything else goes through color.Color.
func rowLuminance(img image.Image, y int, dst []float32) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		row := m.Pix[(y-b.Min.Y)*m.Stride:]
		for x := range dst {
			dst[x] = srgbToLinear[row[x]]
		}
	case *image.Paletted:
		var pal [256]float32
		for i, c := range m.Palette {
			pal[i] = colorLuminance(c)
		}
		row := m.Pix[(y-b.Min.Y)*m.Stride:]
		for x := range dst {
			dst[x] = pal[row[x]]
		}
	case *image.YCbCr:
		for x := range dst {
			yi, ci := m.YOffset(b.Min.X+x, y), m.COffset(b.Min.X+x, y)
			r, g, bb := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			dst[x] = luminance8(r, g, bb)
		}
	case *image.NRGBA:
		row := m.Pix[(y-b.Min.Y)*m.Stride:]
		for x := range dst {
			p := row[4*x : 4*x+4]
			l := luminance8(p[0], p[1], p[2])
			a := float32(p[3]) / 255
			dst[x] = l*a + (1 - a)
		}
	case pageImage:
		for x := range dst {
			if m.Black(x, y) {
				dst[x] = 0
			} else {
				dst[x] = 1
			}
		}
	default:
		for x := range dst {
			dst[x] = colorLuminance(img.At(b.Min.X+x, y))
		}
	}
}

// luminance8 is the Rec. 709 luminance of an sRGB colour, in linear light.
func luminance8(r, g, b uint8) float32 {
	return 0.2126*srgbToLinear[r] + 0.7152*srgbToLinear[g] + 0.0722*srgbToLinear[b]
}

// colorLuminance composites c (alpha-premultiplied) over white and returns
// its linear luminance.
func colorLuminance(c color.Color) float32 {
	r, g, b, a := c.RGBA()
	white := 0xffff - a
	return luminance8(uint8((r+white)>>8), uint8((g+white)>>8), uint8((b+white)>>8))
}

// pageImage lets a Page be scaled like any image (a TIFF page that is not
// fax-sized): white is 1, black 0.
type pageImage struct{ *Page }

func (p pageImage) ColorModel() color.Model { return color.GrayModel }
func (p pageImage) Bounds() image.Rectangle { return image.Rect(0, 0, p.Width, p.Height) }
func (p pageImage) At(x, y int) color.Color {
	if p.Black(x, y) {
		return color.Gray{}
	}
	return color.Gray{Y: 0xff}
}

// filterTaps holds, for each destination index, the contributing source
// indices and weights of a separable resampling filter.
type filterTaps struct {
	start  []int       // first source index per destination index
	weight [][]float32 // weights from start on, summing to 1
}

// makeTaps builds a triangle (tent) filter from n source samples to m
// destination samples: bilinear interpolation when enlarging, and when
// reducing a tent as wide as two destination samples, which averages the
// source area without the aliasing of point sampling.
func makeTaps(n, m int) filterTaps {
	scale := float64(n) / float64(m) // source samples per destination sample
	support := max(1.0, scale)
	t := filterTaps{start: make([]int, m), weight: make([][]float32, m)}
	for i := range m {
		c := (float64(i)+0.5)*scale - 0.5 // centre in source coordinates
		lo := max(0, int(math.Ceil(c-support)))
		hi := min(n-1, int(math.Floor(c+support)))
		if hi < lo { // at the edges of tiny images
			lo, hi = min(max(0, int(math.Round(c))), n-1), min(max(0, int(math.Round(c))), n-1)
		}
		w := make([]float32, hi-lo+1)
		var sum float64
		for j := lo; j <= hi; j++ {
			v := 1 - math.Abs(float64(j)-c)/support
			if v < 0 {
				v = 0
			}
			w[j-lo] = float32(v)
			sum += v
		}
		if sum == 0 {
			w[0], sum = 1, 1
		}
		for k := range w {
			w[k] /= float32(sum)
		}
		t.start[i], t.weight[i] = lo, w
	}
	return t
}

// resample scales img to dw x dh linear-luminance samples. It streams the
// source row by row: each row is filtered horizontally, then added into
// the destination rows it contributes to, so memory is the destination
// plus one source row whatever the source's size.
func resample(img image.Image, dw, dh int) []float32 {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	hx := makeTaps(sw, dw)
	vy := makeTaps(sh, dh)
	// Invert the vertical taps: for each source row, the destination
	// rows it feeds and with what weight.
	type contrib struct {
		dst int
		w   float32
	}
	feeds := make([][]contrib, sh)
	for i := range dh {
		for k, w := range vy.weight[i] {
			if w != 0 {
				s := vy.start[i] + k
				feeds[s] = append(feeds[s], contrib{i, w})
			}
		}
	}
	out := make([]float32, dw*dh)
	src := make([]float32, sw)
	row := make([]float32, dw)
	for sy := range sh {
		if len(feeds[sy]) == 0 {
			continue
		}
		rowLuminance(img, b.Min.Y+sy, src)
		for i := range dw {
			var v float32
			s := src[hx.start[i]:]
			for k, w := range hx.weight[i] {
				v += w * s[k]
			}
			row[i] = v
		}
		for _, c := range feeds[sy] {
			d := out[c.dst*dw : (c.dst+1)*dw]
			for i, v := range row {
				d[i] += c.w * v
			}
		}
	}
	return out
}

// ditherFloydSteinberg draws dw x dh linear-luminance samples on p at
// (x0, y0), black where the error-diffused value falls below half the
// light. Diffusing the error in linear light keeps the page's average
// reflectance equal to the image's (a 50% grey comes out as half the
// pixels black, not the 22% a gamma-encoded threshold gives). The scan is
// serpentine, which breaks up the diagonal "worms" of a one-way scan.
func ditherFloydSteinberg(p *Page, lum []float32, x0, y0, dw, dh int) {
	cur := make([]float32, dw+2) // error carried into this row, offset by one
	next := make([]float32, dw+2)
	for y := range dh {
		clear(next)
		line := lum[y*dw : (y+1)*dw]
		ltr := y%2 == 0
		for k := range dw {
			x := k
			dir := 1
			if !ltr {
				x = dw - 1 - k
				dir = -1
			}
			v := line[x] + cur[x+1]
			var e float32
			if v < 0.5 {
				p.Set(x0+x, y0+y, true)
				e = v
			} else {
				e = v - 1
			}
			cur[x+1+dir] += e * 7 / 16
			next[x+1-dir] += e * 3 / 16
			next[x+1] += e * 5 / 16
			next[x+1+dir] += e * 1 / 16
		}
		cur, next = next, cur
	}
}
