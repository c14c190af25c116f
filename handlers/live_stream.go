package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Readers of a live story are told of new entries by server-sent events. The stream
// says only "the story changed" (with its live version); the reader's script then
// fetches the story page again, which the page cache answers once for everyone. So the
// page stays the one source of what a reader sees, and the stream carries no HTML.
//
// How a server learns of a change: it polls. Each server reads one story's version
// (one indexed row, bumped by triggers on every entry) once per LivePoll while anyone
// on that server watches the story, and broadcasts in process to its watchers. Several
// servers later share only the database, so an in-process broadcast from the writing
// request alone would miss readers connected to the other servers; polling costs one
// tiny read per story per second per server, whatever the number of readers.
//
// A stream holds no database connection and no goroutine of its own beyond the request
// serving it; it ends after liveStreamLife (the browser reconnects by itself, sending the
// version it last saw) so the server's write timeout never cuts it mid-event, and it
// ends at once when the server shuts down.

// liveStreamLife is how long one stream runs before the browser is asked to reconnect;
// it must stay below the server's write timeout (2 minutes by default), which each
// stream also pushes back as it writes.
const liveStreamLife = 90 * time.Second

// liveHeartbeat keeps proxies from closing a quiet stream.
const liveHeartbeat = 25 * time.Second

// liveHub is this server's set of watched stories.
type liveHub struct {
	mu      sync.Mutex
	watches map[int64]*liveWatch
	closed  chan struct{} // closed when the server shuts down
	once    sync.Once
}

// liveWatch is one watched story: its last version seen, a channel closed (and then
// replaced) at each change, and how many streams watch it.
type liveWatch struct {
	version  int64
	live     bool
	changed  chan struct{}
	watchers int
}

func newLiveHub() *liveHub {
	return &liveHub{watches: map[int64]*liveWatch{}, closed: make(chan struct{})}
}

// EndStreams ends every reader's stream, for a graceful shutdown (http.Server's
// RegisterOnShutdown): the streams would otherwise hold shutdown until its deadline.
func (a *App) EndStreams() { a.live.once.Do(func() { close(a.live.closed) }) }

// watch registers a stream on story id, starting the story's poller if it is the first
// watcher on this server. It returns the watch's state now, and a function to leave.
func (a *App) watch(id int64, version int64, live bool) (current func() (version int64, live bool, changed <-chan struct{}), leave func()) {
	h := a.live
	h.mu.Lock()
	w := h.watches[id]
	switch {
	case w == nil:
		w = &liveWatch{version: version, live: live, changed: make(chan struct{})}
		h.watches[id] = w
		go a.pollLive(id, w)
	case version > w.version: // this stream read the story after the poller last did
		w.version, w.live = version, live
		close(w.changed)
		w.changed = make(chan struct{})
	}
	w.watchers++
	h.mu.Unlock()
	current = func() (int64, bool, <-chan struct{}) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return w.version, w.live, w.changed
	}
	leave = func() {
		h.mu.Lock()
		w.watchers--
		h.mu.Unlock()
	}
	return current, leave
}

// pollLive reads story id's live version every LivePoll and wakes its watchers when it
// moves; it stops once nobody on this server watches the story.
func (a *App) pollLive(id int64, w *liveWatch) {
	t := time.NewTicker(a.Config.LivePoll)
	defer t.Stop()
	for {
		select {
		case <-a.live.closed:
			return
		case <-t.C:
		}
		h := a.live
		h.mu.Lock()
		if w.watchers == 0 {
			delete(h.watches, id)
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), a.Config.LivePoll)
		version, live, err := a.Store.Live.Version(ctx, id)
		cancel()
		if err != nil {
			a.Log.Warn("live: reading a story's version", "article", id, "err", err)
			continue
		}
		h.mu.Lock()
		if version != w.version || live != w.live {
			w.version, w.live = version, live
			close(w.changed)
			w.changed = make(chan struct{})
		}
		h.mu.Unlock()
	}
}

// liveStream is GET /live/:slug: the event stream of a visible live story. Its first
// event comes at once when the reader's page is older than the story (?v= or the
// browser's Last-Event-ID say which version the reader has).
func (a *App) liveStream(c echo.Context) error {
	ctx := c.Request().Context()
	art, err := a.Store.Articles.PublishedBySlug(ctx, a.Now(), c.Param("slug"))
	if err != nil {
		return err
	}
	version, live, err := a.Store.Live.Version(ctx, art.ID)
	if err != nil {
		return err
	}
	if version == 0 {
		return echo.NewHTTPError(http.StatusNotFound, "This story has no live coverage.")
	}
	seen, _ := strconv.ParseInt(c.Request().Header.Get("Last-Event-ID"), 10, 64)
	if seen == 0 {
		seen, _ = strconv.ParseInt(c.QueryParam("v"), 10, 64)
	}
	if !live && seen == version {
		return c.NoContent(http.StatusNoContent) // closed, and the reader has the closed page: browsers stop reconnecting
	}

	res := c.Response()
	h := res.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on as they come
	res.WriteHeader(http.StatusOK)
	if cameAsHead(c.Request()) {
		return nil // HEAD is answered as GET (headAsGet) and would otherwise stream to nobody
	}
	rc := http.NewResponseController(res)
	send := func(format string, args ...any) error {
		// Each write pushes the connection's write deadline past the next heartbeat, so
		// the server's write timeout bounds a stuck client, never a healthy stream.
		if err := rc.SetWriteDeadline(time.Now().Add(liveHeartbeat + 10*time.Second)); err != nil && err != http.ErrNotSupported {
			return err
		}
		if _, err := fmt.Fprintf(res, format, args...); err != nil {
			return err
		}
		return rc.Flush()
	}
	current, leave := a.watch(art.ID, version, live)
	defer leave()
	// retry: how long the browser waits before reconnecting after the stream ends.
	if err := send("retry: 3000\n\n"); err != nil {
		return nil // the reader left
	}
	life := time.NewTimer(liveStreamLife)
	defer life.Stop()
	beat := time.NewTicker(liveHeartbeat)
	defer beat.Stop()
	for {
		v, live, changed := current()
		if v != seen {
			name := "update"
			if !live {
				name = "closed" // the page reads as an article now: fetch it once and stop
			}
			if err := send("id: %d\nevent: %s\ndata: %d\n\n", v, name, v); err != nil {
				return nil
			}
			seen = v
		}
		if !live {
			return nil
		}
		select {
		case <-changed:
		case <-beat.C:
			if err := send(": still here\n\n"); err != nil {
				return nil
			}
		case <-life.C:
			return nil
		case <-a.live.closed:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
