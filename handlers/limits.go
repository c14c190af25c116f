package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// Rate is at most Max requests per client in each window of Per (Max 0: no limit).
type Rate struct {
	Max int
	Per time.Duration
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Max, shortDuration(r.Per)) }

// RateLimits maps an action (login, comment, report, vote, search, feed, signup) to its rate.
// Sign-up is counted per address by UserStore.ReserveSignup in its own handler, which
// keeps the form's text on refusal, rather than by the rateLimit middleware.
type RateLimits map[string]Rate

// defaultRateLimits are generous for a person and tight for a script. Search and feeds
// count only the requests the page cache could not answer.
var defaultRateLimits = RateLimits{
	"login":   {30, 10 * time.Minute},
	"comment": {20, 10 * time.Minute},
	"report":  {30, time.Hour},
	"vote":    {120, 10 * time.Minute}, // a reader reading a long thread may vote often; a script may not
	"search":  {60, time.Minute},
	"feed":    {120, time.Minute},
	"signup":  {10, time.Hour},
}

// DefaultRateLimits returns a copy of the defaults, for the command line's help.
func DefaultRateLimits() RateLimits { return maps.Clone(defaultRateLimits) }

func (rl RateLimits) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(rl)) {
		parts = append(parts, k+"="+rl[k].String())
	}
	return strings.Join(parts, ",")
}

// Set reads "search=30/1m,login=10/10m" over the current values (a flag.Value);
// "search=0" turns a limit off.
func (rl RateLimits) Set(spec string) error {
	for _, part := range strings.Split(spec, ",") {
		name, rate, ok := strings.Cut(strings.TrimSpace(part), "=")
		if _, known := defaultRateLimits[name]; !ok || !known {
			return fmt.Errorf("%q: write ACTION=COUNT/PERIOD with ACTION one of %s", part, strings.Join(slices.Sorted(maps.Keys(defaultRateLimits)), ", "))
		}
		n, per, _ := strings.Cut(rate, "/")
		max, err := strconv.Atoi(n)
		if err != nil || max < 0 {
			return fmt.Errorf("%q: the count must be a whole number (0 turns the limit off)", part)
		}
		d, err := time.ParseDuration(per)
		if max > 0 && (err != nil || d < time.Second || d > 24*time.Hour) {
			return fmt.Errorf("%q: the period must be a duration from 1s to 24h, like 1m or 10m", part)
		}
		rl[name] = Rate{Max: max, Per: d}
	}
	return nil
}

// shortDuration writes 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Defaults of the body and form limits.
const (
	defaultFormBytes     = 256 << 10
	defaultCommentBytes  = 64 << 10 // 5,000 characters of any script, percent-encoded, with room to spare
	defaultMaxFormFields = 1000     // the moderation queue's bulk form carries a box per comment
	defaultDiskFloor     = 100 << 20
)

func (cfg *Config) withLimitDefaults() {
	if cfg.FormBytes == 0 {
		cfg.FormBytes = defaultFormBytes
	}
	if cfg.CommentBytes == 0 {
		cfg.CommentBytes = defaultCommentBytes
	}
	if cfg.MaxFormFields == 0 {
		cfg.MaxFormFields = defaultMaxFormFields
	}
	if cfg.DiskFloor == 0 {
		cfg.DiskFloor = defaultDiskFloor
	}
	if cfg.RateLimits == nil {
		cfg.RateLimits = DefaultRateLimits()
	}
}

// commentRoute and commentPreviewRoute take the comment form, whose refusal re-renders
// the article with the text kept.
const (
	commentRoute        = "/articles/:slug/comments"
	commentPreviewRoute = "/articles/:slug/comments/preview"
)

// isCommentForm reports whether the route takes the comment form.
func isCommentForm(path string) bool { return path == commentRoute || path == commentPreviewRoute }

// limitBody bounds every request body by its route's limit before anything reads
// it. A form post is read whole here (it is small), so a chunked body over the limit
// is caught as surely as one that declares its length, and no handler ever sees a
// half-read form; an upload is streamed through http.MaxBytesReader instead, and the
// error handler turns its error into the same 413.
func (a *App) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body == nil || r.Body == http.NoBody {
			return next(c)
		}
		if isUploadRoute(c.Path()) {
			limit := a.maxUploadBody()
			if isArticleForm(c.Path()) {
				if boundary := multipartBoundary(r); boundary != "" {
					return a.limitArticlePost(c, next, limit, boundary)
				}
			}
			if r.ContentLength > limit {
				return tooLarge(limit)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			// Parsed here, as the handler would (same memory bound), because Echo's
			// FormValue drops the parse error and a cut body would pass for an empty one.
			if err := parseUpload(r); errors.As(err, new(*http.MaxBytesError)) {
				return tooLarge(limit)
			}
			return next(c)
		}
		max := a.Config.FormBytes
		if isCommentForm(c.Path()) {
			max = a.Config.CommentBytes
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			return err
		}
		if int64(len(body)) > max || r.ContentLength > max {
			if isCommentForm(c.Path()) {
				return a.commentRefused(c, partialForm(body[:min(int64(len(body)), max)]), http.StatusRequestEntityTooLarge,
					fmt.Sprintf("This comment is over the %s a comment may take, so it was not posted. Its start is kept below: shorten it and post again.", models.SizeText(max)))
			}
			return tooLarge(max)
		}
		if n := bytes.Count(body, []byte("&")) + 1; n > a.Config.MaxFormFields && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("This form has more than the %d fields we accept.", a.Config.MaxFormFields))
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		return next(c)
	}
}

// oversizeDrainBytes bounds how much of an article post over its limit is read to
// find the words after the photo. Past it the connection is cut with the plain 413:
// someone sending a gigabyte is not an editor with a large photo.
const oversizeDrainBytes = 1 << 30

// photoTooLargeKey marks an article post whose photo was dropped for its size; the
// handler then shows the form again with the limit stated beside the photo field.
const photoTooLargeKey = "broadsheet.photoTooLarge"

// limitArticlePost reads an article form's multipart body. Within limit it goes on
// as any upload. Over it, the photo is skipped as it streams past (never stored) and
// the words around it are kept, so the form comes back with everything typed and the
// limit stated, instead of a bare 413 page that loses the story.
func (a *App) limitArticlePost(c echo.Context, next echo.HandlerFunc, limit int64, boundary string) error {
	r := c.Request()
	body := http.MaxBytesReader(c.Response(), r.Body, oversizeDrainBytes)
	kept := &cappedBuffer{max: limit}
	words, err := formWords(io.TeeReader(body, kept), boundary, a.Config.FormBytes, a.Config.MaxFormFields)
	if err == nil {
		_, err = io.Copy(io.Discard, io.TeeReader(body, kept)) // the epilogue, if any
	}
	if errors.As(err, new(*http.MaxBytesError)) {
		return tooLarge(limit)
	}
	if !kept.over {
		// Within the limit: the handler parses the body itself, and reports a malformed one.
		r.Body = io.NopCloser(bytes.NewReader(kept.buf.Bytes()))
		if err := parseUpload(r); errors.As(err, new(*http.MaxBytesError)) {
			return tooLarge(limit)
		}
		return next(c)
	}
	if err != nil {
		return tooLarge(limit)
	}
	r.Form, r.PostForm = words, words
	r.MultipartForm = &multipart.Form{Value: words, File: map[string][]*multipart.FileHeader{}}
	c.Set(photoTooLargeKey, a.Store.Media.MaxBytes)
	return next(c)
}

// multipartBoundary is the boundary of a multipart/form-data request, or "".
func multipartBoundary(r *http.Request) string {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return ""
	}
	return params["boundary"]
}

// formWords reads a multipart form to its end and returns its text fields, skipping
// files unread. The words may take at most textMax bytes in at most maxFields fields.
func formWords(body io.Reader, boundary string, textMax int64, maxFields int) (url.Values, error) {
	mr := multipart.NewReader(body, boundary)
	words := url.Values{}
	left := textMax
	for fields := 0; ; fields++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return words, nil
		}
		if err != nil {
			return nil, err
		}
		if fields >= maxFields {
			return nil, fmt.Errorf("more than %d fields", maxFields)
		}
		if part.FileName() != "" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, left+1))
		if err != nil {
			return nil, err
		}
		if left -= int64(len(v)); left < 0 {
			return nil, fmt.Errorf("the words are over %d bytes", textMax)
		}
		words.Add(part.FormName(), string(v))
	}
}

// cappedBuffer keeps what is written to it up to max bytes and notes if more came.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int64
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - int64(b.buf.Len()); !b.over && int64(len(p)) <= room {
		b.buf.Write(p)
	} else if !b.over {
		b.over = true
		b.buf = bytes.Buffer{} // the words are parsed already; the bytes are no longer needed
	}
	return len(p), nil
}

// parseUpload parses an upload route's form; any error but the size limit is left
// for the handler, which reports a malformed form beside its fields.
func parseUpload(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(32 << 20) // Echo's default memory for a form
	}
	return r.ParseForm()
}

// tooLarge is the 413 of a body over max bytes.
func tooLarge(max int64) error {
	return echo.NewHTTPError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("What you sent is larger than the %s this page accepts, so it was not saved.", models.SizeText(max)))
}

// partialForm parses what arrived of a form cut at the limit: the last field may be
// cut mid-escape, and what is left of it is kept.
func partialForm(b []byte) url.Values {
	s := string(b)
	if i := strings.LastIndexByte(s, '%'); i >= 0 && i >= len(s)-2 {
		s = s[:i]
	}
	v, _ := url.ParseQuery(s) // keeps every pair that parses, which is what we want back
	return v
}

// commentRefused re-renders the article with the refused comment's text in the form
// and the reason beside it, at status.
func (a *App) commentRefused(c echo.Context, form url.Values, status int, reason string) error {
	art, _, err := a.liveArticle(c)
	if err != nil {
		return err
	}
	cf := commentForm{Body: form.Get("body"), Name: form.Get("name"), Email: form.Get("email"),
		WatchReplies: form.Get("watch") == "1", Errors: models.ValidationError{"body": reason}}
	if id, err := strconv.ParseInt(form.Get("parent"), 10, 64); err == nil && id > 0 {
		cf.ParentID = id
	}
	return a.renderArticleStatus(c, art, false, status, cf)
}

// rateLimit refuses, with 429 and Retry-After, a client that has used up action's
// rate: counted by account when logged in (so people behind one office address do
// not share a budget), else by address. The counts live in the database, so every
// server behind a balancer enforces one limit. If the database cannot take the
// count's write, the request goes on: a full disk must not also stop reading.
func (a *App) rateLimit(action string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			rate := a.Config.RateLimits[action]
			if rate.Max <= 0 {
				return next(c)
			}
			key := action + ":addr:" + a.Store.AddressHash(c.RealIP())
			if u := currentUser(c); u != nil {
				if u.IsStaff() && action == "comment" {
					return next(c) // as with flood control: editors answer readers in bursts
				}
				key = action + ":user:" + strconv.FormatInt(u.ID, 10)
			}
			err := a.Store.Limits.Hit(c.Request().Context(), a.Now(), rate.Max, rate.Per, key)
			var lim *models.Limited
			if errors.As(err, &lim) {
				c.Response().Header().Set("Retry-After", strconv.Itoa(lim.Seconds()))
				msg := fmt.Sprintf("You have done that %d times in %s, the most we allow. Try again in %s.",
					rate.Max, shortDuration(rate.Per), waitText(lim.Seconds()))
				// A comment that can be read comes back with its text; anything else gets the plain page.
				if form, ferr := c.FormParams(); c.Path() == commentRoute && ferr == nil {
					return a.commentRefused(c, form, http.StatusTooManyRequests, msg+" Your text is kept below.")
				}
				return echo.NewHTTPError(http.StatusTooManyRequests, msg)
			}
			if _, ok := models.AsUnwritable(err); err != nil && !ok {
				return err
			}
			return next(c)
		}
	}
}

// waitText is a wait in seconds as words.
func waitText(s int) string {
	switch {
	case s <= 1:
		return "a second"
	case s < 120:
		return strconv.Itoa(s) + " seconds"
	}
	return strconv.Itoa((s+59)/60) + " minutes"
}

// ipExtractor is how the client address (for rate limits, logs and the comment record)
// is found: the TCP peer, or behind the proxies named by -trusted-proxies the address
// they put in X-Forwarded-For. Echo's own defaults would also trust every private and
// loopback peer; we trust only the ranges the operator named.
func (a *App) ipExtractor() echo.IPExtractor {
	if len(a.Config.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range a.Config.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
