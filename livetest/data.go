package livetest

import (
	"cmp"
	"slices"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// taskEntry is a stored task with its update time. seq breaks ties between
// equal update times: the higher is listed first.
type taskEntry struct {
	task    livempu.MPUTask
	updated time.Time
	seq     uint64
}

// recordEntry is a stored record; seq keeps the order of equal times.
type recordEntry struct {
	rec livempu.EventSubRecord
	seq uint64
}

// cmpTasks orders tasks as the service lists them: newest update first.
func cmpTasks(a, b *taskEntry) int {
	if c := b.updated.Compare(a.updated); c != 0 {
		return c
	}
	return cmp.Compare(b.seq, a.seq)
}

// cmpRecords orders records oldest first.
func cmpRecords(a, b recordEntry) int {
	if c := a.rec.Time.Compare(b.rec.Time); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// cloneTask copies a task's slices, so that the server never shares memory
// with its caller.
func cloneTask(t livempu.MPUTask) livempu.MPUTask {
	t.MultiStreamURL = slices.Clone(t.MultiStreamURL)
	t.TranscodeParams.Layout.UserPanes = slices.Clone(t.TranscodeParams.Layout.UserPanes)
	t.TranscodeParams.UserInfos = slices.Clone(t.TranscodeParams.UserInfos)
	return t
}

// AddTasks stores tasks as if they had just been created or updated, with
// the server clock's time as their update time: they are listed before
// every task stored earlier, in the order given (the first given is
// listed first). A task with the AppID and TaskID of a stored one replaces
// it. ListRtcMPUTaskDetail lists tasks newest update first. The tasks'
// applications become known to the server (see WithApps) and stay known
// when their tasks are removed.
func (s *Server) AddTasks(tasks ...livempu.MPUTask) {
	if len(tasks) == 0 {
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range tasks {
		s.removeTaskLocked(t.AppID, t.TaskID)
		s.apps[t.AppID] = true
		s.tasks = append(s.tasks, &taskEntry{task: cloneTask(t), updated: now, seq: s.seq + uint64(len(tasks)-i)})
	}
	s.seq += uint64(len(tasks))
	slices.SortStableFunc(s.tasks, cmpTasks)
}

// RemoveTasks deletes stored tasks of an application and reports how many
// it removed.
func (s *Server) RemoveTasks(appID string, taskIDs ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, id := range taskIDs {
		if s.removeTaskLocked(appID, id) {
			n++
		}
	}
	return n
}

func (s *Server) removeTaskLocked(appID, taskID string) bool {
	i := slices.IndexFunc(s.tasks, func(e *taskEntry) bool { return e.task.AppID == appID && e.task.TaskID == taskID })
	if i < 0 {
		return false
	}
	s.tasks = slices.Delete(s.tasks, i, i+1)
	return true
}

// Tasks returns every stored task, of every application, in listing order
// (newest update first).
func (s *Server) Tasks() []livempu.MPUTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]livempu.MPUTask, len(s.tasks))
	for i, e := range s.tasks {
		out[i] = cloneTask(e.task)
	}
	return out
}

// AddRecords stores callback records. ListRtcMPUEventSubRecord lists
// records oldest Time first (records of equal Time in the order they were
// added) and only within the last seven days of the server clock. The
// records' applications become known to the server (see WithApps).
func (s *Server) AddRecords(records ...livempu.EventSubRecord) {
	if len(records) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range records {
		s.seq++
		s.apps[r.AppID] = true
		s.records = append(s.records, recordEntry{rec: r, seq: s.seq})
	}
	slices.SortStableFunc(s.records, cmpRecords)
}

// Records returns every stored record, in listing order (oldest first).
func (s *Server) Records() []livempu.EventSubRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]livempu.EventSubRecord, len(s.records))
	for i, e := range s.records {
		out[i] = e.rec
	}
	return out
}
