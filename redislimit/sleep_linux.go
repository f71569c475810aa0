package redislimit

import (
	"syscall"
	"time"
)

// fineSleep is how much of a wait preciseSleep sleeps.
const fineSleep = 1500 * time.Microsecond

// preciseSleep sleeps d (at most fineSleep) with nanosleep(2), which wakes
// within tens of microseconds, blocking its thread meanwhile.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
		// Interrupted (Go preempts with signals): sleep what is left.
	}
}
