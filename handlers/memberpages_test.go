package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"broadsheet/models"
)

// memberGet fetches path as the holder of cookies, asking for gzip as browsers do,
// and returns the answer's headers and its page, decompressed.
func memberGet(t *testing.T, ta *testApp, path string, cookies []*http.Cookie) (http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	ta.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	b := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if b, err = io.ReadAll(z); err != nil { // checks the length and checksum too
			t.Fatalf("GET %s: the gzip stream is broken: %v", path, err)
		}
	}
	return rec.Header(), string(b)
}

// Members who have not joined a story's discussion share one rendering of its page,
// each seeing their own name in it; nobody sees another's name or the mark.
func TestMembersShareOnePageEachWithTheirOwnName(t *testing.T) {
	ta, art, ed, ada, _ := discussionFixture(t)
	ta.comment(art, ed, 0, "The desk's first word on it.")
	odd := ta.user("Zoe Obrien", models.RoleCommenter)
	// A name as hostile as the sign-up form lets through, and more.
	if _, err := ta.Store.W.ExecContext(context.Background(), "UPDATE users SET name = ? WHERE id = ?", `Zoë O'Brien <b>&</b>`, odd.ID); err != nil {
		t.Fatal(err)
	}
	path := "/articles/" + art.Slug
	adaCk, oddCk := ta.loginCookies(ada), ta.loginCookies(odd)

	memberGet(t, ta, path, adaCk) // renders the members' page
	misses, hits := testutil.ToFloat64(ta.metrics.cacheMisses), testutil.ToFloat64(ta.metrics.cacheHits)
	for _, reader := range []struct {
		ck                []*http.Cookie
		name, html, other string
	}{
		{adaCk, "Ada Reader", "Ada Reader", "O&#39;Brien"},
		{oddCk, `Zoë O'Brien <b>&</b>`, `Zoë O&#39;Brien &lt;b&gt;&amp;&lt;/b&gt;`, "Ada Reader"},
	} {
		h, page := memberGet(t, ta, path, reader.ck)
		if h.Get("Cache-Control") != "private, no-store" {
			t.Errorf("%s: Cache-Control %q, want private, no-store", reader.name, h.Get("Cache-Control"))
		}
		for _, want := range []string{"Signed in as " + reader.html + "</span>", "(posting as " + reader.html + ")"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page lacks %q", reader.name, want)
			}
		}
		if strings.Contains(page, ta.nameMark) || strings.Contains(page, "<b>&</b>") {
			t.Errorf("%s: the page holds the name mark or the name unescaped", reader.name)
		}
		doc := parse(t, &http.Response{Body: io.NopCloser(strings.NewReader(page))})
		if doc.Find(".vote-up").Length() != 1 || doc.Find(`form[action$="/report"]`).Length() != 1 || doc.Find("#comment-body").Length() != 1 {
			t.Errorf("%s: want a vote button, a report button and the comment form", reader.name)
		}
		if strings.Contains(page, reader.other) {
			t.Errorf("%s sees the other member's name", reader.name)
		}
	}
	if got := testutil.ToFloat64(ta.metrics.cacheMisses) - misses; got != 0 {
		t.Errorf("%v renders for two members after the first, want 0", got)
	}
	if got := testutil.ToFloat64(ta.metrics.cacheHits) - hits; got != 2 {
		t.Errorf("%v answers from the cache, want 2", got)
	}
	// Without gzip the same page comes whole.
	res := ta.getAs(path, oddCk)
	if page := body(t, res); res.Header.Get("Content-Encoding") != "" || !strings.Contains(page, "(posting as Zoë O&#39;Brien") {
		t.Errorf("identity answer: encoding %q, name missing", res.Header.Get("Content-Encoding"))
	}
}

// A member whose comment or vote is in the discussion gets their own page (their
// controls, their vote pressed), while the shared one shows none of it to others.
func TestMembersWhoTookPartGetTheirOwnPage(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	desk := ta.comment(art, ed, 0, "The desk's first word on it.")
	cy := ta.user("Cy Reader", models.RoleCommenter)
	path := "/articles/" + art.Slug
	adaCk, boCk, cyCk := ta.loginCookies(ada), ta.loginCookies(bo), ta.loginCookies(cy)
	for _, ck := range [][]*http.Cookie{adaCk, boCk, cyCk} {
		memberGet(t, ta, path, ck) // all three see the shared page first
	}
	own := ta.comment(art, bo, 0, "Bo's own view.")
	if res := ta.postForm(votePath(desk), url.Values{"dir": {"up"}}, cyCk...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("vote: %d", res.StatusCode)
	}
	edit := `a[href="/comments/` + itoa(own.ID) + `/edit"]`
	for round := range 2 { // the second time, every page is in the cache
		_, page := memberGet(t, ta, path, boCk)
		if doc := parse(t, &http.Response{Body: io.NopCloser(strings.NewReader(page))}); doc.Find(edit).Length() != 1 {
			t.Errorf("round %d: Bo cannot edit his comment", round)
		}
		_, page = memberGet(t, ta, path, cyCk)
		doc := parse(t, &http.Response{Body: io.NopCloser(strings.NewReader(page))})
		if doc.Find("#comment-"+itoa(desk.ID)+` .vote-up[aria-pressed="true"]`).Length() != 1 {
			t.Errorf("round %d: Cy's vote is not shown pressed", round)
		}
		_, page = memberGet(t, ta, path, adaCk)
		doc = parse(t, &http.Response{Body: io.NopCloser(strings.NewReader(page))})
		if !strings.Contains(page, "Bo&#39;s own view.") || doc.Find(edit).Length() != 0 || doc.Find(`[aria-pressed="true"]`).Length() != 0 {
			t.Errorf("round %d: Ada's page lacks Bo's comment or shows Bo's controls or Cy's vote", round)
		}
	}
}

// A member's page follows their account at once: a new name, a block, a logout
// everywhere all show on the very next request, though the page came from the cache.
func TestMemberPagesFollowTheAccount(t *testing.T) {
	ta, art, _, ada, _ := discussionFixture(t)
	ctx := context.Background()
	path := "/articles/" + art.Slug
	ck := ta.loginCookies(ada)
	memberGet(t, ta, path, ck)
	memberGet(t, ta, path, ck)
	if _, err := ta.Store.W.ExecContext(ctx, "UPDATE users SET name = 'Ada Lovelace' WHERE id = ?", ada.ID); err != nil {
		t.Fatal(err)
	}
	if _, page := memberGet(t, ta, path, ck); !strings.Contains(page, "Signed in as Ada Lovelace") {
		t.Error("the new name is not shown")
	}
	if err := ta.Store.Users.Block(ctx, ada.ID); err != nil {
		t.Fatal(err)
	}
	if _, page := memberGet(t, ta, path, ck); strings.Contains(page, "Signed in as") {
		t.Error("a block (which ends the sessions) left the reader signed in")
	}
	ck = ta.loginCookies(ada)
	if _, page := memberGet(t, ta, path, ck); !strings.Contains(page, "Your account has been blocked") || strings.Contains(page, `id="comment-body"`) {
		t.Error("a blocked member got the comment form")
	}
	if err := ta.Store.Users.Unblock(ctx, ada.ID); err != nil {
		t.Fatal(err)
	}
	memberGet(t, ta, path, ck)
	if err := ta.Store.Users.EndSessions(ctx, ada.ID); err != nil {
		t.Fatal(err)
	}
	if _, page := memberGet(t, ta, path, ck); strings.Contains(page, "Signed in as") {
		t.Error("logging out everywhere left this browser signed in")
	}
}

// Staff pages carry newsroom links and their account pages personal details: neither
// is ever served from the members' pages.
func TestOnlyReadersPagesAreShared(t *testing.T) {
	ta, art, ed, ada, bo := discussionFixture(t)
	path := "/articles/" + art.Slug
	memberGet(t, ta, path, ta.loginCookies(ada))
	if _, page := memberGet(t, ta, path, ta.loginCookies(ed)); !strings.Contains(page, `href="/admin"`) || !strings.Contains(page, "Signed in as Mina Karimi") {
		t.Error("the editor got a reader's page")
	}
	for _, u := range []models.User{ada, bo} {
		if _, page := memberGet(t, ta, "/account", ta.loginCookies(u)); !strings.Contains(page, u.Email) {
			t.Errorf("%s's account page does not show their address", u.Name)
		}
	}
}

// joinGzip's stream is a valid gzip file holding the parts joined by the name, for
// any parts and names, including empty ones and names longer than a stored block.
func TestJoinGzipMakesTheJoinedPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := new(App) // its writers' pool starts empty; the later parts reuse its writers
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcde <>&\n"[rng.IntN(10)]
		}
		return b
	}
	for _, tc := range []struct {
		parts []int // lengths
		name  int
	}{{[]int{0}, 5}, {[]int{100, 0, 100}, 0}, {[]int{5000, 70000, 3}, 12}, {[]int{10, 10}, 70000}, {[]int{0, 0, 0, 0}, 1}} {
		var parts, deflated [][]byte
		for _, n := range tc.parts {
			p := random(n)
			parts, deflated = append(parts, p), append(deflated, a.deflatePart(p))
		}
		name := random(tc.name)
		z, err := gzip.NewReader(bytes.NewReader(joinGzip(nil, parts, deflated, name)))
		if err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		got, err := io.ReadAll(z)
		if err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		if want := bytes.Join(parts, name); !bytes.Equal(got, want) {
			t.Errorf("%v: %d bytes, want %d", tc, len(got), len(want))
		}
	}
}
