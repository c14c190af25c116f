package models

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// execAll runs each statement with args on the writer connection, to fill a store for
// a plan test (tables of a realistic shape, then ANALYZE).
func execAll(t *testing.T, s *Store, args []any, statements ...string) {
	t.Helper()
	for _, q := range statements {
		if _, err := s.W.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
}

// searches reports whether plan looks table alias up in index, with or without the
// table's rows (a covering index), by the columns the detail names: index is the plan's
// wording from the index's name on, such as "comments_user (user_id=?".
func searches(plan []string, alias, index string) bool {
	return regexp.MustCompile(`(?m)^SEARCH ` + regexp.QuoteMeta(alias) + ` USING (COVERING )?INDEX ` +
		regexp.QuoteMeta(index)).MatchString(strings.Join(plan, "\n"))
}

// queryPlan is SQLite's plan for query, one step per line (EXPLAIN QUERY PLAN).
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.R.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}
