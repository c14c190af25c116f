package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"broadsheet/models"
)

// A request never shares a version read that began before it arrived (it could miss a
// write committed just before), yet requests arriving together share the next one.
func TestSharedReadNeverHandsOutAnOlderRead(t *testing.T) {
	var sr sharedRead
	var reads atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	read := func(context.Context) (models.Global, error) {
		n := reads.Add(1)
		if n == 1 {
			close(started)
			<-release // the first read is slow: requests arrive while it runs
		}
		return models.Global{Site: n, Comments: n, Users: n}, nil
	}
	first := make(chan int64)
	go func() {
		g, _ := sr.get(context.Background(), read)
		first <- g.Site
	}()
	<-started
	var wg sync.WaitGroup
	got := make([]int64, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, _ := sr.get(context.Background(), read)
			got[i] = g.Site
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them all queue behind the slow read
	close(release)
	wg.Wait()
	if site := <-first; site != 1 {
		t.Errorf("the first request got read %d, want 1", site)
	}
	for i, site := range got {
		if site != 2 {
			t.Errorf("request %d, which arrived during read 1, got read %d, want 2 (shared by all eight)", i, site)
		}
	}
	if n := reads.Load(); n != 2 {
		t.Errorf("%d reads for nine requests, want 2", n)
	}
	// Alone again, a request reads at once.
	if g, _ := sr.get(context.Background(), read); g.Site != 3 {
		t.Errorf("a later request got read %d, want a fresh one (3)", g.Site)
	}
}

// A form's submission reads the versions itself instead of joining the readers' shared
// read (see readVersions): a comment goes through while that read is held up, and a
// page, which shares it, waits.
func TestSubmissionsDoNotWaitForTheSharedRead(t *testing.T) {
	ta := newTestApp(t)
	ed := ta.user("Mina Karimi", models.RoleEditor)
	art := ta.article("Talks resume in Tehran", ta.section("World"), ed, nil)
	cookies := ta.loginCookies(ed)
	ta.siteReads.mu.Lock()
	ta.siteReads.busy = true // a shared read under way that never ends
	ta.siteReads.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	form := url.Values{"body": {"Posted while the readers' read is held up."}}
	req := formRequest("/articles/"+art.Slug+"/comments", form, cookies...).WithContext(ctx)
	if res := ta.do(req); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("posting a comment: %d, want 303", res.StatusCode)
	}
	if n := ta.rows("comments"); n != 1 {
		t.Errorf("%d comments stored, want 1", n)
	}

	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	if res := ta.do(httptest.NewRequestWithContext(short, http.MethodGet, "/articles/"+art.Slug, nil)); res.StatusCode == http.StatusOK {
		t.Error("a page was served without the shared read: the test's hold on it does not hold")
	}
}
