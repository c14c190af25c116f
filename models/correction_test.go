package models

import (
	"context"
	"testing"
	"time"
)

// A note amended keeps the text it had; an amendment that changes nothing records
// nothing; /corrections lists only notes on stories readers can see.
func TestCorrectionsRecord(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	live := f.add(t, "Live", f.world, nil)
	draft := f.add(t, "Draft", f.world, func(in *ArticleInput) { in.Status = StatusDraft })
	by := f.author.ID
	id, err := f.s.Corrections.File(ctx, testNow, live, CorrectionInput{Kind: KindCorrection, Body: " First text. ", UserID: by})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Corrections.File(ctx, testNow, draft, CorrectionInput{Kind: KindUpdate, Body: "Not public yet.", UserID: by}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"Second text.", "Second text."} {
		if err := f.s.Corrections.Amend(ctx, testNow.Add(time.Hour), id, CorrectionInput{Kind: KindClarification, Body: body, UserID: by}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := f.s.Corrections.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Body != "Second text." || c.Kind != KindClarification || !c.AmendedAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("amended note %+v", c)
	}
	if len(c.Earlier) != 1 || c.Earlier[0].Body != "First text." || c.Earlier[0].Kind != KindCorrection || c.Earlier[0].By != "Ann Writer" {
		t.Errorf("earlier texts %+v, want the first text once", c.Earlier)
	}
	recent, err := f.s.Corrections.Recent(ctx, testNow, Page{Number: 1, Size: 10})
	if err != nil || recent.Total != 1 || len(recent.Items) != 1 || recent.Items[0].ArticleTitle != "Live" {
		t.Errorf("recent %+v, %v: want only the live story's note", recent, err)
	}
}
