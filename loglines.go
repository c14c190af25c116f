package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// lineHandler writes the same bytes as slog's TextHandler or JSONHandler (the one it
// wraps), but writes the common record itself: a time, a message and string, integer
// or duration attributes in printable ASCII, which is every request's log line.
// slog's handlers format the time anew and walk every attribute through their general
// machinery on each line; a cached page's line cost a tenth of its answer that way.
// Here the time's text is kept for the second it names, and the rest is appended
// directly. Any other record (groups, other kinds, other scripts, control characters)
// and every logger derived with With go to slog's handler unchanged.
// TestLineHandlerWritesWhatSlogWrites and its fuzz test hold the two to the same bytes.
type lineHandler struct {
	slog.Handler // slog's own, for Enabled, WithAttrs, WithGroup and the records declined here
	out          io.Writer
	json         bool
	stamp        atomic.Pointer[timeStamp]
	bufs         sync.Pool
}

// timeStamp is a second's time text up to the fraction, "2026-12-01T11:02:41", and
// its zone ("Z", "+05:30"), for times in loc.
type timeStamp struct {
	sec        int64
	loc        *time.Location
	date, zone string
}

// newLineHandler writes to out, which must take whole lines from several goroutines
// at once (logSink does), as slog's handlers hold no lock of theirs around this one's.
func newLineHandler(out io.Writer, json bool, opts *slog.HandlerOptions) *lineHandler {
	h := &lineHandler{out: out, json: json}
	if json {
		h.Handler = slog.NewJSONHandler(out, opts)
	} else {
		h.Handler = slog.NewTextHandler(out, opts)
	}
	return h
}

func (h *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	bp, _ := h.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer h.bufs.Put(bp)
	line, ok := h.appendRecord((*bp)[:0], r)
	if !ok {
		return h.Handler.Handle(ctx, r)
	}
	*bp = line
	_, err := h.out.Write(line)
	return err
}

// appendRecord appends r's line to b, or reports false for a record it leaves to slog.
func (h *lineHandler) appendRecord(b []byte, r slog.Record) ([]byte, bool) {
	if r.Time.IsZero() {
		return b, false
	}
	if h.json {
		b = append(b, `{"time":"`...)
	} else {
		b = append(b, "time="...)
	}
	b, ok := h.appendTime(b, r.Time.Round(0))
	if !ok {
		return b, false
	}
	if h.json {
		b = append(b, '"')
	}
	b = h.appendKey(b, "level")
	b, _ = h.appendString(b, r.Level.String())
	b = h.appendKey(b, "msg")
	if b, ok = h.appendString(b, r.Message); !ok {
		return b, false
	}
	r.Attrs(func(a slog.Attr) bool {
		if !plainKey(a.Key) {
			ok = false // our own keys never need quoting; slog writes any other
			return false
		}
		b = h.appendKey(b, a.Key)
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b, ok = h.appendString(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindDuration: // JSON has nanoseconds, as json.Marshal writes a Duration
			if h.json {
				b = strconv.AppendInt(b, int64(v.Duration()), 10)
			} else {
				b = append(b, v.Duration().String()...)
			}
		default:
			ok = false
		}
		return ok
	})
	if !ok {
		return b, false
	}
	if h.json {
		b = append(b, '}')
	}
	return append(b, '\n'), true
}

// appendKey writes the separator before an attribute and its key, which the caller
// has checked needs no quoting.
func (h *lineHandler) appendKey(b []byte, key string) []byte {
	if h.json {
		return append(append(append(b, `,"`...), key...), `":`...)
	}
	return append(append(append(b, ' '), key...), '=')
}

// plainKey reports whether key is written as it is in both formats: not empty, and
// no byte of it needs quoting, escaping or slog.
func plainKey(key string) bool { return key != "" && needs(key) == 0 }

// needs is what s's bytes ask for, together (byteNeeds): one table lookup a byte.
func needs(s string) uint8 {
	var n uint8
	for i := 0; i < len(s); i++ {
		n |= byteNeeds[s[i]]
	}
	return n
}

// appendString writes s as slog does, or reports false when s holds more than
// printable ASCII (control characters, other scripts), which it leaves to slog. Text
// quotes what is empty or holds a space, '=' or '"' (a lone backslash stays as it
// is); JSON escapes '"' and '\' (and, like slog, not '<', '>' or '&').
func (h *lineHandler) appendString(b []byte, s string) ([]byte, bool) {
	seen := needs(s)
	switch {
	case seen&needsSlog != 0:
		return b, false
	case h.json && seen&needsEscape != 0:
		b = append(b, '"')
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '"' || c == '\\' {
				b = append(b, '\\', c)
			} else {
				b = append(b, c)
			}
		}
		return append(b, '"'), true
	case h.json:
		return append(append(append(b, '"'), s...), '"'), true
	case seen&needsQuote != 0 || s == "":
		return strconv.AppendQuote(b, s), true
	}
	return append(b, s...), true
}

// byteNeeds is, for each byte, what a string holding it needs: quoting in text,
// escaping in JSON, or slog itself.
var byteNeeds = func() (n [256]uint8) {
	for c := range n {
		switch {
		case c < ' ' || c > '~':
			n[c] = needsSlog
		case c == '"':
			n[c] = needsQuote | needsEscape
		case c == '\\':
			n[c] = needsEscape
		case c == ' ' || c == '=':
			n[c] = needsQuote
		}
	}
	return n
}()

const (
	needsQuote uint8 = 1 << iota
	needsEscape
	needsSlog
)

// appendTime writes t as slog does: RFC 3339 with milliseconds in text, with as many
// digits as it takes (RFC3339Nano) in JSON.
func (h *lineHandler) appendTime(b []byte, t time.Time) ([]byte, bool) {
	sec := t.Unix()
	st := h.stamp.Load()
	if st == nil || st.sec != sec || st.loc != t.Location() {
		text := t.Truncate(time.Second).Format(time.RFC3339)
		const dateLen = len("2006-01-02T15:04:05")
		if len(text) <= dateLen || text[dateLen-3] != ':' { // a year outside 0000–9999
			return b, false
		}
		st = &timeStamp{sec: sec, loc: t.Location(), date: text[:dateLen], zone: text[dateLen:]}
		h.stamp.Store(st)
	}
	b = append(b, st.date...)
	ns := t.Nanosecond()
	if !h.json {
		ms := ns / 1e6
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	} else if ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i, n := 9, ns; i > 0; i, n = i-1, n/10 {
			frac[i] = byte('0' + n%10)
		}
		end := 10
		for frac[end-1] == '0' {
			end--
		}
		b = append(b, frac[:end]...)
	}
	return append(b, st.zone...), true
}
