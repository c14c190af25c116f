package main

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// meter shows how far a long import or export has got: at a terminal a bar with the
// items done and the bytes read or written; in a log or a pipe a plain line every
// `every` items, which is what a person reading the log afterwards wants.
type meter struct {
	out   io.Writer
	bar   *progressbar.ProgressBar // nil when out is not a terminal
	line  func(items, of int, bytes int64) string
	bytes bool // the bar counts bytes, not items
	every int
	next  int
}

// newMeter measures against max (bytes, or items when the bar counts items; -1 when
// unknown). line words the plain lines and the bar's description.
func newMeter(out io.Writer, max int64, bytes bool, every int, line func(items, of int, bytes int64) string) *meter {
	m := &meter{out: out, line: line, bytes: bytes, every: every, next: every}
	if isTerminal(out) {
		opts := []progressbar.Option{progressbar.OptionSetWriter(out), progressbar.OptionThrottle(200 * time.Millisecond),
			progressbar.OptionShowIts(), progressbar.OptionFullWidth(), progressbar.OptionClearOnFinish()}
		if bytes {
			opts = append(opts, progressbar.OptionShowBytes(true))
		} else {
			opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionSetItsString("items"))
		}
		m.bar = progressbar.NewOptions64(max, opts...)
	}
	return m
}

// update says how far it has got: items done (of the total, 0 when unknown) and
// bytes read or written. The bar shows progress against its max in bytes or items.
func (m *meter) update(items, of int, bytes int64) {
	if m.bar != nil {
		m.bar.Describe(m.line(items, of, bytes))
		if m.bytes {
			m.bar.Set64(bytes)
		} else {
			m.bar.Set64(int64(items))
		}
		return
	}
	if items >= m.next {
		fmt.Fprintln(m.out, m.line(items, of, bytes))
		for m.next <= items {
			m.next += m.every
		}
	}
}

// done ends the bar, or writes the last plain line.
func (m *meter) done(items, of int, bytes int64) {
	if m.bar != nil {
		m.bar.Finish()
	}
	fmt.Fprintln(m.out, m.line(items, of, bytes))
}

// megabytes words a byte count for a progress line.
func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
