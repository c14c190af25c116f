package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// headerLines is a fixed group of headers held in both forms an answer sends them in:
// values for the header map, which net/http writes, and the lines net/http would write
// for them, which sendWhole sends itself when it gathers an answer (gather.go). Built
// once (the site's security headers, a stored page's caching headers) and shared by
// every answer that carries them, so neither form costs an answer anything to make.
type headerLines struct {
	keys   []string
	values [][]string // shared with every map they are set in: nobody appends to them
	wire   []byte     // "Key: value\r\n" for each
}

// newHeaderLines groups kv (key, value, key, value...). The keys must be canonical and
// the values ours, on one line without space at either end (as net/http would send
// them); anything else is a mistake in this package, and panics.
func newHeaderLines(kv ...string) *headerLines {
	if len(kv)%2 != 0 {
		panic(fmt.Sprintf("header %q has no value", kv[len(kv)-1]))
	}
	l := &headerLines{}
	for i := 0; i < len(kv); i += 2 {
		k, v := kv[i], kv[i+1]
		if k != http.CanonicalHeaderKey(k) || strings.ContainsAny(v, "\r\n") || v != strings.TrimSpace(v) {
			panic(fmt.Sprintf("header %q: %q is not sent as it stands", k, v))
		}
		l.keys = append(l.keys, k)
		l.values = append(l.values, []string{v})
		l.wire = append(l.wire, k+": "+v+"\r\n"...)
	}
	return l
}

func (l *headerLines) setIn(h http.Header) {
	for i, k := range l.keys {
		h[k] = l.values[i]
	}
}

// answerHeaders are the headers of an answer that its header map does not hold and
// net/http never reads. A hit in hitLane carries all of its own this way: net/http
// handled every header of an answer several times over (it clones the map, sorts the
// keys, checks each value for line breaks and writes it in four pieces), and putting
// a dozen into the map cost as much again. Over a gathering connection sendWhole
// writes them straight after net/http's own lines (status, Content-Length,
// Content-Type, Content-Encoding), with the Date (appendDate); anywhere else, and for
// a 304, setIn puts them in the map first. The zero value adds nothing.
type answerHeaders struct {
	id         string       // the request id (X-Request-Id), when the map has none
	site, page *headerLines // the site's security headers, the stored page's caching headers
}

func (o answerHeaders) setIn(h http.Header) {
	if o.id != "" {
		h[echo.HeaderXRequestID] = []string{o.id}
	}
	for _, l := range [...]*headerLines{o.site, o.page} {
		if l != nil {
			l.setIn(h)
		}
	}
}

// appendTo appends the headers to b as the lines net/http would write.
func (o answerHeaders) appendTo(b []byte) []byte {
	if o.id != "" {
		b = append(append(append(b, echo.HeaderXRequestID+": "...), o.id...), "\r\n"...)
	}
	for _, l := range [...]*headerLines{o.site, o.page} {
		if l != nil {
			b = append(b, l.wire...)
		}
	}
	return b
}

// dateLine is the Date header of the answers sent in one second.
type dateLine struct {
	sec  int64
	line []byte
}

// appendDate appends the Date header of an answer sent at now, made once a second:
// net/http formats it for every answer (time.Time.AppendFormat), which was 3% of a
// hit's instructions. sendWhole writes it with an answer's own headers.
func (a *App) appendDate(b []byte, now time.Time) []byte {
	d := a.date.Load()
	if d == nil || d.sec != now.Unix() {
		line := now.UTC().AppendFormat([]byte("Date: "), http.TimeFormat)
		d = &dateLine{sec: now.Unix(), line: append(line, "\r\n"...)}
		a.date.Store(d)
	}
	return append(b, d.line...)
}
