package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// sameAsSlog logs r through a lineHandler and through slog's own handler of that
// format, and fails when the bytes differ. It returns whether the line was written by
// the lineHandler itself rather than handed on to slog.
func sameAsSlog(t *testing.T, json bool, r slog.Record) (ownLine bool) {
	t.Helper()
	var ours, theirs bytes.Buffer
	h := newLineHandler(&ours, json, nil)
	var ref slog.Handler = slog.NewTextHandler(&theirs, nil)
	if json {
		ref = slog.NewJSONHandler(&theirs, nil)
	}
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := ref.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if ours.String() != theirs.String() {
		t.Errorf("json=%v:\nlineHandler wrote %q\nslog wrote        %q", json, ours.String(), theirs.String())
	}
	_, ownLine = h.appendRecord(nil, r)
	return ownLine
}

func TestLineHandlerWritesWhatSlogWrites(t *testing.T) {
	at := time.Date(2026, 12, 1, 11, 2, 41, 123456789, time.UTC)
	record := func(at time.Time, msg string, attrs ...slog.Attr) slog.Record {
		r := slog.NewRecord(at, slog.LevelInfo, msg, 0)
		r.AddAttrs(attrs...)
		return r
	}
	request := func(at time.Time, uri string) slog.Record {
		return record(at, "request", slog.String("method", "GET"), slog.String("uri", uri), slog.Int("status", 200),
			slog.Duration("latency", 41870*time.Nanosecond), slog.String("id", "19978048445869d7"))
	}
	for _, json := range []bool{false, true} {
		// A request's line, the one every answer writes, is written here and not by slog.
		if !sameAsSlog(t, json, request(at, "/articles/harbour-city?page=2&after=41")) {
			t.Errorf("json=%v: a request's line went to slog", json)
		}
		// Times: whole seconds and milliseconds, trailing zeros, other zones, a second
		// apart and back (the kept second must not leak into the next).
		for _, tm := range []time.Time{
			at, at.Truncate(time.Second), at.Truncate(time.Millisecond), at.Add(-123455789), at.Add(time.Second),
			at.In(time.FixedZone("IST", 5*3600+1800)), at.In(time.FixedZone("", -7*3600)), at,
			time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(12026, 1, 1, 0, 0, 0, 0, time.UTC),
		} {
			sameAsSlog(t, json, request(tm, "/"))
		}
		// What must be quoted or escaped, and kinds not written here, are slog's.
		for _, r := range []slog.Record{
			request(at, "/search?q=two words"), request(at, `/a"b`), request(at, "/a=b"), request(at, `/a\b`),
			request(at, "/caf\u00e9"), request(at, "/<script>&"), request(at, ""), request(at, "/tab\there"),
			record(at, "two words"), record(at, "panic", slog.Any("err", context.Canceled)),
			record(at, "m", slog.Group("g", slog.String("k", "v"))), record(at, "m", slog.Bool("ok", true)),
			record(at, "m", slog.String("", "v")), record(at, "m", slog.Int("n", -42), slog.Duration("d", 0)),
			record(time.Time{}, "no time"),
		} {
			sameAsSlog(t, json, r)
		}
	}
}

// Loggers derived with With, and levels, are slog's as they were.
func TestLineHandlerKeepsSlogsLevelsAndAttrs(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(newLineHandler(&out, false, &slog.HandlerOptions{Level: slog.LevelWarn}))
	log.Info("quiet")
	log.With("worker", "mail").Warn("loud", "n", 3)
	if got := out.String(); bytes.Contains(out.Bytes(), []byte("quiet")) || !bytes.Contains(out.Bytes(), []byte("level=WARN msg=loud worker=mail n=3\n")) {
		t.Errorf("log = %q", got)
	}
}

func FuzzLineHandlerWritesWhatSlogWrites(f *testing.F) {
	f.Add("request", "uri", "/articles/a?page=2", int64(200), int64(41870), int64(1796122961123456789), 0)
	f.Add("m", "k", "a b", int64(-1), int64(0), int64(0), -3600)
	f.Add("0", "\x19", `say "hi"\`, int64(-1), int64(0), int64(-1), -3503) // a key slog must quote
	f.Fuzz(func(t *testing.T, msg, key, val string, n, d, unixNano int64, offset int) {
		r := slog.NewRecord(time.Unix(0, unixNano).In(time.FixedZone("", offset%(24*3600))), slog.LevelInfo, msg, 0)
		r.AddAttrs(slog.String(key, val), slog.Int64("n", n), slog.Duration("d", time.Duration(d)))
		sameAsSlog(t, false, r)
		sameAsSlog(t, true, r)
	})
}
