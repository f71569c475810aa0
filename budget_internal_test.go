package livempu

import (
	"context"
	"testing"
	"time"
)

func TestIdleBudgetsAreFreed(t *testing.T) {
	var r budgetRegistry
	ctx := context.Background()
	idle := r.lookup(budgetKey{"rotated-1", ActionListRtcMPUTaskDetail, 50})
	busy := r.lookup(budgetKey{"rotated-2", ActionListRtcMPUTaskDetail, 50})
	if _, _, err := idle.wait(ctx, true); err != nil {
		t.Fatal(err)
	}
	busy.mu.Lock()
	busy.waiters++ // someone is waiting on it
	busy.mu.Unlock()
	fresh := r.lookup(budgetKey{"rotated-3", ActionListRtcMPUTaskDetail, 50})
	fresh.mu.Lock()
	fresh.lastUse = time.Now().Add(idleBudget) // used just before the sweep
	fresh.mu.Unlock()

	r.sweep(time.Now().Add(idleBudget + time.Second))
	if n := r.size(); n != 2 {
		t.Errorf("%d budgets left, want the busy and the fresh one", n)
	}
	if r.get(budgetKey{"rotated-1", ActionListRtcMPUTaskDetail, 50}) != nil {
		t.Error("the idle budget was kept")
	}
	// A waiter that still holds the freed budget is told to look it up
	// again, and gets a new one.
	if _, _, err := idle.wait(ctx, true); err != errFreed {
		t.Errorf("wait on a freed budget: %v", err)
	}
	if again := r.lookup(budgetKey{"rotated-1", ActionListRtcMPUTaskDetail, 50}); again == idle {
		t.Error("lookup returned the freed budget")
	}
}

func TestLookupSweepsNowAndThen(t *testing.T) {
	var r budgetRegistry
	old := r.lookup(budgetKey{"old", ActionListRtcMPUTaskDetail, 50})
	old.mu.Lock()
	old.lastUse = time.Now().Add(-2 * idleBudget)
	old.mu.Unlock()
	r.nextSweep.Store(time.Now().Add(-time.Second).UnixNano())
	r.lookup(budgetKey{"new", ActionListRtcMPUTaskDetail, 50})
	if r.get(budgetKey{"old", ActionListRtcMPUTaskDetail, 50}) != nil {
		t.Error("a lookup after the sweep time did not free the idle budget")
	}
	if next := time.Unix(0, r.nextSweep.Load()); time.Until(next) < idleBudget-time.Second {
		t.Errorf("next sweep at %v", next)
	}
}
