package models

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net"
	"strings"
	"time"
)

// Client addresses never reach the disk. What the database keeps instead is a keyed
// hash (HMAC-SHA-256 under a key in the data folder, beside the session keys): of the
// network (the /24 of an IPv4 address, the /48 of an IPv6 one) for comments, which is
// enough to tell that two comments came from the same network (flood control, the
// moderation queue) and no more; and of the whole address for the short-lived
// counters of rate limits and login throttling, so neighbours on one network keep
// separate budgets. Without the key the hashes cannot be turned back into addresses
// by trying every one.

// AddressKeySize is the length of the key in bytes.
const AddressKeySize = 32

// AddressKey hashes client addresses for storage.
type AddressKey struct{ key []byte }

// NewAddressKey makes a fresh random key.
func NewAddressKey() (AddressKey, error) {
	k := make([]byte, AddressKeySize)
	_, err := rand.Read(k)
	return AddressKey{k}, err
}

// String is the key in hex, as the data folder keeps it.
func (k AddressKey) String() string { return hex.EncodeToString(k.key) }

// AddressKeyFrom wraps key, which must be AddressKeySize bytes.
func AddressKeyFrom(key []byte) (AddressKey, bool) {
	return AddressKey{append([]byte(nil), key...)}, len(key) == AddressKeySize
}

// network is the stored form of ip's network (of ip itself when it is not an
// address), or "" for no address.
func (k AddressKey) network(ip string) string {
	if ip == "" {
		return ""
	}
	if a := net.ParseIP(strings.TrimSpace(ip)); a != nil {
		if v4 := a.To4(); v4 != nil {
			ip = v4.Mask(net.CIDRMask(24, 32)).String() + "/24"
		} else {
			ip = a.Mask(net.CIDRMask(48, 128)).String() + "/48"
		}
	}
	return k.sum("net", ip)
}

// Address is the stored form of one client address, for counters (rate limits, throttles).
func (k AddressKey) Address(ip string) string { return k.sum("addr", ip) }

// sum is the HMAC of value under k, kept apart by purpose. 128 bits is plenty to
// avoid collisions between networks and keeps the index small.
func (k AddressKey) sum(purpose, value string) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(purpose + "\x00" + value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// UseAddressKey sets the key the store hashes addresses with (Open starts with a
// random one, so that nothing is ever stored raw) and hashes whatever an older
// version of Broadsheet stored raw: comments' addresses become network hashes and
// their raw column is emptied; the counters of login throttling and rate limits,
// which hold raw addresses for minutes only, are dropped. A SQL migration could not
// do this, because the key is not in the database. With nothing raw left it writes
// nothing, so a read-only database still opens to serve readers.
func (s *Store) UseAddressKey(ctx context.Context, k AddressKey) error {
	s.addr = k
	var raw bool
	if err := s.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM comments WHERE ip <> '')
		OR EXISTS (SELECT 1 FROM login_failures WHERE key LIKE 'ip:%' OR key LIKE 'signup:%')
		OR EXISTS (SELECT 1 FROM rate_limits WHERE key LIKE '%:ip:%')`).Scan(&raw); err != nil || !raw {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, ip, created_at FROM comments WHERE ip <> ''")
		if err != nil {
			return err
		}
		type raw struct {
			id     int64
			ip, at string
		}
		var old []raw
		for rows.Next() {
			var r raw
			if err := rows.Scan(&r.id, &r.ip, &r.at); err != nil {
				rows.Close()
				return err
			}
			old = append(old, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range old {
			if err := recordNetwork(ctx, tx, r.id, k.network(r.ip), r.at); err != nil {
				return err
			}
		}
		if len(old) > 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE comments SET ip = '' WHERE ip <> ''"); err != nil {
				return err
			}
		}
		// Hashed counters are keyed 'addr:…'; these prefixes were followed by a raw address.
		if _, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE key LIKE 'ip:%' OR key LIKE 'signup:%'"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM rate_limits WHERE key LIKE '%:ip:%'")
		return err
	})
}

// recordNetwork keeps the hashed network a comment came from (nothing for a comment
// without an address, such as an imported one whose source kept none).
func recordNetwork(ctx context.Context, tx *sql.Tx, commentID int64, network string, at string) error {
	if network == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO comment_networks (comment_id, network, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		commentID, network, at)
	return err
}

// AddressHash is the stored form of a client address, for keys of counters the
// handlers build (rate limits).
func (s *Store) AddressHash(ip string) string { return s.addr.Address(ip) }

// PurgeAddresses forgets the networks of comments older than the site's "keep
// addresses" days. The rows are apart from the comments, so forgetting them changes
// no page and leaves every cached page in place.
func (cs *CommentStore) PurgeAddresses(ctx context.Context, now time.Time) (int64, error) {
	st, err := cs.s.Settings.Get(ctx)
	if err != nil {
		return 0, err
	}
	res, err := cs.s.exec(ctx, "DELETE FROM comment_networks WHERE created_at < ?",
		fmtTime(now.AddDate(0, 0, -st.KeepAddressDays)))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
