package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A story page kept in the cache is the page as rendered, with no trace of where it
// was cut, in every encoding; after a comment lands on the discussion's next page, its
// gzip form reuses the compressed parts that did not change (the story, the comments
// and their structured data) and lays the counts in stored. No page
// rendered for one reader carries a cut.
func TestCutPagesAreWholeAndReuseTheirUnchangedParts(t *testing.T) {
	ta, art, ed, ada, _ := discussionFixture(t)
	for i := range threadsPerPage + 1 { // two pages of threads
		ta.comment(art, ed, 0, "Thread "+strings.Repeat("x", i+1))
	}
	path := "/articles/" + art.Slug
	whole := func(what string) string {
		t.Helper()
		h, zipped := memberGet(t, ta, path, nil) // asks for gzip; reading it checks its length and checksum
		if h.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: Content-Encoding %q, want gzip", what, h.Get("Content-Encoding"))
		}
		identity := body(t, ta.get(path)) // the same page from the cache, uncompressed
		if zipped != identity {
			t.Errorf("%s: the gzip form (%d bytes decompressed) is not the page (%d bytes)", what, len(zipped), len(identity))
		}
		if strings.Contains(identity, ta.cutMark) {
			t.Errorf("%s: the page holds the cut mark", what)
		}
		if !strings.Contains(identity, "Thread x") || !strings.Contains(identity, `"comment":[`) {
			t.Errorf("%s: the page lacks its comments or their structured data", what)
		}
		return identity
	}

	whole("first view")
	parts, kept := len(ta.deflated.items), ta.deflated.bytes()
	if parts < 4 {
		t.Fatalf("the story page was kept in %d compressed parts, want it cut around its discussion and comments", parts)
	}
	ta.comment(art, ed, 0, "A thread on the second page")
	if page := whole("after a comment on page 2"); !strings.Contains(page, "(52 comments)") {
		t.Errorf("the page does not show the new count")
	}
	// Only the counts are new, and they are laid in stored: the other parts are reused.
	if n, grown := len(ta.deflated.items)-parts, ta.deflated.bytes()-kept; n > 2 || grown*10 > kept {
		t.Errorf("the next view compressed %d new parts of %d, %d bytes against %d for the first view; want the counts alone to be new",
			n, parts, grown, kept)
	}

	// Pages for one reader are never cut.
	for name, ck := range map[string][]*http.Cookie{"member": ta.loginCookies(ada), "editor": ta.loginCookies(ed)} {
		if _, page := memberGet(t, ta, path, ck); strings.Contains(page, ta.cutMark) {
			t.Errorf("%s: the page holds the cut mark", name)
		}
	}
}

// A story page put together from its kept shell is byte for byte the page rendered
// whole (as it is for a browser whose session cookie is no longer valid, which the
// page cache passes by): with no comment yet, before and after a comment, after the
// widgets beside it change, once its threads need a second page, and once the
// discussion closes by age. After a comment the discussion's frame is reused, not
// rendered again.
func TestStoryPagesFromTheirShellAreThePageRenderedWhole(t *testing.T) {
	ta, art, ed, _, _ := discussionFixture(t)
	other := ta.article("Other talks", ta.section("Politics"), ed, nil)
	path := "/articles/" + art.Slug
	renderedWhole := func() string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "long-expired"})
		return body(t, ta.do(req))
	}
	same := func(when, want string) {
		t.Helper()
		got := body(t, ta.get(path))
		if got != renderedWhole() {
			t.Errorf("%s: the cached page (%d bytes) is not the page rendered whole (%d bytes)", when, len(got), len(renderedWhole()))
		}
		if !strings.Contains(got, want) {
			t.Errorf("%s: the page lacks %q", when, want)
		}
	}
	frame := func() [][]byte {
		b, ok := ta.bundles.get(art.Slug)
		if !ok {
			t.Fatal("the story has no bundle")
		}
		b.shell.mu.Lock()
		defer b.shell.mu.Unlock()
		return b.shell.frame
	}
	same("with no comment", "No comments yet.")
	ta.comment(art, ed, 0, "A first word.")
	same("first view", "A first word.")
	kept := frame()
	ta.comment(art, ed, 0, "A second word.")
	same("after a comment", "A second word.")
	if f := frame(); len(f) == 0 || &f[0] != &kept[0] {
		t.Error("the discussion's frame was rendered again after a comment")
	}
	for i := range 3 {
		ta.comment(other, ed, 0, "The other story is talked about more"+strings.Repeat("!", i+1))
	}
	ta.rank()
	same("after the widgets changed", `<a href="/articles/`+other.Slug+`#discussion">Other talks</a>`)
	for i := range threadsPerPage {
		ta.comment(art, ed, 0, fmt.Sprintf("Thread %d", i))
	}
	same("with a second page of threads", "cpage=2")
	// Closing by age changes no row: the page expires, and the same bundle serves it closed.
	ctx := context.Background()
	st, err := ta.Store.Settings.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.CloseAfterDays = 7
	if err := ta.Store.Settings.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	same("while open", "Log in</a> or")
	ta.Now = func() time.Time { return art.PublishedAt.AddDate(0, 0, 8) }
	same("once closed by age", "This discussion is closed.")
}
