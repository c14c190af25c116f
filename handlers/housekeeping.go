package handlers

import (
	"context"
	"time"

	"broadsheet/models"
)

// HousekeepEvery does the site's periodic chores every d until ctx ends; main runs it
// in a goroutine beside the server. Each chore is one statement or transaction, safe
// for several servers on one database to run at once; on PostgreSQL only one server
// runs them at a time anyway (Store.Exclusively), so that work is not done twice.
func (a *App) HousekeepEvery(ctx context.Context, d time.Duration) {
	a.housekeep(ctx)
	every(ctx, d, func() { a.housekeep(ctx) })
}

// every calls fn every d until ctx ends: the loop of the periodic jobs main runs
// beside the server.
func every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// housekeep mails readers the notices that have waited the digest window, and
// forgets commenters' networks past the site's "keep addresses" days.
func (a *App) housekeep(ctx context.Context) {
	if _, err := a.Store.Exclusively(ctx, "housekeeping", func() error { a.chores(ctx); return nil }); err != nil {
		a.Log.Error("housekeeping", "err", err)
	}
}

func (a *App) chores(ctx context.Context) {
	if st, err := a.Store.Settings.Get(ctx); err != nil {
		a.Log.Error("read settings", "err", err)
	} else if _, err := a.Store.SendNotices(ctx, a.Now(), models.DigestWindow, a.noticeMail(st.SiteName)); err != nil {
		a.Log.Error("mail notices", "err", err)
	}
	if n, err := a.Store.Comments.PurgeAddresses(ctx, a.Now()); err != nil {
		a.Log.Error("forget old commenter networks", "err", err)
	} else if n > 0 {
		a.Log.Info("forgot old commenter networks", "comments", n)
	}
}
