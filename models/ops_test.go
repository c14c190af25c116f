package models

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOlderBinaryRefusesNewerDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.db")
	s, err := Open(path, dir)
	if err != nil {
		t.Fatal(err)
	}
	// What a newer binary would have left behind.
	if _, err := s.W.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ('migrations/9999_future.sql', ?)", fmtTime(testNow)); err != nil {
		t.Fatal(err)
	}
	if _, unknown, err := s.MigrationStatus(context.Background()); err != nil || len(unknown) != 1 {
		t.Errorf("MigrationStatus unknown = %v, %v; want the future migration", unknown, err)
	}
	s.Close()
	_, err = Open(path, dir)
	if err == nil || !strings.Contains(err.Error(), "9999_future.sql") || !strings.Contains(err.Error(), "newer Broadsheet") {
		t.Fatalf("Open = %v, want a refusal naming the unknown migration", err)
	}
}

func TestMigrationStatusCurrent(t *testing.T) {
	s := newTestDB(t)
	pending, unknown, err := s.MigrationStatus(context.Background())
	if err != nil || len(pending) != 0 || len(unknown) != 0 {
		t.Errorf("fresh database: pending %v unknown %v err %v", pending, unknown, err)
	}
}

// Root ignores file modes, so the tests make SQLite itself refuse: query_only gives
// the real SQLITE_READONLY, and a page-count cap the real SQLITE_FULL.
func TestUnwritableErrorsAreClassified(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		pragma, fix string
		probe       bool // the probe rewrites a row in place, which a capped file still takes
	}{
		{"PRAGMA query_only = 1", "read-only", true},
		{"PRAGMA max_page_count = 1", "disk holding the data folder is full", false},
	} {
		t.Run(tc.pragma, func(t *testing.T) {
			s := newTestDB(t)
			sqliteOnly(t, s, "a read-only or full database file, made with pragmas")
			if err := s.CheckWritable(ctx, testNow); err != nil {
				t.Fatalf("healthy database: %v", err)
			}
			if _, err := s.W.Exec(tc.pragma); err != nil {
				t.Fatal(err)
			}
			// Accounts until the capped file has no free page left (the first when read-only).
			var err error
			for i := 0; i < 200 && err == nil; i++ {
				_, err = s.Users.Create(ctx, testNow, NewUser{Email: fmt.Sprintf("a%d@example.com", i), Name: fmt.Sprintf("Reader %d", i),
					Password: "long enough password", Role: RoleCommenter, Bio: strings.Repeat("words ", 200)})
			}
			uw, ok := AsUnwritable(err)
			if !ok || !strings.Contains(uw.Fix, tc.fix) {
				t.Fatalf("write error %v: AsUnwritable = %v, %v; want a fix mentioning %q", err, uw, ok, tc.fix)
			}
			var typed *UnwritableError
			if err := s.CheckWritable(ctx, testNow); tc.probe && !errors.As(err, &typed) {
				t.Errorf("CheckWritable = %v, want *UnwritableError", err)
			}
		})
	}
}

func TestRateLimiterFixedWindow(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0) // a window boundary for per = 1 minute
	for i := 0; i < 3; i++ {
		if err := s.Limits.Hit(ctx, now.Add(time.Duration(i)*time.Second), 3, time.Minute, "search:ip:1.2.3.4"); err != nil {
			t.Fatalf("hit %d: %v", i+1, err)
		}
	}
	err := s.Limits.Hit(ctx, now.Add(20*time.Second), 3, time.Minute, "search:ip:1.2.3.4")
	var lim *Limited
	if !errors.As(err, &lim) || lim.Seconds() != 40 {
		t.Fatalf("fourth hit = %v, want Limited for the 40 s left in the window", err)
	}
	// Another key is counted apart, and an account key refuses even from a fresh address.
	if err := s.Limits.Hit(ctx, now.Add(20*time.Second), 3, time.Minute, "search:ip:5.6.7.8"); err != nil {
		t.Errorf("other address: %v", err)
	}
	if err := s.Limits.Hit(ctx, now.Add(21*time.Second), 3, time.Minute, "search:ip:9.9.9.9", "search:ip:1.2.3.4"); !errors.As(err, &lim) {
		t.Errorf("two keys, one over: %v, want Limited", err)
	}
	// The next window starts afresh.
	if err := s.Limits.Hit(ctx, now.Add(time.Minute), 3, time.Minute, "search:ip:1.2.3.4"); err != nil {
		t.Errorf("next window: %v", err)
	}
}

// BenchmarkRateLimitHit is the cost the limiter adds to a request that reaches a
// limited handler: one upsert on the writer connection.
func BenchmarkRateLimitHit(b *testing.B) {
	s := newTestDB(b)
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	i := 0
	for b.Loop() {
		i++
		if err := s.Limits.Hit(ctx, now, 1<<30, time.Minute, fmt.Sprintf("search:ip:10.0.%d.%d", i/256%256, i%256)); err != nil {
			b.Fatal(err)
		}
	}
}
