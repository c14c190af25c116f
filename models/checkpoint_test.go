package models

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// TestCheckpointsHappenBesideTheWriter checks that commits no longer copy the log into
// the database file themselves (the writer's threshold is the backstop's), and that
// what they write still reaches the file soon after, copied by the checkpointer: a
// megabyte of rows, far below either threshold, is in the database file within seconds.
func TestCheckpointsHappenBesideTheWriter(t *testing.T) {
	s := newTestDB(t)
	sqliteOnly(t, s, "checkpoints are SQLite's")
	ctx := context.Background()
	var pages int
	if err := s.W.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != writerCheckpointPages {
		t.Fatalf("the writer checkpoints at %d pages (%v), want %d", pages, err, writerCheckpointPages)
	}
	var file string
	if err := s.W.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if _, err := s.exec(ctx, "CREATE TABLE filler (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	before := size()
	for range 250 { // 250 commits of 4 KB: about 250 pages, a quarter of SQLite's default threshold
		if _, err := s.exec(ctx, "INSERT INTO filler (b) VALUES (randomblob(4000))"); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+1_000_000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes before the writes and %d ten seconds after: nothing checkpointed", before, size())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWritersWaitTheirTurnAndGiveUpWithTheRequest checks that a write waits while
// another holds the writer, and that a request that ends while waiting (its reader
// gone) returns its context's error and writes nothing.
func TestWritersWaitTheirTurnAndGiveUpWithTheRequest(t *testing.T) {
	s := newTestDB(t)
	sqliteOnly(t, s, "the queue for the one writer connection is SQLite's")
	held, release := make(chan struct{}), make(chan struct{})
	go s.inTurn(context.Background(), func() error {
		close(held)
		<-release
		return nil
	})
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Sections.Create(ctx, "Weather", "")
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a write while another held the writer: %v, want the request's deadline", err)
	}
	if _, err := s.Sections.BySlug(context.Background(), "weather"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the abandoned write left a section: %v", err)
	}
	if _, err := s.Sections.Create(context.Background(), "Weather", ""); err != nil {
		t.Fatalf("the next write, once the writer is free: %v", err)
	}
}
