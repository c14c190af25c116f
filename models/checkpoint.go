package models

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
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
// with a connection of its own does it after writes, at most every checkpointEvery, in
// two passes. The first, PASSIVE, runs beside the writer and the readers: it copies what
// no reader still needs and waits for nobody. Fewer, larger checkpoints also copy less:
// the pages every post rewrites (the versions row, the discussion's counts, the ends of
// the comment indexes) are copied once per checkpoint rather than once per fifty posts.
// The second pass takes the writer's turn for the few pages committed meanwhile (see run).
type checkpointer struct {
	db    *sql.DB       // its own connection, with a short busy timeout (checkpointBusy)
	turns writeQueue    // the writers' queue, taken for the second pass
	due   chan struct{} // one slot: something was written since the last checkpoint

	passes chan struct{} // asks firstPasses for a passive pass
	passed chan struct{} // and hears that it is done

	ctx   context.Context // ends when the checkpointer is closed
	stop  context.CancelFunc
	ended chan struct{}

	closing sync.Once // Store.Close may be called twice
	closed  error
}

// checkpointEvery is the least time between two checkpoints while writes come in. A
// post adds about 15 pages to the log, so a tenth of a second of posting at a thousand
// a second is about 1,500 pages (6 MB) per checkpoint.
const checkpointEvery = 100 * time.Millisecond

// checkpointBusy is how long the second pass waits for readers of an older snapshot to
// finish (SQLite's busy timeout), holding the writer's turn. A page's reads take a few
// milliseconds; should a long read (an export) still be going, the log starts over
// after a later checkpoint instead.
const checkpointBusy = 10 * time.Millisecond

// writerCheckpointPages is the log's size at which the writer checkpoints after all,
// should the checkpointer fall behind (or not run, as in the bulk load): ten times
// SQLite's default, 40 MB of log.
const writerCheckpointPages = 10000

// startCheckpoints opens the checkpointer's connection to the database dsn names and
// starts it; turns is the store's writers' queue. It uses mattn's driver directly: the
// tests that wrap the driver to count a page's statements should not count the
// checkpoints running beside it.
func startCheckpoints(dsn string, turns writeQueue) (*checkpointer, error) {
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, turns: turns, due: make(chan struct{}, 1), ended: make(chan struct{}),
		passes: make(chan struct{}), passed: make(chan struct{})}
	c.ctx, c.stop = context.WithCancel(context.Background())
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
	go c.firstPasses()
	defer close(c.passes)
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.due:
		}
		// A checkpoint that fails (a full disk, say) is tried again after the next write;
		// the log keeps every commit meanwhile, and the writer's backstop still applies.
		c.passes <- struct{}{}
		<-c.passed
		// The second pass copies what was committed meanwhile, a few pages, in the
		// writer's turn, and waits (briefly) for readers of older snapshots: the next
		// write can then start the log over from its beginning. Under a steady stream of
		// posts the first pass alone never reaches the end of the log, which then only
		// started over at the backstop, after a checkpoint on the writer of up to 45 ms.
		if c.turns.enter(c.ctx) == nil {
			c.db.ExecContext(c.ctx, "PRAGMA wal_checkpoint(RESTART)")
			c.turns.leave() // not leaveTurn: this is no write to checkpoint
		}
		select {
		case <-c.ctx.Done():
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// firstPasses runs the first, passive pass of each checkpoint, asked for on c.passes,
// on an operating-system thread of its own at the lowest CPU priority (where the system
// allows it: lowerThreadPriority). That pass runs beside the writer, and on a busy core
// it took its share of the CPU from the posts queued for the writer: their slowest
// percent came in bursts around checkpoints. At the lowest priority it copies pages in
// the time the requests leave over, and what it leaves undone the second pass, or the
// writer's backstop, still does. The second pass, which holds the writer's turn, runs
// at normal priority on run's goroutine.
//
// The statement has no arguments and a context that never ends, so the driver runs it
// on the calling goroutine (a cancellable one would move it to another, on any thread).
// The goroutine ends still locked to its thread, so Go ends the thread with it rather
// than lending a thread of the lowest priority to other goroutines.
func (c *checkpointer) firstPasses() {
	runtime.LockOSThread()
	lowerThreadPriority()
	for range c.passes {
		c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		c.passed <- struct{}{}
	}
}

// close stops the checkpointer and closes its connection, before the writer's: the
// last connection to close is the one that checkpoints the whole log and removes it.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.closing.Do(func() {
		c.stop()
		<-c.ended
		c.closed = c.db.Close()
	})
	return c.closed
}

// handOverCheckpoints makes the writer connection w leave checkpoints to the
// checkpointer, up to the backstop. The setting belongs to the connection, and the
// writer pool keeps its one connection open for the life of the process; were it ever
// opened again, that connection would checkpoint at SQLite's default, slower but right.
func handOverCheckpoints(ctx context.Context, w *sql.DB) error {
	_, err := w.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", writerCheckpointPages))
	return err
}
