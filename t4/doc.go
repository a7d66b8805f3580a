// Package t4 is softfax's page layer: every fax starts and ends as pages.
//
// A [Page] is a bilevel raster at a fax resolution. The codecs encode and
// decode its rows as ITU-T T.4 one-dimensional (MH) and two-dimensional (MR)
// coding and T.6 (MMR); the streaming decoder resynchronises after damaged
// rows and counts them, because T.30 chooses MCF or RTN from that count.
// Around the codecs sit TIFF Class F (multi-page read and write), PDF output
// and the rendering of ordinary documents (text, images, TIFF, PDF and
// PostScript) into fax pages.
//
// The layers above (t30, spool, delivery) see only pages and files; nothing
// here knows about modems or calls.
package t4
