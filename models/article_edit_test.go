package models

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	cases := []struct {
		old, new string
		want     string
	}{
		{"a\nb\nc", "a\nb\nc", "=a =b =c"},
		{"a\nb\nc", "a\nx\nc", "=a -b +x =c"},
		{"", "a", "- +a"},
		{"a\nb", "b\nc", "-a =b +c"},
		{"one\ntwo\nthree\nfour", "zero\none\nthree\nfour\nfive", "+zero =one -two =three =four +five"},
	}
	for _, tc := range cases {
		var got []string
		for _, l := range Diff(tc.old, tc.new) {
			got = append(got, l.Op+l.Text)
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("Diff(%q, %q) = %q, want %q", tc.old, tc.new, g, tc.want)
		}
	}
}

func TestDiffOfHugeTextsStaysBounded(t *testing.T) {
	big := strings.Repeat("line\n", 3000)
	d := Diff(big, big+"x")
	if len(d) != 6002 { // past the table limit: shown as replaced, not aligned
		t.Errorf("%d lines", len(d))
	}
}

func TestUpdateOptimisticLockingAndRevisions(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	sec, _ := s.Sections.Create(ctx, "World", "")
	id, err := s.Articles.Create(ctx, testNow, ArticleInput{Title: "One", SectionID: sec.ID, Status: StatusDraft, Body: "first"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Articles.Get(ctx, id)
	in := a.Input()
	in.Title, in.Slug, in.Body = "Two", "two", "second"
	v, err := s.Articles.Update(ctx, testNow, id, a.Version, in)
	if err != nil || v != 2 {
		t.Fatalf("update: v%d %v", v, err)
	}
	in.Title = "Stale"
	if _, err := s.Articles.Update(ctx, testNow, id, a.Version, in); !errors.Is(err, ErrConflict) {
		t.Errorf("stale update: %v, want ErrConflict", err)
	}
	if _, err := s.Articles.Update(ctx, testNow, 999, 1, in); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing article: %v", err)
	}
	got, _ := s.Articles.Get(ctx, id)
	if got.Title != "Two" || got.Slug != "two" || string(got.BodyHTML) != "<p>second</p>\n" {
		t.Errorf("after update: %+v", got)
	}
	revs, _ := s.Articles.Revisions(ctx, id)
	if len(revs) != 2 || revs[0].Title != "Two" || revs[1].Title != "One" {
		t.Fatalf("revisions: %+v", revs)
	}
	// Publishing is logged; a slug taken by another story is a field error.
	in.Title, in.Status, in.PublishedAt = "Two", StatusPublished, testNow
	if _, err := s.Articles.Update(ctx, testNow, id, 2, in); err != nil {
		t.Fatal(err)
	}
	log, _ := s.Audit.Recent(ctx, 5)
	if len(log) != 1 || log[0].Action != "article.published" {
		t.Errorf("audit: %+v", log)
	}
	other, _ := s.Articles.Create(ctx, testNow, ArticleInput{Title: "Other", SectionID: sec.ID, Status: StatusDraft})
	o, _ := s.Articles.Get(ctx, other)
	oin := o.Input()
	oin.Slug = "two"
	if _, err := s.Articles.Update(ctx, testNow, other, o.Version, oin); err == nil {
		t.Error("duplicate slug saved")
	} else if v, ok := AsValidation(err); !ok || v["slug"] == "" {
		t.Errorf("duplicate slug: %v", err)
	}
}

// BenchmarkDiff is a long story (400 lines) with a few lines changed: the revisions page's work.
func BenchmarkDiff(b *testing.B) {
	var old, new strings.Builder
	for i := 0; i < 400; i++ {
		line := "Paragraph " + strings.Repeat("word ", i%20) + "end."
		old.WriteString(line + "\n")
		if i%50 == 0 {
			line += " (revised)"
		}
		new.WriteString(line + "\n")
	}
	for b.Loop() {
		Diff(old.String(), new.String())
	}
}

// An edit inside a paragraph is shown as the words it touched; a rewritten line as a
// line removed and a line added.
func TestDiffWordsInsideParagraphs(t *testing.T) {
	got := Diff("Intro.\nThe wall held through the night.\nTail.", "Intro.\nThe sea wall held through the long night.\nTail.")
	if len(got) != 3 || got[1].Op != "~" {
		t.Fatalf("diff %+v", got)
	}
	var added, removed []string
	for _, w := range got[1].Words {
		switch w.Op {
		case "+":
			added = append(added, strings.TrimSpace(w.Text))
		case "-":
			removed = append(removed, w.Text)
		}
	}
	if strings.Join(strings.Fields(strings.Join(added, " ")), " ") != "sea long" || len(removed) != 0 {
		t.Errorf("added %q removed %q", added, removed)
	}
	got = Diff("# Draft by the author", "# Second headline")
	if len(got) != 2 || got[0].Op != "-" || got[1].Op != "+" {
		t.Errorf("rewritten line: %+v", got)
	}
}
