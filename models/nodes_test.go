package models

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// nodes is s and n-1 more handles on its database, as n app servers would have: on
// PostgreSQL each has its own connection pool; on SQLite (one server by design) they
// are s itself.
func nodes(t *testing.T, s *Store, n int) []*Store {
	t.Helper()
	out := make([]*Store, n)
	for i := range out {
		out[i] = s
		if s.pg && i > 0 {
			node, err := OpenPostgres(s.pool.Config().ConnString(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { node.Close() })
			out[i] = node
		}
	}
	return out
}

// Eight servers' worth of readers post into one discussion at once: every comment is
// stored, numbers run 1…N with none twice, and the kept thread count agrees. Then the
// rules that read before they write hold across servers: one reader posting from all
// eight at once gets one comment through flood control, and wrong passwords tried on
// all eight are counted exactly up to the limit.
func TestManyNodesPostingAtOnce(t *testing.T) {
	s, art, _, _ := discussionDB(t)
	ctx := context.Background()
	servers := nodes(t, s, 8)
	const perServer = 12
	var readers []User
	for i := range 8 * perServer {
		u, err := s.Users.Create(ctx, testNow, NewUser{Email: fmt.Sprintf("r%d@example.com", i), Name: fmt.Sprintf("Reader %d", i),
			Password: "long enough password", Role: RoleEditor}) // staff: no first-comment hold, no flood wait
		if err != nil {
			t.Fatal(err)
		}
		readers = append(readers, u)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(readers))
	for i, node := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perServer {
				u := readers[i*perServer+j]
				if _, err := node.Comments.Post(ctx, testNow, NewComment{ArticleID: art.ID, User: &u,
					Body: fmt.Sprintf("From server %d, reader %d.", i, j)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("post: %v", err)
	}
	page, err := s.Comments.Thread(ctx, art.ID, 0, Page{Number: 1, Size: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != len(readers) || page.Total != len(readers) {
		t.Fatalf("%d comments listed, total %d; want %d", len(page.Items), page.Total, len(readers))
	}
	seen := map[int]bool{}
	for _, c := range page.Items {
		if c.Number < 1 || c.Number > len(readers) || seen[c.Number] {
			t.Errorf("comment %d has number %d (taken or out of 1…%d)", c.ID, c.Number, len(readers))
		}
		seen[c.Number] = true
	}

	// One commenter, one comment from each of the eight servers at the same moment.
	ada, err := s.Users.Create(ctx, testNow, NewUser{Email: "flood@example.com", Name: "Flo", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	accepted, flooded := 0, 0
	for i, node := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := node.Comments.Post(ctx, testNow.Add(time.Hour), NewComment{ArticleID: art.ID, User: &ada,
				Body: fmt.Sprintf("All at once, copy %d.", i), IP: "203.0.113.7"})
			var fe *FloodError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				accepted++
			case errors.As(err, &fe):
				flooded++
			default:
				t.Errorf("post from server %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if accepted != 1 || flooded != 7 {
		t.Errorf("the same reader on eight servers at once: %d accepted, %d refused by flood control; want 1 and 7", accepted, flooded)
	}

	// Three wrong passwords on each server at once: the account's limit, not more.
	for _, node := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				node.Users.Login(ctx, testNow, "flood@example.com", "wrong password", "198.51.100.9")
			}
		}()
	}
	wg.Wait()
	var recorded int
	if err := s.R.QueryRowContext(ctx, "SELECT count(*) FROM login_failures WHERE key = ?", "email:flood@example.com").Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != MaxFailuresPerEmail {
		t.Errorf("%d failed logins recorded for the account across eight servers, want exactly the limit %d", recorded, MaxFailuresPerEmail)
	}
}
