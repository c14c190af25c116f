package models

// Page asks for one page of a list. Number counts from 1.
type Page struct {
	Number int
	Size   int
	After  int64 // a story on the page before (its last): this page starts after it, not by Number
	Before int64 // a story on the page after (its first): this page ends before it (After wins)
}

// MaxPage bounds page numbers so OFFSET arithmetic can never overflow.
const MaxPage = 100000

func (p Page) limit() int { return p.Size }
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
