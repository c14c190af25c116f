package handlers

import (
	"context"
	"net/http"
	"time"
)

// hitLane answers an anonymous reader from the page cache before the request reaches
// the router, when the cache holds the page and the versions read now say it is
// current. A hit is most of what a busy site serves, and the router's path costs it
// as much again as the answer itself (context, middleware chain, header copies); here
// it pays only for the versions read, the headers and the log line. Everything else
// (misses, waiting for a render under way, personal pages, errors) goes on to next,
// whose servePages applies the same rule.
func (a *App) hitLane(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if !cacheable(r) {
			next.ServeHTTP(w, r)
			return
		}
		page, ok := a.pages.get(pageKey(r))
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		st, err := a.readVersions(r.Context(), page.deps.articleID, true)
		if err != nil {
			next.ServeHTTP(w, r) // the error becomes the error page there
			return
		}
		if !page.deps.covers(st, a.Now()) { // a miss: servePages renders it under the versions read here
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), laneState{}, st)))
			return
		}
		id := newRequestID()
		own := answerHeaders{id: id, site: a.siteHeaders(r), page: page.headers}
		status, _ := a.sendHit(w, r, page, own) // a failed write is the reader gone: nothing to answer
		a.logRequest(r, page.route, status, start, id)
	})
}

// laneState carries, in a request's context, the versions hitLane read for a page it
// found stale, so the render that follows does not read them again.
type laneState struct{}
