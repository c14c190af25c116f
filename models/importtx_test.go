package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// An import's one transaction spills its dirty pages to the WAL, and slows with every
// item, unless its connection has a large page cache; the server's own writes, on the
// same single writer connection afterwards, must not keep that cache.
func TestInTxRunsWithALargeCacheAndGivesItBack(t *testing.T) {
	s := newTestDB(t)
	sqliteOnly(t, s, "the page cache pragma")
	ctx := context.Background()
	cacheSize := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, fail := range []bool{false, true} {
		err := s.InTx(ctx, time.Now(), func(tx *TxStore) error {
			if got := cacheSize(tx.tx); got != -importCacheKiB {
				t.Errorf("cache_size inside the import = %d, want %d", got, -importCacheKiB)
			}
			if fail {
				return errors.New("stop")
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("fail=%v: err = %v", fail, err)
		}
		if got := cacheSize(s.W); got != -2000 {
			t.Errorf("fail=%v: cache_size after the import = %d, want SQLite's default -2000", fail, got)
		}
	}
}

// What an import writes through the TxStore follows the very rules of the verbs the
// newsroom and the comment form use: the same refusals for the same bad input, and
// for good input rows a reader (or an editor) cannot tell apart.
func TestImportedThingsAreLikeThoseTheVerbsMake(t *testing.T) {
	s, art, ada, _ := discussionDB(t)
	ctx := context.Background()
	changeSettings(t, s, func(st *Settings) { st.GuestComments = true })
	inTx := func(fn func(tx *TxStore) error) error { return s.InTx(ctx, testNow, fn) }

	// Accounts: the same refusals, the same normalised name and slug rule (a repeated name gets -2).
	for _, n := range []NewUser{
		{Email: "not an address", Name: "Writer"},
		{Email: "w@example.com", Name: "★★★"},
		{Email: "w@example.com", Name: strings.Repeat("n", 51)},
		{Email: "w@example.com", Name: "Writer", Role: "overlord"},
		{Email: "ada@example.com", Name: "Somebody"}, // a taken email
		{Email: "w@example.com", Name: "Ada"},        // a taken display name
	} {
		form := n
		form.Password = "long enough password"
		_, formErr := s.Users.Create(ctx, testNow, form)
		var id int64
		importErr := inTx(func(tx *TxStore) (err error) { id, err = tx.CreateImportedUser(ctx, n); return err })
		if formErr == nil || fmt.Sprint(formErr) != fmt.Sprint(importErr) {
			t.Errorf("%+v: the form says %v, the import %v (id %d)", n, formErr, importErr, id)
		}
	}
	made, err := s.Users.Create(ctx, testNow, NewUser{Email: "made@example.com", Name: "  Sam Writer ", Role: RoleAuthor, Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	var importedID int64
	if err := inTx(func(tx *TxStore) (err error) {
		importedID, err = tx.CreateImportedUser(ctx, NewUser{Email: " imported@example.com ", Name: "Sam  Writer", Role: RoleAuthor})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	imported, err := s.Users.Get(ctx, importedID)
	if err != nil {
		t.Fatal(err)
	}
	if made.Name != "Sam Writer" || imported.Email != "imported@example.com" || imported.Role != made.Role ||
		made.Slug != "sam-writer" || imported.Slug != "sam-writer-2" {
		t.Errorf("made %q %q %q, imported %q %q %q %q", made.Name, made.Slug, made.Role, imported.Name, imported.Email, imported.Slug, imported.Role)
	}
	if _, err := s.Users.Authenticate(ctx, "imported@example.com", ""); err == nil {
		t.Error("an imported account (no password) can log in")
	}

	// Sections: the same refusals; the import keeps the old site's slug.
	for _, name := range []string{"", "  ", "★", "World"} {
		_, formErr := s.Sections.Create(ctx, name, "")
		importErr := inTx(func(tx *TxStore) error { _, err := tx.CreateSection(ctx, name, "elsewhere"); return err })
		if formErr == nil || fmt.Sprint(formErr) != fmt.Sprint(importErr) {
			t.Errorf("section %q: the form says %v, the import %v", name, formErr, importErr)
		}
	}
	formSec, err := s.Sections.Create(ctx, " Local news ", "")
	if err != nil {
		t.Fatal(err)
	}
	var secID int64
	if err := inTx(func(tx *TxStore) (err error) { secID, err = tx.CreateSection(ctx, " Sport ", "sport-old"); return err }); err != nil {
		t.Fatal(err)
	}
	impSec, err := s.Sections.Get(ctx, secID)
	if err != nil {
		t.Fatal(err)
	}
	if formSec.Name != "Local news" || impSec.Name != "Sport" || impSec.Slug != "sport-old" || impSec.Position != formSec.Position+1 {
		t.Errorf("form section %+v, imported %+v", formSec, impSec)
	}

	// Comments: the same refusals of the text and of a guest's name; for the same text
	// the same stored source and HTML, and the discussion's counts move alike.
	hostile := "Look <script>alert(1)</script><a href=\"javascript:x()\">here</a>\r\n\r\n*Second* paragraph & more"
	for _, c := range []struct{ name, body string }{
		{"Guest", "<script>alert(1)</script>"},
		{"Guest", "bell \x07 character"},
		{"Guest", strings.Repeat("x", MaxCommentLen+1)},
		{"Guest", "   "},
		{strings.Repeat("g", 51), "Fine text."},
	} {
		_, formErr := s.Comments.Post(ctx, testNow, NewComment{ArticleID: art.ID, GuestName: c.name, GuestEmail: "g@example.com", Body: c.body})
		importErr := inTx(func(tx *TxStore) error {
			_, err := tx.ImportComment(ctx, ImportedComment{ArticleID: art.ID, GuestName: c.name, Source: c.body, Text: c.body,
				Status: CommentApproved, CreatedAt: testNow})
			return err
		})
		if formErr == nil || fmt.Sprint(formErr) != fmt.Sprint(importErr) {
			t.Errorf("comment %.20q by %.10q: the form says %v, the import %v", c.body, c.name, formErr, importErr)
		}
	}
	posted, err := s.Comments.Post(ctx, testNow, NewComment{ArticleID: art.ID, User: &ada, Body: hostile})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Comments.Approve(ctx, testNow, posted.ID); err != nil {
		t.Fatal(err)
	}
	counts := func() (approved, threads int) {
		t.Helper()
		if err := s.R.QueryRowContext(ctx, "SELECT approved, threads FROM discussions WHERE article_id = ?", art.ID).Scan(&approved, &threads); err != nil {
			t.Fatal(err)
		}
		return approved, threads
	}
	approved, threads := counts()
	var cid int64
	if err := inTx(func(tx *TxStore) (err error) {
		cid, err = tx.ImportComment(ctx, ImportedComment{ArticleID: art.ID, UserID: ada.ID, Source: normaliseBody(hostile), Text: hostile,
			Status: CommentApproved, CreatedAt: testNow})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Comments.Get(ctx, posted.ID)
	b, err := s.Comments.Get(ctx, cid)
	if err != nil {
		t.Fatal(err)
	}
	if a.BodySrc != b.BodySrc || a.BodyHTML != b.BodyHTML || a.Name != b.Name || a.Status != b.Status || strings.Contains(string(b.BodyHTML), "script") {
		t.Errorf("posted %q %q by %q (%s)\nimported %q %q by %q (%s)", a.BodySrc, a.BodyHTML, a.Name, a.Status, b.BodySrc, b.BodyHTML, b.Name, b.Status)
	}
	if a2, t2 := counts(); a2 != approved+1 || t2 != threads+1 {
		t.Errorf("approved comments and threads %d, %d after the import; %d, %d before", a2, t2, approved, threads)
	}
}
