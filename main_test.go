package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A newcomer's first start: the data folder is created, the sample paper seeded, the
// log says where to go and how to log in, the site answers, and a stop signal shuts
// it down cleanly. A second start on the same folder keeps the data and seeds nothing.
func TestFirstStartSeedsAndShutsDownCleanly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	t.Setenv("BROADSHEET_ADMIN_PASSWORD", "")
	t.Setenv("BROADSHEET_ADMIN_EMAIL", "")
	t.Setenv("BROADSHEET_SESSION_KEYS", "")

	var logs syncBuffer
	run := func() (addr string, stop func() error) {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan string, 1)
		done := make(chan error, 1)
		log := slog.New(slog.NewTextHandler(&logs, nil))
		go func() { done <- serve(ctx, log, []string{"-data", data, "-addr", "127.0.0.1:0"}, ready) }()
		select {
		case addr = <-ready:
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, logs.String())
		case <-time.After(60 * time.Second):
			t.Fatalf("site did not start\n%s", logs.String())
		}
		return addr, func() error { cancel(); return <-done }
	}

	addr, stop := run()
	for _, f := range []string{"broadsheet.db", "session.key", "uploads"} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("first start did not create data/%s: %v", f, err)
		}
	}
	out := logs.String()
	for _, want := range []string{"Broadsheet is running", "url=http://" + addr + "/", "login=http://" + addr + "/login", "email=admin@example.com", "password="} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up log lacks %q:\n%s", want, out)
		}
	}
	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `class="lead-story"`) {
		t.Errorf("front page after seeding: %d, lead story present: %v", res.StatusCode, strings.Contains(string(body), "lead-story"))
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still answering after shutdown")
	}

	// Second start: nothing new is seeded, no new password is printed.
	before := strings.Count(logs.String(), "password=")
	_, stop = run()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Count(logs.String(), "password=") != before || strings.Count(logs.String(), "seeded the sample paper") != 1 {
		t.Errorf("second start seeded again or printed a new password:\n%s", logs.String())
	}
}
