package handlers

import (
	"context"
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
