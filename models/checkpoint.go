package models

import (
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Checkpoints. In WAL mode a commit appends pages to the log, and now and then SQLite
// copies the log back into the database file (a checkpoint). By default the commit
// that takes the log past 1,000 pages does it, on the writer, before it returns: it
// copies the pages and syncs the log and the database file. Posting comments, that was
// one commit in fifty or so taking 8-10 ms instead of 0.08 ms, with the other posts
// queued for the writer waiting behind it: the 99th percentile of a post was those
// checkpoints (measured in BenchmarkCommentPosting: the writer's hold time had its
// median at 0.15 ms and its 99th percentile at 8.5-10 ms, all of it in the commit).
//
// So the writer no longer checkpoints (except as a backstop, below), and a checkpointer
// with a connection of its own does it in the background, after writes, at most every
// checkpointEvery. SQLite runs a PASSIVE checkpoint beside the writer and the readers:
// it copies what no reader still needs and waits for nobody. Fewer, larger checkpoints
// also copy less: the pages every post rewrites (the versions row, the discussion's
// counts, the ends of the comment indexes) are copied once per checkpoint rather than
// once per fifty posts.
type checkpointer struct {
	db    *sql.DB       // its own connection: a checkpoint never holds the writer
	due   chan struct{} // one slot: something was written since the last checkpoint
	stop  chan struct{}
	ended chan struct{}

	closing sync.Once // Store.Close may be called twice
	closed  error
}

// checkpointEvery is the least time between two checkpoints while writes come in. A
// post adds about 15 pages to the log, so a tenth of a second of posting at a thousand
// a second is about 1,500 pages (6 MB) per checkpoint.
const checkpointEvery = 100 * time.Millisecond

// writerCheckpointPages is the log's size at which the writer checkpoints after all,
// should the checkpointer fall behind (or not run, as in the bulk load): ten times
// SQLite's default, 40 MB of log.
const writerCheckpointPages = 10000

// startCheckpoints opens the checkpointer's connection to the database dsn names and
// starts it. It uses mattn's driver directly: the tests that wrap the driver to count
// a page's statements should not count the checkpoints running beside it.
func startCheckpoints(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, due: make(chan struct{}, 1), stop: make(chan struct{}), ended: make(chan struct{})}
	go c.run()
	return c, nil
}

// wrote tells the checkpointer that the log may have grown. It never waits.
func (c *checkpointer) wrote() {
	if c == nil {
		return // PostgreSQL: its checkpoints are the server's
	}
	select {
	case c.due <- struct{}{}:
	default: // already due
	}
}

func (c *checkpointer) run() {
	defer close(c.ended)
	for {
		select {
		case <-c.stop:
			return
		case <-c.due:
		}
		// A checkpoint that fails (a full disk, say) is tried again after the next write;
		// the log keeps every commit meanwhile, and the writer's backstop still applies.
		c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// close stops the checkpointer and closes its connection, before the writer's: the
// last connection to close is the one that checkpoints the whole log and removes it.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.closing.Do(func() {
		close(c.stop)
		<-c.ended
		c.closed = c.db.Close()
	})
	return c.closed
}

// handOverCheckpoints makes the writer connection w leave checkpoints to the
// checkpointer, up to the backstop. The setting belongs to the connection, and the
// writer pool keeps its one connection open for the life of the process; were it ever
// opened again, that connection would checkpoint at SQLite's default, slower but right.
func handOverCheckpoints(w *sql.DB) error {
	_, err := w.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerCheckpointPages))
	return err
}
