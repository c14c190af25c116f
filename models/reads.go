package models

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Windows of the reader widgets: "most read" covers the last two days, "most
// commented" the last week (discussions run longer than a story's first readership).
const (
	ReadWindow    = 48 * time.Hour
	CommentWindow = 7 * 24 * time.Hour
	// readRetention is how long hourly counts are kept; older ones are pruned on flush.
	readRetention = 8 * 24 * time.Hour
)

// hourKey is the UTC hour a read is counted in, as stored in article_reads.hour.
func hourKey(t time.Time) string { return t.UTC().Format("2006-01-02T15") }

// readKey is a story and the hour it was read in, as whole hours since 1970: the
// counter keys a read by a division, not by formatting the hour (a tenth of a cached
// page's cost of our own), and Flush formats each key's hour once.
type readKey struct {
	article int64
	hour    int64
}

func hourOf(t time.Time) int64 { return t.Unix() / 3600 }

// ReadCounter counts story reads in memory so that reading a story never writes to the
// database; Flush adds the counts to article_reads now and then. Each app server has its
// own counter and adds (never sets) its counts, so several servers can flush in any order.
// A server that dies loses at most the reads since its last flush: "most read" is a
// ranking, not an audit.
type ReadCounter struct {
	s       *Store
	mu      sync.Mutex
	pending map[readKey]int64
}

// NewReadCounter returns an empty counter writing to s.
func NewReadCounter(s *Store) *ReadCounter {
	return &ReadCounter{s: s, pending: map[readKey]int64{}}
}

// Add counts one read of the story at time at. It is safe for concurrent use.
func (rc *ReadCounter) Add(articleID int64, at time.Time) {
	k := readKey{articleID, hourOf(at)}
	rc.mu.Lock()
	rc.pending[k]++
	rc.mu.Unlock()
}

// Flush adds the counted reads to the database in one transaction and prunes counts
// older than the retention. If the write fails the counts are kept for the next flush.
func (rc *ReadCounter) Flush(ctx context.Context, now time.Time) error {
	rc.mu.Lock()
	batch := rc.pending
	rc.pending = map[readKey]int64{}
	rc.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := rc.s.tx(ctx, func(tx *sql.Tx) error {
		for k, n := range batch {
			// A story deleted since it was read has nothing to count against.
			if _, err := tx.ExecContext(ctx, `INSERT INTO article_reads (article_id, hour, count)
				SELECT id, ?, ? FROM articles WHERE id = ?
				ON CONFLICT (article_id, hour) DO UPDATE SET count = article_reads.count + excluded.count`, hourKey(time.Unix(k.hour*3600, 0)), n, k.article); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM article_reads WHERE hour < ?", hourKey(now.Add(-readRetention)))
		return err
	})
	if err != nil {
		rc.mu.Lock()
		for k, n := range batch {
			rc.pending[k] += n
		}
		rc.mu.Unlock()
	}
	return err
}

// MostRead ranks up to n visible stories by their flushed reads in ReadWindow. It
// returns ids only: the ranking is the costly part and can be kept for a while, while
// what a reader sees of each story is read afresh with Visible.
func (as *ArticleStore) MostRead(ctx context.Context, now time.Time, n int) ([]int64, error) {
	return queryAll(ctx, as.s.R, scanID, `SELECT a.id FROM articles a
		JOIN (SELECT article_id, sum(count) AS n FROM article_reads WHERE hour >= ? GROUP BY article_id) r ON r.article_id = a.id
		WHERE `+visible+` ORDER BY r.n DESC, a.published_at DESC LIMIT ?`,
		hourKey(now.Add(-ReadWindow)), fmtTime(now), n)
}

// MostCommented ranks up to n visible stories by their approved comments posted in
// CommentWindow, ids only (see MostRead).
func (as *ArticleStore) MostCommented(ctx context.Context, now time.Time, n int) ([]int64, error) {
	return queryAll(ctx, as.s.R, scanID, `SELECT a.id FROM articles a
		JOIN (SELECT article_id, count(*) AS n FROM comments WHERE status = 'approved' AND created_at >= ? GROUP BY article_id) r
		  ON r.article_id = a.id
		WHERE `+visible+` ORDER BY r.n DESC, a.published_at DESC LIMIT ?`,
		fmtTime(now.Add(-CommentWindow)), fmtTime(now), n)
}

func scanID(sc scanner) (int64, error) {
	var id int64
	err := sc.Scan(&id)
	return id, err
}
