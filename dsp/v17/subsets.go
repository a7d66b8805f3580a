package v17

import "math"

// subsetLattice finds the nearest point of each subset by arithmetic
// instead of search. With set partitioning (V.32bis, which V.17 follows)
// each of the eight subsets of a constellation is the part of one coset
// c + Λ of a lattice Λ that lies inside the constellation, Λ being either
// m·Z² or m·R·Z² with R = [1 1; 1 -1] (the square lattice turned by 45°).
// The nearest point of the coset is found by rounding coordinates; it is
// the nearest of the subset whenever it lies in the constellation, which
// is so for every received point inside it. Near the edge the caller
// falls back to subsetGrid.
type subsetLattice struct {
	m       float64 // lattice scale
	rotated bool    // Λ = m·R·Z² rather than m·Z²
	off     [8]point
	// label[y+latticeRange][x+latticeRange] is the label of the point at
	// (x, y), or noLabel where there is none.
	label [2 * latticeRange][2 * latticeRange]uint8 // coset[set][j+8][i+8] is the label of the point off[set] + Λ·(i, j),
	// or noLabel where that is not in the constellation (|i|, |j| < 8).
	coset [8][16][16]uint8
	// The lattice coordinates of the nearest coset point in integers: with
	// S = 2m = 1<<shift and A = floor(2·re) (or floor(re+im) for the turned
	// lattice), i = (A + qa[set]) >> shift, and likewise j from B =
	// floor(2·im) (or floor(re-im)) and qb. The offsets are integers since
	// the points' coordinates are.
	qa, qb [8]int
	shift  uint
}

// latticeRange bounds the coordinates the lookup table covers: the
// constellations reach ±9, rounding a point within ±10 can reach ±14.
const latticeRange = 16

const noLabel = 255

// newSubsetLattice returns the lattice description of the constellation
// pts (indexed by label, the subset in the low three bits), or nil if no
// lattice of the two kinds makes every subset a single coset.
func newSubsetLattice(pts []point) *subsetLattice {
	for _, rotated := range []bool{false, true} {
		for _, m := range []float64{8, 4} { // coset covers ±7 lattice steps: enough from 4 up
			l := &subsetLattice{m: m, rotated: rotated}
			if l.fit(pts) && l.integerOffsets() {
				return l
			}
		}
	}
	return nil
}

// fit fills l for pts and reports whether each subset is exactly the
// constellation's part of one coset.
func (l *subsetLattice) fit(pts []point) bool {
	for y := range l.label {
		for x := range l.label[y] {
			l.label[y][x] = noLabel
		}
	}
	var have [8]bool
	for lab, p := range pts {
		set := lab & 7
		if !have[set] {
			l.off[set], have[set] = p, true
		}
		if l.nearestInCoset(set, p.re, p.im) != p {
			return false // p is not in its subset's coset
		}
		x, y := int(p.re)+latticeRange, int(p.im)+latticeRange
		if x < 0 || y < 0 || x >= 2*latticeRange || y >= 2*latticeRange || l.label[y][x] != noLabel {
			return false
		}
		l.label[y][x] = uint8(lab)
	}
	// No two subsets may share a coset.
	for a := range l.off {
		for b := a + 1; b < len(l.off); b++ {
			if l.nearestInCoset(a, l.off[b].re, l.off[b].im) == l.off[b] {
				return false
			}
		}
	}
	for set, c := range l.off {
		for j := range 16 {
			for i := range 16 {
				u, v := float64(i-8), float64(j-8)
				x, y := c.re+l.m*u, c.im+l.m*v
				if l.rotated {
					x, y = c.re+l.m*(u+v), c.im+l.m*(u-v)
				}
				l.coset[set][j][i] = noLabel
				if xi, yi := int(x)+latticeRange, int(y)+latticeRange; xi >= 0 && yi >= 0 && xi < 2*latticeRange && yi < 2*latticeRange {
					l.coset[set][j][i] = l.label[yi][xi]
				}
			}
		}
	}
	return true
}

// integerOffsets fills qa, qb and shift, and reports whether the offsets
// are integers and 2m a power of two, as nearest needs.
func (l *subsetLattice) integerOffsets() bool {
	s := 2 * l.m
	l.shift = uint(math.Round(math.Log2(s)))
	if float64(int(1)<<l.shift) != s {
		return false
	}
	for set, c := range l.off {
		if c.re != math.Trunc(c.re) || c.im != math.Trunc(c.im) {
			return false
		}
		if l.rotated {
			l.qa[set] = int(l.m - (c.re + c.im))
			l.qb[set] = int(l.m - (c.re - c.im))
		} else {
			l.qa[set] = int(l.m - 2*c.re)
			l.qb[set] = int(l.m - 2*c.im)
		}
	}
	return true
}

// nearestInCoset returns the point of the coset of subset set nearest to
// (re, im).
func (l *subsetLattice) nearestInCoset(set int, re, im float64) point {
	c := l.off[set&7]
	dx, dy := re-c.re, im-c.im
	// Floor(x+0.5) rounds like math.Round but for ties, which do not
	// matter here, and compiles to one instruction.
	if !l.rotated {
		return point{c.re + l.m*math.Floor(dx/l.m+0.5), c.im + l.m*math.Floor(dy/l.m+0.5)}
	}
	u := math.Floor((dx+dy)/(2*l.m) + 0.5)
	v := math.Floor((dx-dy)/(2*l.m) + 0.5)
	return point{c.re + l.m*(u+v), c.im + l.m*(u-v)}
}

// nearest fills idx and dist with the nearest point of each subset to
// (re, im) and its squared distance, and returns the subsets (bit s for
// subset s) whose nearest coset point lies outside the constellation,
// whose entries it leaves meaningless: all of them far from the constellation.
func (l *subsetLattice) nearest(pts *[128]point, re, im float64, idx *[8]uint8, dist *[8]float64) (missed uint8) {
	if !(math.Abs(re) < latticeRange-6 && math.Abs(im) < latticeRange-6) {
		return 0xff // also NaN
	}
	// floor(i/S + offset) for all eight cosets from one conversion per
	// axis: floor((x + q)/S) = floor((floor(x) + q)/S) for an integer q,
	// and an arithmetic shift floors. Truncation of a positive number is
	// floor: the bias keeps it positive (|re|, |im| < 10 here).
	const bias = 1 << 10
	a, b := 2*re, 2*im
	if l.rotated {
		a, b = re+im, re-im
	}
	ai := int(a+bias) - bias
	bi := int(b+bias) - bias
	for set := range l.off {
		i := (ai + l.qa[set]) >> (l.shift & 63)
		j := (bi + l.qb[set]) >> (l.shift & 63)
		lab := l.coset[set&7][(j+8)&15][(i+8)&15]
		// Without a branch: the edge of the constellation is where the
		// noise puts symbols at random, so a branch would mispredict. A
		// missed subset gets a meaningless entry that the caller replaces.
		missed |= lab >> 7 << set // noLabel has bit 7 set, labels do not
		q := &pts[lab&127]
		ex, ey := re-q.re, im-q.im
		idx[set], dist[set] = lab, ex*ex+ey*ey
	}
	return missed
}

// nearest fills idx and dist with the nearest point of each subset to
// (re, im) and its squared distance: by lattice rounding where that finds
// a point of the constellation, by the grid's candidates elsewhere.
func (p *rateParams) nearest(re, im float64, idx *[8]uint8, dist *[8]float64) {
	switch len(p.points) {
	case 16: // 7200 bit/s: two points a subset
		nearestSmall(p.padded, 2, re, im, idx, dist)
		return
	case 32: // 9600 bit/s: four points a subset
		nearestSmall(p.padded, 4, re, im, idx, dist)
		return
	}
	missed := uint8(0xff)
	if p.lattice != nil {
		missed = p.lattice.nearest(p.padded, re, im, idx, dist)
	}
	if missed != 0 {
		p.grid.nearest(p.padded, re, im, missed, idx, dist)
	}
}

// nearestSmall fills idx and dist with the nearest point of each subset by
// measuring the distance to every point, for the small constellations
// (k = 2 or 4 points a subset, labels set, set+8, ...): there this costs
// less than rounding to eight lattice cosets, which near the edge often
// miss and go to the grid. The least distance is found by integer min on
// the bit patterns with the point's number in the low bits (non-negative
// floats order like their bit patterns), which compiles to conditional
// moves: the choices follow the noise and would mispredict as branches.
// The distance returned has those low bits cleared, a change of under
// 2^-50 of itself.
func nearestSmall(pts *[128]point, k int, re, im float64, idx *[8]uint8, dist *[8]float64) {
	mask := uint64(k - 1) // k is a power of two
	for set := range 8 {
		best := uint64(math.MaxUint64)
		for j := range k {
			q := &pts[(set+8*j)&127]
			ex, ey := re-q.re, im-q.im
			best = min(best, math.Float64bits(ex*ex+ey*ey)&^mask|uint64(j))
		}
		idx[set] = uint8(set + 8*int(best&mask))
		dist[set] = math.Float64frombits(best &^ mask)
	}
}
