package models

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Picks in force: a lapsed pin drops out by itself, a pick of a story not yet live is
// the newsroom's only, a new lead replaces the old, and every write moves the site
// version the page cache reads.
func TestFrontPicks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.add(t, "A", f.world, nil)
	b := f.add(t, "B", f.world, nil)
	later := f.add(t, "Later", f.sports, func(in *ArticleInput) { in.Status, in.PublishedAt = StatusScheduled, testNow.Add(time.Hour) })
	site := func() int64 {
		v, err := f.s.SiteVersions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v.Site
	}
	before := site()
	for _, in := range []PickInput{
		{ArticleID: a, Slot: SlotLead, UserID: f.author.ID},
		{ArticleID: b, Slot: SlotTop, PinnedUntil: testNow.Add(30 * time.Minute), UserID: f.author.ID},
		{ArticleID: later, Slot: SlotSection, UserID: f.author.ID},
	} {
		if err := f.s.Front.Pick(ctx, testNow, in); err != nil {
			t.Fatal(err)
		}
	}
	if site() == before {
		t.Error("picking did not move the site version")
	}
	readers, err := f.s.Front.Picks(ctx, testNow, true)
	if err != nil {
		t.Fatal(err)
	}
	if readers.Lead == nil || readers.Lead.ID != a || len(readers.Top) != 1 || len(readers.Sections[f.sports.ID]) != 0 {
		t.Errorf("readers' picks %+v", readers)
	}
	if !readers.Lapses.Equal(testNow.Add(30 * time.Minute)) {
		t.Errorf("lapses %v, want the top pick's pin", readers.Lapses)
	}
	desk, err := f.s.Front.Picks(ctx, testNow, false)
	if err != nil || len(desk.Sections[f.sports.ID]) != 1 {
		t.Errorf("the newsroom should see the pick of the scheduled story: %+v, %v", desk.Sections, err)
	}
	if lapsed, _ := f.s.Front.Picks(ctx, testNow.Add(31*time.Minute), true); len(lapsed.Top) != 0 || !lapsed.Lapses.IsZero() {
		t.Errorf("after its pin ran out the top pick is still in force: %+v", lapsed.Top)
	}
	if err := f.s.Front.Pick(ctx, testNow, PickInput{ArticleID: b, Slot: SlotLead, UserID: f.author.ID}); err != nil {
		t.Fatal(err)
	}
	if p, _ := f.s.Front.Picks(ctx, testNow, true); p.Lead == nil || p.Lead.ID != b || len(p.All) != 1 {
		t.Errorf("a new lead should replace the old and leave its own top slot: %+v", p.All)
	}
}

// The front page reads its few picks first, however many stories there are. SQLite
// has no statistics for a table that was empty at the last ANALYZE (a new paper's
// picks) and would otherwise start from every visible story; picksQuery fixes the order.
// It is SQLite's plan that is checked, so the test opens SQLite whichever engine the
// others run on (PostgreSQL plans from the table's size and takes no hint).
func TestFrontPicksAreReadFromThePicks(t *testing.T) {
	s := sqliteStore(t)
	ctx := context.Background()
	world, err := s.Sections.Create(ctx, "World", "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.W.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		INSERT INTO articles (title, slug, section_id, status, published_at, created_at, modified_at)
		SELECT 'Story ' || i, 'story-' || i, ?, 'published', ?, ?, ? FROM n`,
		world.ID, fmtTime(testNow.Add(-time.Hour)), fmtTime(testNow), fmtTime(testNow))
	if err == nil {
		_, err = s.W.ExecContext(ctx, `ANALYZE`)
	}
	if err != nil {
		t.Fatal(err)
	}
	steps := queryPlan(t, s, s.Front.picksQuery(true), fmtTime(testNow), fmtTime(testNow))
	if len(steps) == 0 || !strings.HasPrefix(steps[0], "SCAN f") {
		t.Errorf("the picks query starts with %q, want a scan of the picks (SCAN f)", steps)
	}
}
