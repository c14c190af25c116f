package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"sync"

	"github.com/labstack/echo/v4"
)

// Story page shells. After a comment, a story page changes in two places: its
// discussion and the structured data that lists the comments. The rest (the head, the
// masthead, the story, the widgets, the footer) stays as it is until the story, the
// site or the widgets change, and rendering it again was a sixth of the miss:
// html/template escapes every value it writes, one reflective call at a time. So a
// miss rendering the page for the page cache renders that rest once per story bundle,
// as a shell with marks where the two go, and from then on only the two, written
// between the shell's parts with cuts (cut.go) so that every part of the shell also
// keeps its compressed form.

// storyShell is the page around a story's discussion as anonymous readers see the
// first page of it, kept in the story's bundle: everything in it comes from the bundle
// and its site snapshot, but for the widgets and the year in the footer, which it
// records.
type storyShell struct {
	mu      sync.Mutex
	widgets uint64 // their generation (loadWidgets)
	year    int
	parts   [][]byte // before the structured data, between it and the discussion, after the discussion

	// The discussion without its count and its comments: its parts as cut, the count
	// at frameCount and the comments at frameList (when it has any). The rest (the
	// policy, the orders, the pager, the prompt to log in) follows from the bundle and
	// the few things in frameKey.
	frameKey frameKey
	frame    [][]byte
}

// frameKey is what a story's first discussion page shows, apart from its count and its
// comments, that is not the bundle's.
type frameKey struct {
	pages         int
	closed, empty bool
}

const frameCount, frameList = 2, 4 // after the cuts before the discussion and the count

// get returns the shell for page d, rendering it if there is none yet or the
// widgets or the year moved.
func (s *storyShell) get(a *App, d articleData, widgets uint64) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parts != nil && s.widgets == widgets && s.year == d.Year {
		return s.parts, nil
	}
	mark := a.cutMark
	d.Cut = ""
	d.JSONLD = append([]template.JS{template.JS(mark)}, d.JSONLD[1:]...)
	d.Discussed = template.HTML(mark)
	var buf bytes.Buffer
	if err := a.Views.Render(&buf, "article", d); err != nil {
		return nil, err
	}
	parts := bytes.Split(buf.Bytes(), []byte(mark))
	if len(parts) != 3 {
		return nil, fmt.Errorf("story shell: %d places marked, want 2", len(parts)-1)
	}
	s.parts, s.widgets, s.year = parts, widgets, d.Year
	return parts, nil
}

// renderInShell answers with story page d made of its bundle's shell, its structured
// data and its discussion, rendered now, with cuts between them for the page cache.
func (a *App) renderInShell(c echo.Context, status int, b *articleBundle, d articleData, widgets uint64) error {
	shell, err := b.shell.get(a, d, widgets)
	if err != nil {
		return err
	}
	// The page is put together in a buffer first, so that a discussion that fails to
	// render leaves the answer unwritten for the error handler, as a.render does.
	bp := a.pageBuffers.Get().(*[]byte)
	defer a.pageBuffers.Put(bp)
	cut := a.cutMark
	buf := bytes.NewBuffer((*bp)[:0])
	buf.Write(shell[0])
	buf.WriteString(cut)
	buf.WriteString(string(d.JSONLD[0]))
	buf.WriteString(cut)
	buf.Write(shell[1])
	if err := b.shell.writeDiscussion(a, buf, d); err != nil { // it starts with a cut of its own
		return err
	}
	buf.WriteString(cut)
	buf.Write(shell[2])
	*bp = buf.Bytes()
	_, err = htmlAnswer(c, status).Write(buf.Bytes())
	return err
}

// writeDiscussion writes page d's discussion (the first page, for an anonymous
// reader) to buf: its kept frame with the count and the comments put in, else the
// discussion rendered whole, keeping its frame. The frame saves the template's
// escaping of everything around the comments, a tenth of the miss.
func (s *storyShell) writeDiscussion(a *App, buf *bytes.Buffer, d articleData) error {
	disc := d.Discussion
	key := frameKey{pages: disc.Pager.Pages, closed: disc.Closed, empty: len(disc.Roots) == 0}
	if disc.User != nil || (disc.Tree == "" && !key.empty) { // a reader's own, or comments not shared: render it all
		return a.Views.WriteFragment(buf, "article", "discussion", d)
	}
	s.mu.Lock()
	frame := s.frame
	if key != s.frameKey {
		frame = nil
	}
	s.mu.Unlock()
	if frame == nil {
		start := buf.Len()
		if err := a.Views.WriteFragment(buf, "article", "discussion", d); err != nil {
			return err
		}
		parts := bytes.Split(buf.Bytes()[start:], []byte(a.cutMark))
		want := frameList + 2 // the count and the comments, each between cuts
		if key.empty {
			want = frameCount + 2
		}
		if len(parts) != want {
			return fmt.Errorf("discussion frame: %d parts, want %d", len(parts), want)
		}
		frame = make([][]byte, len(parts)) // copies of all but the holes: buf is pooled
		for i, part := range parts {
			if i != frameCount && (i != frameList || key.empty) {
				frame[i] = bytes.Clone(part)
			}
		}
		s.mu.Lock()
		s.frame, s.frameKey = frame, key
		s.mu.Unlock()
		return nil
	}
	for i, part := range frame {
		if i > 0 {
			buf.WriteString(a.cutMark)
		}
		switch {
		case i == frameCount:
			buf.WriteString(string(disc.CountLabel()))
		case i == frameList && !key.empty:
			buf.WriteString(string(disc.Tree))
		default:
			buf.Write(part)
		}
	}
	return nil
}
