//go:build !linux

package line

import (
	"errors"
	"time"
)

func setRealTime() error { return errors.New("real-time scheduling is implemented for Linux only") }

func sleepThread(d time.Duration) { time.Sleep(d) }
