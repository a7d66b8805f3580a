// Package spandsp runs spandsp, the reference C implementation of the fax
// modems, next to ours, so tests and benchmarks can check softfax against it
// bit for bit: our transmitter into spandsp's receiver, spandsp's
// transmitter into our receiver, and CPU time on the same signals.
//
// It builds a small C program of ours, testdata/sfhelper.c (written against
// spandsp's public headers, no spandsp code), once per test binary, into a
// directory under os.TempDir named after a hash of the source, so that
// concurrent test binaries share one build. Tests get it with [Require],
// which skips the test when gcc or libspandsp-dev is missing (fails when
// CI=true, see internal/peer); programs use [Build].
//
// Each call starts one helper process and streams through its stdin and
// stdout (little-endian int16 samples, one byte per bit); the protocol is
// described at the top of sfhelper.c. Receivers inside the helper are fed
// one sample per call, so every [Event] and [Frame] carries the exact
// sample index at which spandsp reported it.
//
// Usage in a modem package's tests:
//
//	h := spandsp.Require(t)
//	spec := spandsp.Spec{Modem: "v29", Rate: 9600}
//	samples := h.Modulate(t, spec, bits)           // spandsp's transmitter
//	got, events := h.Demodulate(t, spec, ours)      // spandsp's receiver
//	errs, n, _ := spandsp.BitErrors(bits, got, 64)  // align and compare
//
// Modems: "v21" (channel 2, 300 bit/s, Rate ignored), "v27ter" (2400, 4800),
// "v29" (4800, 7200, 9600), "v17" (7200, 9600, 12000, 14400). ShortTrain selects
// V.17's short train on transmit, and on receive makes spandsp's receiver
// reuse the previous segment's training (V.27ter/V.29 "old train", V.17
// short train); use [Helper.ModulateSegments] and
// [Helper.DemodulateSegments] for a long train followed by a short one.
// HDLC (CRC-16, as T.30 uses it) over any of these modems:
// [Helper.ModulateHDLC] and [Helper.DemodulateHDLC]; HDLC alone, as bits:
// [Helper.HDLCBits] and [Helper.HDLCDecode]. Also the G.711 tables
// ([Helper.G711]), the connect tones CNG/CED ([Helper.ToneTransmit],
// [Helper.ToneDetect]), CPU timing ([Helper.TimeTransmit],
// [Helper.TimeReceive]) and bit error rates ([Helper.BitErrorRate],
// [BitErrors]), which bench/modems.sh uses. Spec.Cutoff lowers spandsp's
// receive threshold to what its fax engine uses ([FaxCutoff],
// [FaxCutoffV21]): its defaults are far above -43 dBm0.
package spandsp
