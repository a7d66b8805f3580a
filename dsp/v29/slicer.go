package v29

import "github.com/softfax/softfax/dsp/internal/qam"

// slicer finds the constellation point nearest to an equalized symbol. A
// grid of cells half a unit wide over the signal space lists, for each
// cell, the few points whose decision regions touch it, so a decision
// compares one to four distances instead of sixteen.
type slicer struct {
	cells [sliceCells * sliceCells]sliceCell
}

type sliceCell struct {
	n   uint8
	idx [4]uint8
}

const (
	sliceCells = 28  // cells per axis
	sliceMin   = -7  // signal space covered: [-7, 7) on both axes
	sliceStep  = 0.5 // cell width
)

// newSlicer builds the grid for the constellation indices points.
func newSlicer(points []int) *slicer {
	s := &slicer{}
	const sub = 8 // probe each cell on a sub×sub grid, edges included
	for cy := range sliceCells {
		for cx := range sliceCells {
			c := &s.cells[cy*sliceCells+cx]
			for j := 0; j <= sub; j++ {
				for i := 0; i <= sub; i++ {
					z := qam.C(sliceMin+(float64(cx)+float64(i)/sub)*sliceStep,
						sliceMin+(float64(cy)+float64(j)/sub)*sliceStep)
					c.add(uint8(nearest(points, z)))
				}
			}
		}
	}
	return s
}

func (c *sliceCell) add(p uint8) {
	for _, q := range c.idx[:c.n] {
		if q == p {
			return
		}
	}
	if int(c.n) < len(c.idx) {
		c.idx[c.n] = p
		c.n++
	}
}

// nearest is the exhaustive search, for building the grid and for symbols
// outside it.
func nearest(points []int, z qam.Complex) int {
	best, bestD := 0, -1.0
	for _, i := range points {
		if d := z.Sub(constellation[i]).Abs2(); bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// slice returns the index of the constellation point nearest to z.
func (s *slicer) slice(points []int, z qam.Complex) int {
	fx := (z.Re - sliceMin) / sliceStep
	fy := (z.Im - sliceMin) / sliceStep
	if !(fx >= 0 && fx < sliceCells && fy >= 0 && fy < sliceCells) { // also NaN
		return nearest(points, z)
	}
	c := &s.cells[int(fy)*sliceCells+int(fx)]
	best, bestD := 0, -1.0
	for _, i := range c.idx[:c.n] {
		if d := z.Sub(constellation[i]).Abs2(); bestD < 0 || d < bestD {
			best, bestD = int(i), d
		}
	}
	return best
}
