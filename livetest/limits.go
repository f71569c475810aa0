package livetest

import "time"

// windowKey names one account's window for one action.
type windowKey struct{ accessKeyID, action string }

// window holds the times of the requests accepted in the last second.
type window struct{ times []time.Time }

// prune drops the times that left the window ending at now.
func (w *window) prune(now time.Time) {
	cut := now.Add(-time.Second)
	i := 0
	for i < len(w.times) && !w.times[i].After(cut) {
		i++
	}
	w.times = w.times[i:]
}

// SetQPS changes the per-account limit of action over a sliding one-second
// window; 0 (or less) disables enforcement. See WithQPS.
func (s *Server) SetQPS(action string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.qps[action] = max(n, 0)
}

// admit counts a request against its account's window, or reports the
// limit and how long until a slot frees when the window is full.
func (s *Server) admit(accessKeyID, action string) (ok bool, limit int, left time.Duration) {
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
	limit = s.qps[action]
	if limit > 0 && len(w.times) >= limit {
		oldest := w.times[len(w.times)-limit]
		return false, limit, max(oldest.Add(time.Second).Sub(now), time.Millisecond)
	}
	w.times = append(w.times, now)
	if n := len(w.times); n > s.maxWindow[action] {
		s.maxWindow[action] = n
	}
	return true, limit, 0
}

// windowState reports an account's limit for action and how long until a
// slot of its window frees (0 when it is not full).
func (s *Server) windowState(accessKeyID, action string) (limit int, left time.Duration) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	limit = s.qps[action]
	w := s.windows[windowKey{accessKeyID, action}]
	if w == nil || limit <= 0 {
		return limit, 0
	}
	w.prune(now)
	if len(w.times) < limit {
		return limit, 0
	}
	return limit, max(w.times[len(w.times)-limit].Add(time.Second).Sub(now), time.Millisecond)
}

// nonceKey names a nonce of one account.
type nonceKey struct{ accessKeyID, nonce string }

// useNonce remembers a nonce, or reports false if it was seen within
// TimestampTolerance. signed is the request's signing time; a nonce is
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
			if now.Sub(t) > TimestampTolerance {
				delete(s.nonces, k)
			}
		}
	}
	return true
}
