package main

import (
	"io"
	"sync"
	"time"
)

// logSink is where the log is written: stderr, line by line, until the site is
// serving; then in batches. A cached page costs tens of microseconds, and writing its
// request-log line with a write(2) of its own was a tenth of that; batched, lines
// reach stderr within the flush interval (or when 32 KB have gathered), and all of
// them before serve returns.
type logSink struct {
	mu       sync.Mutex
	out      io.Writer
	buf      []byte
	batching bool
}

const logBatchBytes = 32 << 10

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.batching {
		return s.out.Write(p)
	}
	s.buf = append(s.buf, p...)
	if len(s.buf) >= logBatchBytes {
		s.flushLocked()
	}
	return len(p), nil
}

// flushLocked writes what has gathered. A failed write of the log has nowhere to be
// reported, and must not hold up requests, so the batch is dropped either way.
func (s *logSink) flushLocked() {
	if len(s.buf) > 0 {
		s.out.Write(s.buf)
		s.buf = s.buf[:0]
	}
}

// batch gathers writes and flushes them every interval until the returned function
// is called, which flushes the rest and writes line by line again.
func (s *logSink) batch(every time.Duration) (stop func()) {
	s.mu.Lock()
	s.batching = true
	s.mu.Unlock()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				s.mu.Lock()
				s.flushLocked()
				s.mu.Unlock()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		s.mu.Lock()
		defer s.mu.Unlock()
		s.flushLocked()
		s.batching = false
	}
}
