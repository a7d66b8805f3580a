// Package line is one fax channel: a call slot (busy when in use), and the
// runner that binds an IAX2 call to a sample-clocked engine.
//
// The line is the only place in the fax path that knows wall-clock time.
// Every 20 ms it takes the next frame from the call's jitter buffer, decodes
// it to 160 samples for the engine's Receive, asks the engine to Transmit
// 160 samples and sends them. The tick is not a free-running 20 ms: it
// follows the far end's clock by keeping the jitter buffer's depth level at
// its target (iaxmodem does the same with its "skew"), so a PBX whose clock
// runs a little fast or slow is neither starved nor flooded.
//
// A far end such as iaxmodem paces itself by counting frames (one sent,
// one received) and corrects its clock whenever it has received two more
// than it sent: every burst of ours after a late wake-up reads to it as
// drift. Options.RealTime runs the loop on a SCHED_FIFO thread that sleeps
// in the kernel, so that a loaded host still wakes it on time (measured in
// interop's HylaFAX tests: from 5-35 late steps per call, up to 136 ms
// late, to none).
//
// Optionally both directions are recorded into a stereo WAV file (left:
// received, right: transmitted) for diagnosis.
package line
