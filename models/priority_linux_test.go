package models

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// niceThreads lists the process's threads whose nice value is 19.
func niceThreads(t *testing.T) []string {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended meanwhile
		}
		// After the command name in parentheses: state is field 3 and nice field 19.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if n, _ := strconv.Atoi(fields[19-3]); n == 19 {
			out = append(out, f)
		}
	}
	return out
}

// The checkpoints' first passes run on one thread at the lowest priority, and that
// thread ends with the store: lent back to Go's pool, it would run requests at the
// lowest priority, behind everything else on the machine. Stores other tests left open
// have threads of their own, so the test follows the thread its store adds.
func TestCheckpointsFirstPassesRunOnALowPriorityThreadOfTheirOwn(t *testing.T) {
	others := map[string]bool{}
	for _, th := range niceThreads(t) {
		others[th] = true
	}
	s := newTestDB(t)
	sqliteOnly(t, s, "checkpoints are SQLite's")
	// The thread is set up beside the store's opening and ends after its closing: each
	// is waited for, a few seconds at most.
	var ours []string
	for deadline := time.Now().Add(5 * time.Second); len(ours) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ours = ours[:0]
		for _, th := range niceThreads(t) {
			if !others[th] {
				ours = append(ours, th)
			}
		}
	}
	if len(ours) != 1 {
		t.Fatalf("the store opened %d threads at nice 19, want the checkpointer's one: %v", len(ours), ours)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); slices.Contains(niceThreads(t), ours[0]); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the checkpointer's thread at nice 19 outlived its store: %s", ours[0])
		}
	}
}
