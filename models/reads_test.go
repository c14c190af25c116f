package models

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// joined is the titles of arts as one string, for comparing orders.
func joined(arts []Article) string { return strings.Join(titles(arts), "|") }

// ranked is the headlines of a ranking's stories, as a widget shows them.
func (f *searchFixture) ranked(ids []int64, err error) string {
	f.tb.Helper()
	if err != nil {
		f.tb.Fatal(err)
	}
	byID, err := f.s.Articles.Visible(context.Background(), testNow, ids)
	if err != nil {
		f.tb.Fatal(err)
	}
	var arts []Article
	for _, id := range ids {
		if a, ok := byID[id]; ok {
			arts = append(arts, a)
		}
	}
	return joined(arts)
}

func TestVisibleDropsHiddenStories(t *testing.T) {
	f := newSearchFixture(t)
	first := f.publish("First", "", "", nil)
	second := f.publish("Second", "", "", nil)
	draft := f.publish("Draft", "", "", func(in *ArticleInput) { in.Status = StatusDraft })
	later := f.publish("Later", "", "", func(in *ArticleInput) {
		in.Status, in.PublishedAt = StatusScheduled, testNow.Add(time.Hour)
	})
	if got := f.ranked([]int64{second, draft, first, later, 999999}, nil); got != "Second|First" {
		t.Errorf("Visible = %q, want Second|First: only what readers can see", got)
	}
}

func TestReadCountsFlushAdditivelyFromSeveralServers(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	a := f.publish("Story A", "", "", nil)
	b := f.publish("Story B", "", "", nil)
	old := f.publish("Story Old", "", "", nil)

	server1, server2 := NewReadCounter(f.s), NewReadCounter(f.s)
	for i := 0; i < 3; i++ {
		server1.Add(a, testNow)
	}
	for i := 0; i < 2; i++ {
		server1.Add(b, testNow.In(time.FixedZone("UTC+5:30", 5*3600+1800)))
		server2.Add(b, testNow.Add(-time.Hour))
	}
	for i := 0; i < 10; i++ {
		server2.Add(old, testNow.Add(-ReadWindow-time.Hour)) // read, but before the window
	}

	var rows int
	if err := f.s.R.QueryRow("SELECT count(*) FROM article_reads").Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("reads reached the database before a flush: %d rows (%v)", rows, err)
	}
	for _, rc := range []*ReadCounter{server2, server1, server1} { // flushing twice adds nothing twice
		if err := rc.Flush(ctx, testNow); err != nil {
			t.Fatal(err)
		}
	}
	// Each read is stored under its UTC hour, whatever the zone of the clock that saw it.
	var hours []string
	rowsB, err := f.s.R.Query("SELECT hour FROM article_reads WHERE article_id = ? ORDER BY hour", b)
	if err != nil {
		t.Fatal(err)
	}
	for rowsB.Next() {
		var h string
		if err := rowsB.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hours = append(hours, h)
	}
	if want := []string{hourKey(testNow.Add(-time.Hour)), hourKey(testNow)}; !slices.Equal(hours, want) {
		t.Errorf("story B's reads stored under hours %q, want %q", hours, want)
	}
	// B: 2 + 2 from two servers beats A's 3; Old's reads are outside the window.
	if got := f.ranked(f.s.Articles.MostRead(ctx, testNow, 5)); got != "Story B|Story A" {
		t.Errorf("most read = %q, want Story B|Story A", got)
	}

	// A later flush adds to, never replaces, what is stored.
	for i := 0; i < 2; i++ {
		server2.Add(a, testNow)
	}
	if err := server2.Flush(ctx, testNow); err != nil {
		t.Fatal(err)
	}
	if got := f.ranked(f.s.Articles.MostRead(ctx, testNow, 5)); got != "Story A|Story B" {
		t.Errorf("after more reads of A: %q, want Story A|Story B", got)
	}

	// Reads of a story deleted before the flush are dropped, not an error.
	server1.Add(old, testNow)
	f.exec("DELETE FROM articles WHERE id = ?", old)
	if err := server1.Flush(ctx, testNow); err != nil {
		t.Errorf("flush after a delete: %v", err)
	}
	// Counts past the retention are pruned.
	if err := server1.Flush(ctx, testNow.Add(readRetention+2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	server1.Add(a, testNow.Add(readRetention+2*time.Hour))
	if err := server1.Flush(ctx, testNow.Add(readRetention+2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.s.R.QueryRow("SELECT count(*) FROM article_reads").Scan(&rows); err != nil || rows != 1 {
		t.Errorf("%d rows after pruning (%v), want 1", rows, err)
	}
}

func TestMostCommentedCountsRecentApprovedComments(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	quiet := f.publish("Quiet story", "", "", nil)
	busy := f.publish("Busy story", "", "", nil)
	spammed := f.publish("Spammed story", "", "", nil)
	draft := f.publish("Draft story", "", "", func(in *ArticleInput) { in.Status = StatusDraft })
	comment := func(article int64, status string, at time.Time) {
		f.exec(`INSERT INTO comments (article_id, guest_name, body_src, body_html, status, created_at) VALUES (?, 'G', 'x', 'x', ?, ?)`,
			article, status, fmtTime(at))
	}
	comment(quiet, "approved", testNow)
	comment(busy, "approved", testNow)
	comment(busy, "approved", testNow.Add(-time.Hour))
	for i := 0; i < 5; i++ {
		comment(spammed, "spam", testNow)
		comment(spammed, "pending", testNow)
		comment(draft, "approved", testNow)
		comment(quiet, "approved", testNow.Add(-CommentWindow-time.Hour)) // too old to count
	}
	if got := f.ranked(f.s.Articles.MostCommented(ctx, testNow, 5)); got != "Busy story|Quiet story" {
		t.Errorf("most commented = %q, want Busy story|Quiet story", got)
	}
}
