package line

import (
	"time"

	"golang.org/x/sys/unix"
)

// setRealTime puts the calling OS thread in the SCHED_FIFO class at
// realTimePriority.
func setRealTime() error {
	return unix.SchedSetAttr(0, &unix.SchedAttr{Policy: unix.SCHED_FIFO, Priority: realTimePriority}, 0)
}

// sleepThread sleeps the calling OS thread in the kernel (the runtime's
// timers are served by other threads, of normal priority).
func sleepThread(d time.Duration) {
	if d <= 0 {
		return
	}
	ts := unix.NsecToTimespec(int64(d))
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
