package models

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// An import's one transaction spills its dirty pages to the WAL, and slows with every
// item, unless its connection has a large page cache; the server's own writes, on the
// same single writer connection afterwards, must not keep that cache.
func TestInTxRunsWithALargeCacheAndGivesItBack(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	cacheSize := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, fail := range []bool{false, true} {
		err := s.InTx(ctx, time.Now(), func(tx *TxStore) error {
			if got := cacheSize(tx.tx); got != -importCacheKiB {
				t.Errorf("cache_size inside the import = %d, want %d", got, -importCacheKiB)
			}
			if fail {
				return errors.New("stop")
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("fail=%v: err = %v", fail, err)
		}
		if got := cacheSize(s.W); got != -2000 {
			t.Errorf("fail=%v: cache_size after the import = %d, want SQLite's default -2000", fail, got)
		}
	}
}
