package handlers

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// hostileParams replace every path parameter: real ids, zero, negative, huge, non-numeric,
// encoded separators and NUL, invalid UTF-8, and very long.
var hostileParams = []string{"1", "2", "0", "-1", "99999999999999999999", "abc", "%2F..%2F", "%00", "%C0%AF", strings.Repeat("x", 3000)}

// hostileForm fills every field name the site's forms use with values a careless or
// malicious client might send.
func hostileForm(v string) url.Values {
	f := url.Values{}
	for _, name := range []string{"title", "slug", "dek", "body", "dateline", "wire", "section", "section_id", "authors",
		"tags", "media_id", "image_alt", "image_caption", "image_credit", "status", "published_at", "updated_at",
		"correction", "comments_open", "version", "email", "name", "password", "new_password", "current_password",
		"role", "reason", "alt", "caption", "credit", "description", "parent", "parent_id", "ids", "action", "direction",
		"site_name", "tagline", "time_zone", "discussion_policy", "max_reply_depth", "links_before_hold", "held_words",
		"close_after_days", "guest_comments", "next", "a", "b", "rev", "q", "page"} {
		f.Add(name, v)
		f.Add(name, v) // and twice, as a form with duplicated fields would
	}
	return f
}

var hostileValues = []string{"", "-1", "99999999999999999999", "<script>alert(1)</script>", "\xff\xfe\x00", strings.Repeat("é", 6000)}

// Every route, every method, as a stranger, a commenter and an administrator, with
// hostile parameters and bodies: the answer may be 2xx, 3xx or 4xx, never 5xx.
func TestNoRouteAnswers500(t *testing.T) {
	n := newAdminSite(t)
	roles := []string{"", "commenter", "admin"}
	statuses := map[int]int{} // how often each status came back, to show the requests reached handlers
	// Echo lists routes in no fixed order; the ones that end the account's sessions go
	// last, so that every other route is tried with sessions that still work.
	routes := n.App.router().Routes()
	endsSessions := func(r *echo.Route) bool {
		return r.Path == "/logout" || strings.HasPrefix(r.Path, "/account/")
	}
	slices.SortStableFunc(routes, func(x, y *echo.Route) int {
		switch {
		case endsSessions(x) == endsSessions(y):
			return 0
		case endsSessions(x):
			return 1
		}
		return -1
	})
	for _, r := range routes {
		if r.Method == "echo_route_not_found" || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		for _, param := range hostileParams {
			path := r.Path
			for _, seg := range strings.Split(r.Path, "/") {
				if strings.HasPrefix(seg, ":") || seg == "*" {
					path = strings.Replace(path, seg, param, 1)
				}
			}
			for _, role := range roles {
				if r.Method != http.MethodPost {
					res := n.send(r.Method, path, role, nil)
					statuses[res.StatusCode]++
					if res.StatusCode >= 500 {
						t.Errorf("%s %s as %q: %d", r.Method, path[:min(len(path), 80)], role, res.StatusCode)
					}
					continue
				}
				for _, v := range hostileValues {
					res := n.send(r.Method, path, role, hostileForm(v))
					statuses[res.StatusCode]++
					if res.StatusCode >= 500 {
						t.Errorf("POST %s as %q with %q: %d", path[:min(len(path), 80)], role, v[:min(len(v), 20)], res.StatusCode)
					}
				}
				if res := n.sendRaw(path, role, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\ntrunc"); res.StatusCode >= 500 {
					t.Errorf("POST %s as %q with a truncated multipart body: %d", path[:min(len(path), 80)], role, res.StatusCode)
				}
				if res := n.sendRaw(path, role, "application/x-www-form-urlencoded", "%zz=%zz&a=%"); res.StatusCode >= 500 {
					t.Errorf("POST %s as %q with a malformed form: %d", path[:min(len(path), 80)], role, res.StatusCode)
				}
			}
		}
	}
	// The sweep is only worth something if requests got past routing and role checks:
	// pages served, forms refused with reasons, and actions redirected.
	for _, want := range []int{http.StatusOK, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusForbidden, http.StatusNotFound} {
		if statuses[want] == 0 {
			t.Errorf("no request answered %d; statuses seen: %v", want, statuses)
		}
	}
	t.Logf("statuses: %v", statuses)
}

// A multipart upload with hostile fields is refused cleanly too.
func TestHostileMultipartArticleForm(t *testing.T) {
	n := newAdminSite(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range hostileForm("\xff<script>") {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("photo", "../../etc/passwd.png")
	fw.Write([]byte("GIF89a not really"))
	mw.Close()
	res := n.sendRaw("/admin/articles", "admin", mw.FormDataContentType(), body.String())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("hostile article form: %d, want 422 with the reasons", res.StatusCode)
	}
}

// sendRaw posts a body with its own content type, same-origin, as role.
func (n *adminSite) sendRaw(path, role, contentType, body string) *http.Response {
	n.tb.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range n.cookies[role] {
		req.AddCookie(c)
	}
	return n.do(req)
}
