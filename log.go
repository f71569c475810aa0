package livempu

import (
	"context"
	"log/slog"
)

// logHook is the Hook of WithLogger: one line per attempt, once the retry
// policy has decided what follows it, so that the line can say which attempt
// the answer belongs to and how long the client waits before the next one.
// A first attempt that succeeded is routine (debug level); a failed attempt
// or a retry is worth seeing (info level).
func logHook(l *slog.Logger, host string) Hook {
	return Hook{Attempt: func(ctx context.Context, a Attempt) {
		level := slog.LevelInfo
		if a.Number == 1 && a.Outcome == OutcomeOK {
			level = slog.LevelDebug
		}
		if !l.Enabled(ctx, level) {
			return
		}
		msg := "livempu attempt"
		if a.Number > 1 {
			msg = "livempu retry"
		}
		attrs := make([]slog.Attr, 0, 12)
		attrs = append(attrs,
			slog.String("action", a.Action),
			slog.Int("attempt", a.Number),
			slog.String("host", host),
			slog.String("outcome", string(a.Outcome)),
			slog.Duration("duration", a.Duration))
		if a.LimiterWait > 0 {
			attrs = append(attrs, slog.Duration("limiter_wait", a.LimiterWait))
		}
		if a.StatusCode != 0 {
			attrs = append(attrs, slog.Int("status", a.StatusCode))
		}
		if a.Code != "" {
			attrs = append(attrs, slog.String("code", a.Code))
		}
		if a.RequestID != "" {
			attrs = append(attrs, slog.String("request_id", a.RequestID))
		}
		if a.Err != nil {
			attrs = append(attrs, slog.String("error", a.Err.Error()))
		}
		if a.Retry {
			attrs = append(attrs, slog.Duration("retry_in", a.RetryWait))
		}
		l.LogAttrs(ctx, level, msg, attrs...)
	}}
}
