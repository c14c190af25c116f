package models

import (
	"strconv"
	"strings"
)

// Page asks for one page of a list. Number counts from 1.
type Page struct {
	Number int
	Size   int
}

// MaxPage bounds page numbers so OFFSET arithmetic can never overflow.
const MaxPage = 100000

func (p Page) limit() int { return p.Size }

// withLimits writes a page's numbers into q in place of :limit and :offset. SQLite
// (3.5x) marks a statement whose LIMIT is a bound parameter to be prepared again
// whenever that parameter is bound anew, and the driver clears every statement's
// bindings as it returns it to its cache: such a statement was parsed and planned on
// every use, a fifth of a comment post's time. Numbers in the text keep it cached; a
// discussion's pages are few distinct texts, and they are integers, never reader text.
func withLimits(q string, limit, offset int) string {
	return strings.NewReplacer(":limit", strconv.Itoa(limit), ":offset", strconv.Itoa(offset)).Replace(q)
}
func (p Page) offset() int {
	return (p.Number - 1) * p.Size
}

// Paged is one page of a list plus what a pager needs.
type Paged[T any] struct {
	Items  []T
	Total  int
	Number int
	Pages  int
	More   bool // Total stopped at a cap: there are more than Total (search)
}

func (pg *Paged[T]) setPage(p Page) {
	pg.Number = p.Number
	if p.Size > 0 {
		pg.Pages = (pg.Total + p.Size - 1) / p.Size
	}
}

// HasPrev reports whether there is a newer page.
func (pg Paged[T]) HasPrev() bool { return pg.Number > 1 }

// HasNext reports whether there is an older page.
func (pg Paged[T]) HasNext() bool { return pg.Number < pg.Pages }
