//go:build !linux

package redislimit

import "time"

// fineSleep is how much of a wait preciseSleep sleeps: none on this
// platform, where the whole wait is on a timer.
const fineSleep = 0

// preciseSleep sleeps d with time.Sleep (it is called only for what a
// timer left, a few microseconds at most).
func preciseSleep(d time.Duration) { time.Sleep(d) }
