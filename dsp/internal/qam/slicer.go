package qam

import "math"

// Slicer finds which of a fixed set of constellation points is nearest to
// a received symbol. A grid of square cells over the constellation lists,
// for each cell, every point that can be nearest somewhere inside it, so a
// decision costs a few distance computations instead of one per point. The
// lists are exact: a point is kept unless some other point is nearer to
// every position of the cell.
type Slicer struct {
	pts    []Complex
	x0, y0 float64 // lower-left corner of the grid
	step   float64 // cell width
	inv    float64 // 1/step
	nx, ny int
	start  []int32 // candidates of cell c are cand[start[c]:start[c+1]]
	cand   []uint8
}

// NewSlicer returns a slicer for points (at most 256) with cells of width
// step; the grid covers the points' bounding box and one cell around it.
// Symbols outside the grid are sliced by exhaustive search.
func NewSlicer(points []Complex, step float64) *Slicer {
	if len(points) == 0 || len(points) > 256 || !(step > 0) {
		return nil
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range points {
		minX, maxX = min(minX, p.Re), max(maxX, p.Re)
		minY, maxY = min(minY, p.Im), max(maxY, p.Im)
	}
	s := &Slicer{
		pts:  append([]Complex(nil), points...),
		x0:   minX - step,
		y0:   minY - step,
		step: step,
		inv:  1 / step,
		nx:   int(math.Ceil((maxX-minX)/step)) + 2,
		ny:   int(math.Ceil((maxY-minY)/step)) + 2,
	}
	s.start = make([]int32, s.nx*s.ny+1)
	for cy := range s.ny {
		for cx := range s.nx {
			lx, ly := s.x0+float64(cx)*step, s.y0+float64(cy)*step
			// The best guaranteed distance: the smallest farthest-corner
			// distance of any point.
			best := math.Inf(1)
			for _, p := range s.pts {
				best = min(best, farthest2(p, lx, ly, step))
			}
			for i, p := range s.pts {
				if nearest2(p, lx, ly, step) <= best {
					s.cand = append(s.cand, uint8(i))
				}
			}
			s.start[cy*s.nx+cx+1] = int32(len(s.cand))
		}
	}
	return s
}

// nearest2 is the squared distance from p to the nearest spot of the cell
// [lx, lx+w) × [ly, ly+w).
func nearest2(p Complex, lx, ly, w float64) float64 {
	dx := max(lx-p.Re, 0, p.Re-(lx+w))
	dy := max(ly-p.Im, 0, p.Im-(ly+w))
	return dx*dx + dy*dy
}

// farthest2 is the squared distance from p to the farthest corner of the
// cell.
func farthest2(p Complex, lx, ly, w float64) float64 {
	dx := max(math.Abs(p.Re-lx), math.Abs(p.Re-(lx+w)))
	dy := max(math.Abs(p.Im-ly), math.Abs(p.Im-(ly+w)))
	return dx*dx + dy*dy
}

// Nearest returns the index of the point nearest to z (the lowest index on
// a tie within a cell). A NaN symbol gives some valid index.
func (s *Slicer) Nearest(z Complex) int {
	fx := (z.Re - s.x0) * s.inv
	fy := (z.Im - s.y0) * s.inv
	var cand []uint8
	if fx >= 0 && fx < float64(s.nx) && fy >= 0 && fy < float64(s.ny) {
		c := int(fy)*s.nx + int(fx)
		cand = s.cand[s.start[c]:s.start[c+1]]
	}
	best, bestD := 0, math.Inf(1)
	if cand == nil {
		for i, p := range s.pts {
			if d := z.Sub(p).Abs2(); d < bestD {
				best, bestD = i, d
			}
		}
		return best
	}
	best = int(cand[0])
	for _, i := range cand {
		if d := z.Sub(s.pts[i]).Abs2(); d < bestD {
			best, bestD = int(i), d
		}
	}
	return best
}

// Point returns point i.
func (s *Slicer) Point(i int) Complex { return s.pts[i] }

// Len returns the number of points.
func (s *Slicer) Len() int { return len(s.pts) }

// MinKey returns the lesser of a and b, both below 2^63, by arithmetic:
// the compiler may make a branch of min, and where the choice follows the
// noise (a decision between constellation points) the branch mispredicts.
func MinKey(a, b uint64) uint64 {
	lt := uint64(int64(a-b) >> 63) // all ones if a < b
	return b ^ (a^b)&lt
}
