package models

import (
	"errors"
	"sort"
	"strings"
)

var (
	// ErrNotFound: no such row, or not visible to this reader. Handlers answer 404.
	ErrNotFound = errors.New("not found")
	// ErrInvalidCredentials: wrong email or password; never says which.
	ErrInvalidCredentials = errors.New("invalid email or password")
	// ErrConflict: the row changed since the caller read it (optimistic locking).
	ErrConflict = errors.New("changed by someone else")
)

// ValidationError maps form fields to what is wrong with them. Handlers re-render
// the form with these messages beside the fields and the user's input kept.
type ValidationError map[string]string

func (v ValidationError) Error() string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + v[k]
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// AsValidation returns the field errors inside err, if any.
func AsValidation(err error) (ValidationError, bool) {
	var v ValidationError
	ok := errors.As(err, &v)
	return v, ok
}
