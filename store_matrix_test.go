package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"broadsheet/models/pgtest"
)

// TestStoreMatrix runs every test of the store and of what is built on it (models and
// its packages, the handlers, the outbox) a second time, on PostgreSQL: the README's one
// test command thus covers both engines. The first run of those packages, by the same
// `go test ./...`, is on SQLite. Without a PostgreSQL server this skips with the reason
// (pgtest.Available), except under CI=true, where it fails.
func TestStoreMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the PostgreSQL run of the store's tests takes minutes")
	}
	pgtest.Available(t)
	cmd := exec.Command("go", "test", "-tags", "sqlite_fts5", "-count=1", "-timeout", "40m",
		"./models/...", "./handlers", "./outbox")
	cmd.Env = append(os.Environ(), "BROADSHEET_TEST_DB=postgres")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	// One line per package (ok / FAIL) says what ran where; the whole output only on failure.
	for _, line := range regexp.MustCompile(`(?m)^(ok|FAIL|---) .*$`).FindAllString(out.String(), -1) {
		t.Log("PostgreSQL: " + line)
	}
	if err != nil {
		t.Fatalf("the store's tests failed on PostgreSQL (%v):\n%s", err, lastLines(out.String(), 200))
	}
}

// lastLines is the end of a long output.
func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
