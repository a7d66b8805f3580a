// Package spandsp runs spandsp, the reference C implementation of the fax
// modems and of T.30 (the engine behind iaxmodem), next to ours, so that
// tests and benchmarks can check softfax against it: bit for bit at the
// modem layer, frame for frame and page for page at the T.30 layer. It is
// test infrastructure: the product has no cgo and never imports it.
//
// # Programs and how they are built
//
// The harness is three small C programs of ours in testdata/, written
// against spandsp's public headers (no spandsp code is copied), embedded in
// the package and compiled with gcc on first use:
//
//   - sfhelper.c: spandsp's modems, HDLC, G.711 and tones, one operation
//     per process ([Require], [Build], [Helper]);
//   - t30term.c: one spandsp T.30 fax terminal (fax_state_t) in lockstep
//     with a test over pipes ([StartTerminal], [Terminal]);
//   - faxcall.c: two spandsp terminals back to back, recording the call
//     ([RequireFaxCall], [FaxCaller]).
//
// t30term.c and faxcall.c share their terminal setup (fax_init, T.30
// capabilities, phase E and frame handlers, 20 ms blocks, frame logging) in
// testdata/faxterm.h. Every program is built at most once per test binary
// (build.go), into a directory under os.TempDir named after a hash of its
// source, faxterm.h and the compiler flags (from pkg-config when it knows
// spandsp): concurrent test binaries of `go test ./...` share one build, an
// edited source gets a fresh one, and a build that is already there costs a
// stat.
//
// # Missing peers and CI
//
// When gcc or libspandsp-dev (the headers or the library) is missing, every
// Require function skips the test with a message naming the Debian package
// to install; when CI=true it fails the test instead (see internal/peer), so
// CI never passes by skipping the interop tests. A C program that does not
// compile for any other reason always fails the test.
//
// # Modems, HDLC, G.711 and tones (sfhelper)
//
// Each call starts one helper process and streams through its stdin and
// stdout (little-endian int16 samples, one byte per bit); the protocol is
// described at the top of sfhelper.c. Receivers inside the helper are fed
// one sample per call, so every [Event] and [Frame] carries the exact
// sample index at which spandsp reported it.
//
// Usage in a modem package's tests (dsp/internal/modemtest has the random
// bits and transmit loops they share):
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
//
// # A T.30 terminal in lockstep (t30term)
//
// [StartTerminal] starts spandsp's terminal as the far end of a call with
// the capabilities of a [TerminalSpec] (calling or answering; the TIFF to
// send, or pages to send as an MH TIFF, or the TIFF to receive into, read
// back with [ReadTIFF]; ECM, modems, compressions, identity). The test
// owns the clock: each [Terminal.Exchange] gives the terminal [TermBlock]
// samples it hears and returns the [TermBlock] samples it sends, so a call
// runs as fast as the CPU allows and replays exactly. [Terminal.Done]
// reports phase E; [Terminal.Close] returns spandsp's completion code,
// page counts, bit rate and the log of every frame it sent and received.
// The t30 package runs its session against it over a linear line, the
// modem package runs its Class 1 engine against it over a mu-law line.
//
// # A recorded spandsp-to-spandsp call (faxcall)
//
// [FaxCaller.Run] has one spandsp terminal send a TIFF to another, with
// optional white noise to make the call fail on purpose, and returns the
// call as a stereo WAV file, each frame as the terminal that sent it
// logged it, and both completion codes: the reference recordings that
// `softfax analyze` is tested against.
package spandsp
