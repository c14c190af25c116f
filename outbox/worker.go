package outbox

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"broadsheet/models"
)

// Worker sends the outbox. Any number may run, on any number of servers sharing the
// database: each message is claimed by one of them at a time (models.MailStore.Claim).
type Worker struct {
	Mail   *models.MailStore
	Sender Sender
	Log    *slog.Logger
	Now    func() time.Time

	MaxAttempts int           // after this many failed attempts a message stays failed (default 10)
	Backoff     time.Duration // wait after the first failure, doubled after each next one (default 1 minute)
	MaxBackoff  time.Duration // the longest wait between attempts (default 6 hours)
	Lease       time.Duration // how long a claim holds: a dead worker's message is taken again after it (default 5 minutes)
	Poll        time.Duration // how often an idle worker looks for due mail (default 2 seconds)
	Keep        time.Duration // how long sent messages and spent links are kept (default 30 days)

	pruned time.Time // when Run last pruned
}

func (w *Worker) defaults() {
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 10
	}
	if w.Backoff == 0 {
		w.Backoff = time.Minute
	}
	if w.MaxBackoff == 0 {
		w.MaxBackoff = 6 * time.Hour
	}
	if w.Lease == 0 {
		w.Lease = 5 * time.Minute
	}
	if w.Poll == 0 {
		w.Poll = 2 * time.Second
	}
	if w.Keep == 0 {
		w.Keep = 30 * 24 * time.Hour
	}
}

// Start runs the worker in the background until ctx ends or stop is called; stop
// returns once the worker has finished what it was doing, so the database can close.
func (w *Worker) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// Run sends due messages until ctx ends, and looks again every Poll when none is due.
// Once an hour it prunes what is older than Keep.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if now := w.Now(); now.Sub(w.pruned) >= time.Hour {
			if err := w.Mail.Prune(ctx, now.Add(-w.Keep)); err != nil && ctx.Err() == nil {
				w.Log.Error("mail outbox: prune", "err", err)
			}
			w.pruned = now
		}
		for ctx.Err() == nil {
			sent, err := w.SendOne(ctx)
			if err != nil && ctx.Err() == nil {
				w.Log.Error("mail outbox", "err", err)
			}
			if !sent || err != nil {
				break
			}
		}
		t.Reset(w.Poll)
	}
}

// SendOne claims one due message and tries to send it. It reports whether there was
// one; a failed send is not an error here (it is recorded on the message), only a
// database failure is.
func (w *Worker) SendOne(ctx context.Context) (bool, error) {
	w.defaults()
	m, err := w.Mail.Claim(ctx, w.Now(), w.Lease)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	// The send must end well within the lease, or a second worker could take the message too.
	sendCtx, cancel := context.WithTimeout(ctx, w.Lease/2)
	sendErr := w.Sender.Send(sendCtx, m)
	cancel()
	// Record the outcome even when shutdown interrupted the send.
	ctx = context.WithoutCancel(ctx)
	if sendErr == nil {
		w.Log.Info("mail sent", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
		return true, w.Mail.Sent(ctx, w.Now(), m)
	}
	last := m.Attempts >= w.MaxAttempts
	retryAt := w.Now().Add(w.backoff(m.Attempts))
	if last {
		w.Log.Error("mail failed for good; it stays in the outbox", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", sendErr)
	} else {
		w.Log.Warn("mail not sent; will retry", "id", m.ID, "kind", m.Kind, "attempt", m.Attempts, "retry_at", retryAt, "err", sendErr)
	}
	return true, w.Mail.Retry(ctx, m, retryAt, last, sendErr.Error())
}

// backoff is the wait after the n-th failed attempt: Backoff, doubled each time, at most MaxBackoff.
func (w *Worker) backoff(n int) time.Duration {
	d := w.Backoff
	for i := 1; i < n && d < w.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.MaxBackoff)
}
