package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// While serving, log lines are batched but none is lost or reordered, and they
// arrive within the flush interval; before and after, each line is written at once.
func TestLogSinkBatchesWithoutLosingLines(t *testing.T) {
	var out syncBuffer
	s := &logSink{out: &out}
	fmt.Fprintln(s, "starting")
	if out.String() != "starting\n" {
		t.Fatalf("before serving a line is written at once; got %q", out.String())
	}
	stop := s.batch(20 * time.Millisecond)
	var want strings.Builder
	want.WriteString("starting\n")
	for i := range 2000 { // more than one batch's worth
		line := fmt.Sprintf("request %d\n", i)
		want.WriteString(line)
		fmt.Fprint(s, line)
	}
	waitFor(t, &out, "request 1999\n")
	fmt.Fprintln(s, "last request")
	want.WriteString("last request\n")
	stop()
	if out.String() != want.String() {
		t.Fatalf("after stop the log holds %d bytes, want %d in order", len(out.String()), want.Len())
	}
	fmt.Fprintln(s, "stopped")
	if !strings.HasSuffix(out.String(), "last request\nstopped\n") {
		t.Fatalf("after serving a line is written at once; got ...%q", out.String()[len(out.String())-40:])
	}
}
