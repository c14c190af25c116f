package models

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Entries are checked before anything is stored; each refusal names its field.
func TestLiveEntryValidation(t *testing.T) {
	cases := []struct {
		name  string
		in    LiveEntryInput
		field string // "" = accepted
	}{
		{"plain", LiveEntryInput{Body: "Wind at 120 km/h."}, ""},
		{"key event with headline", LiveEntryInput{Title: " Evacuation ", Body: "Ordered.", KeyEvent: true}, ""},
		{"blank", LiveEntryInput{Body: " \r\n\t"}, "body"},
		{"too long", LiveEntryInput{Body: strings.Repeat("é", MaxLiveEntryLen+1)}, "body"},
		{"control character", LiveEntryInput{Body: "a\x00b"}, "body"},
		{"invalid UTF-8", LiveEntryInput{Body: "a\xffb"}, "body"},
		{"key event without headline", LiveEntryInput{Body: "Big news", KeyEvent: true}, "title"},
		{"headline too long", LiveEntryInput{Title: strings.Repeat("h", MaxLiveEntryTitle+1), Body: "x"}, "title"},
		{"headline with a newline", LiveEntryInput{Title: "two\nlines", Body: "x"}, "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.in.validate()
			if tc.field == "" && len(v) > 0 || tc.field != "" && v[tc.field] == "" {
				t.Errorf("validate() = %v, want an error on %q", v, tc.field)
			}
		})
	}
}

// One pin per story, entries only while live, and a deleted story takes its coverage along.
func TestLiveCoverageRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.add(t, "Storm", f.world, nil)
	if _, err := f.s.Live.Post(ctx, testNow, id, f.author.ID, LiveEntryInput{Body: "Too early"}); !errors.Is(err, ErrConflict) {
		t.Fatalf("entry before the story is live: %v, want ErrConflict", err)
	}
	if err := f.s.Live.Start(ctx, testNow, id, 0); err != nil {
		t.Fatal(err)
	}
	first, err := f.s.Live.Post(ctx, testNow, id, f.author.ID, LiveEntryInput{Body: "First", Pinned: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.s.Live.Post(ctx, testNow.Add(time.Minute), id, f.author.ID, LiveEntryInput{Body: "Second *pinned*", Pinned: true})
	if err != nil {
		t.Fatal(err)
	}
	cov, err := f.s.Live.Coverage(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov.Entries) != 2 || cov.Entries[0].ID != second.ID || cov.Pinned().ID != second.ID || !cov.Live() {
		t.Fatalf("coverage: %+v; want newest first with the second entry pinned", cov)
	}
	if string(second.BodyHTML) != "<p>Second <em>pinned</em></p>\n" || second.AuthorName != "Ann Writer" {
		t.Errorf("entry: %q by %q", second.BodyHTML, second.AuthorName)
	}
	// Pinning the first again moves the pin back.
	if err := f.s.Live.Update(ctx, testNow.Add(2*time.Minute), id, first.ID, 0, LiveEntryInput{Body: "First, edited", Pinned: true}); err != nil {
		t.Fatal(err)
	}
	if cov, _ = f.s.Live.Coverage(ctx, id); cov.Pinned().ID != first.ID || !cov.Pinned().Edited() {
		t.Errorf("pin after editing the first: %+v", cov.Pinned())
	}
	before, _, _ := f.s.Live.Version(ctx, id)
	if err := f.s.Live.Close(ctx, testNow.Add(time.Hour), id, 0); err != nil {
		t.Fatal(err)
	}
	after, live, _ := f.s.Live.Version(ctx, id)
	if live || after <= before {
		t.Errorf("closing: live %v, version %d → %d", live, before, after)
	}
	if err := f.s.Live.Close(ctx, testNow.Add(time.Hour), id, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("closing twice: %v, want ErrNotFound", err)
	}
	if _, err := f.s.Live.Post(ctx, testNow, id, f.author.ID, LiveEntryInput{Body: "Too late"}); !errors.Is(err, ErrConflict) {
		t.Errorf("entry after closing: %v, want ErrConflict", err)
	}
	if err := f.s.Articles.Delete(ctx, testNow, id, f.author.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.s.R.QueryRow("SELECT count(*) FROM live_entries").Scan(&n); err != nil || n != 0 {
		t.Errorf("entries left after deleting the story: %d, %v", n, err)
	}
}
