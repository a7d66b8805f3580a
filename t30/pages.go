package t30

import (
	"io"

	"github.com/softfax/softfax/t4"
)

// PageSource gives a sending session its pages, one at a time.
type PageSource interface {
	// NextPage returns the next page to send, or io.EOF after the last.
	NextPage() (*t4.Page, error)
}

// PageSink takes the pages a receiving session has received.
type PageSink interface {
	// PutPage is called once per page confirmed (MCF or RTP), in order.
	// An error ends the session with DCN.
	PutPage(p *t4.Page, info PageInfo) error
}

// PageInfo describes how a page arrived.
type PageInfo struct {
	Number      int // 1-based
	Compression t4.Compression
	Rows        int
	BadRows     int
	ECM         bool
	Bytes       int // coded size
}

// Pages is a PageSource over a slice.
type Pages struct {
	List []*t4.Page
	next int
}

// NextPage implements PageSource.
func (p *Pages) NextPage() (*t4.Page, error) {
	if p.next >= len(p.List) {
		return nil, io.EOF
	}
	p.next++
	return p.List[p.next-1], nil
}

// Collector is a PageSink that keeps pages in memory.
type Collector struct {
	Pages []*t4.Page
	Info  []PageInfo
}

// PutPage implements PageSink.
func (c *Collector) PutPage(p *t4.Page, info PageInfo) error {
	c.Pages = append(c.Pages, p)
	c.Info = append(c.Info, info)
	return nil
}

// convertPage returns p at the resolution the far end accepts: rows are
// merged in pairs (a black pixel in either row stays black) until the page
// is no finer than allowed. It returns p itself when nothing changes.
func convertPage(p *t4.Page, res t4.Resolution) (*t4.Page, error) {
	for p.Res.Y > res.Y*1.5 {
		var lower t4.Resolution
		switch {
		case p.Res.Y > t4.Fine.Y*1.5:
			lower = t4.Fine
		default:
			lower = t4.Standard
		}
		q, err := t4.NewPage(p.Width, (p.Height+1)/2, lower)
		if err != nil {
			return nil, err
		}
		for y := 0; y < q.Height; y++ {
			dst := q.Row(y)
			copy(dst, p.Row(2*y))
			if 2*y+1 < p.Height {
				for i, b := range p.Row(2*y + 1) {
					dst[i] |= b
				}
			}
		}
		p = q
	}
	return p, nil
}
