package models

import (
	"context"
	"testing"
)

// Raw addresses an older version stored are hashed into comment_networks when the
// site's key is set, and the raw column is emptied; a raw throttle counter goes.
// Two addresses of one /24 hash alike, of another network differently, and another
// key gives other hashes.
func TestUseAddressKeyHashesRawAddresses(t *testing.T) {
	s, art, u, _ := discussionDB(t)
	ctx := context.Background()
	var ids []int64
	for _, ip := range []string{"203.0.113.5", "203.0.113.77", "2001:db8:1:2::1", "198.51.100.1"} {
		var id int64
		if err := s.W.QueryRowContext(ctx, `INSERT INTO comments (article_id, user_id, body_src, body_html, ip, created_at)
			VALUES (?, ?, 'x', 'x', ?, '2026-01-01T00:00:00Z') RETURNING id`, art.ID, u.ID, ip).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := s.W.ExecContext(ctx, "INSERT INTO login_failures (key, at) VALUES ('ip:203.0.113.5', '2026-01-01T00:00:00Z')"); err != nil {
		t.Fatal(err)
	}
	k, _ := NewAddressKey()
	if err := s.UseAddressKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	var raw, throttles int
	s.R.QueryRow("SELECT count(*) FROM comments WHERE ip <> ''").Scan(&raw)
	s.R.QueryRow("SELECT count(*) FROM login_failures").Scan(&throttles)
	if raw != 0 || throttles != 0 {
		t.Errorf("%d raw comment addresses and %d raw throttle rows left", raw, throttles)
	}
	nets := map[int64]string{}
	for _, id := range ids {
		var n string
		if err := s.R.QueryRow("SELECT network FROM comment_networks WHERE comment_id = ?", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		nets[id] = n
	}
	if nets[ids[0]] != nets[ids[1]] || nets[ids[0]] == nets[ids[2]] || nets[ids[0]] == nets[ids[3]] {
		t.Errorf("networks: %v", nets)
	}
	if nets[ids[0]] != k.network("203.0.113.200") || k.network("2001:db8:1:ffff::9") != nets[ids[2]] {
		t.Error("a later address of the same network hashes differently")
	}
	other, _ := NewAddressKey()
	if other.network("203.0.113.5") == nets[ids[0]] {
		t.Error("another key gives the same hash")
	}
}
