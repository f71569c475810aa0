package livetest

import (
	"slices"
	"sort"
	"time"
)

// windowKey names one account's window for one action.
type windowKey struct{ accessKeyID, action string }

// window holds the arrival times of the requests accepted recently, sorted.
// Requests are judged by when they arrived, as a gateway stamps them, not
// when their verification finished, so that the server's own processing
// time does not bunch them up.
type window struct{ times []time.Time }

// historyKept is how long accepted times are kept: the one-second window,
// plus room for requests whose processing overtook one another.
const historyKept = 2 * time.Second

// prune drops the times too old to matter at now.
func (w *window) prune(now time.Time) {
	cut := now.Add(-historyKept)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	w.times = w.times[i:]
}

// span returns the indexes [i, j) of the times in (t-1s, t].
func (w *window) span(t time.Time) (i, j int) {
	i = sort.Search(len(w.times), func(k int) bool { return w.times[k].After(t.Add(-time.Second)) })
	j = sort.Search(len(w.times), func(k int) bool { return w.times[k].After(t) })
	return i, j
}

// SetOtherCallers simulates other callers of every account (the console,
// other services, a process without a shared limiter) that use n requests
// per second of action's limit, so that n fewer are left for the clients
// under test: with the documented 100 and n = 40, a client gets 60 per
// second. Throttles still report the account's whole limit in
// x-ratelimit-user-api, as the service does when others spend the budget.
// It may be changed while clients run; 0 (or less) gives the whole limit
// back. The documented limits, or those of WithQPS, stay in force.
func (s *Server) SetOtherCallers(action string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.others == nil {
		s.others = make(map[string]int)
	}
	s.others[action] = max(n, 0)
}

// available returns the limit of action and what other callers leave of
// it (-1 when the limit is not enforced). s.mu is held.
func (s *Server) available(action string) (limit, left int) {
	limit = s.qps[action]
	if limit <= 0 {
		return limit, -1
	}
	return limit, max(limit-s.others[action], 0)
}

// admit counts a request that arrived at t against its account's window, or
// reports the limit and how long until a slot frees when the window is
// full.
func (s *Server) admit(accessKeyID, action string, t time.Time) (ok bool, limit int, left time.Duration) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	key := windowKey{accessKeyID, action}
	w := s.windows[key]
	if w == nil {
		w = new(window)
		s.windows[key] = w
	}
	w.prune(now)
	limit, avail := s.available(action)
	i, j := w.span(t)
	if avail >= 0 && !w.fits(t, i, j, avail) {
		return false, limit, w.timeLeft(now, avail)
	}
	w.times = slices.Insert(w.times, j, t)
	// The new time raises the count of its own window and of those ending
	// at the requests that arrived after it but were accepted first.
	for k := j; k < len(w.times) && w.times[k].Before(t.Add(time.Second)); k++ {
		a, b := w.span(w.times[k])
		if n := b - a; n > s.maxWindow[action] {
			s.maxWindow[action] = n
		}
	}
	return true, limit, 0
}

// fits reports whether one more request at t, whose own window holds the
// times [i, j), keeps every one-second window that would contain it within
// limit: its own, and those ending at later arrivals accepted before it.
func (w *window) fits(t time.Time, i, j, limit int) bool {
	if j-i >= limit {
		return false
	}
	end := t.Add(time.Second)
	for k := j; k < len(w.times) && w.times[k].Before(end); k++ {
		if a, b := w.span(w.times[k]); b-a >= limit {
			return false
		}
	}
	return true
}

// timeLeft returns how long until a request arriving after now finds a free
// slot (at least a millisecond).
func (w *window) timeLeft(now time.Time, limit int) time.Duration {
	if limit <= 0 {
		return time.Second
	}
	i, j := w.span(now)
	if j-i < limit {
		return time.Millisecond
	}
	return max(w.times[j-limit].Add(time.Second).Sub(now), time.Millisecond)
}

// windowState reports an account's limit for action and how long until a
// slot of its window frees (0 when it is not full).
func (s *Server) windowState(accessKeyID, action string) (limit int, left time.Duration) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	limit, avail := s.available(action)
	w := s.windows[windowKey{accessKeyID, action}]
	if avail < 0 || w == nil && avail > 0 {
		return limit, 0
	}
	if w == nil {
		return limit, time.Second
	}
	if i, j := w.span(now); j-i < avail {
		return limit, 0
	}
	return limit, w.timeLeft(now, avail)
}

// nonceKey names a nonce of one account.
type nonceKey struct{ accessKeyID, nonce string }

// useNonce remembers a nonce, or reports false if it was seen within
// timestampTolerance. signed is the request's signing time; a nonce is
// forgotten once a request signed then would be refused as expired anyway.
func (s *Server) useNonce(accessKeyID, nonce string, signed, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := nonceKey{accessKeyID, nonce}
	if _, seen := s.nonces[key]; seen {
		return false
	}
	s.nonces[key] = signed
	if s.nonceAdds++; s.nonceAdds >= 4096 {
		s.nonceAdds = 0
		for k, t := range s.nonces {
			if now.Sub(t) > timestampTolerance {
				delete(s.nonces, k)
			}
		}
	}
	return true
}
