package models

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
)

// Settings are the site-wide choices editors make in the newsroom.
type Settings struct {
	SiteName         string
	Tagline          string
	TimeZone         string // IANA name; times are stored UTC and shown in this zone
	DiscussionPolicy string
	GuestComments    bool
	MaxReplyDepth    int
	LinksBeforeHold  int
	HeldWords        []string
	CloseAfterDays   int // 0 = discussions never close by age
	KeepAddressDays  int // commenters' hashed networks are forgotten after this many days
	// VideoPlayers shows YouTube and Vimeo links cards with the sites' privacy-respecting
	// players above them (Sanitizer.WithVideoPlayers); off, a page frames no other site.
	VideoPlayers bool
}

// DefaultSettings are what a new site starts with.
func DefaultSettings() Settings {
	return Settings{
		SiteName: "The Broadsheet",
		Tagline:  "Independent news, plainly told",
		TimeZone: "UTC",
		DiscussionPolicy: "We welcome debate that sheds light. Be civil: criticise ideas, not people. " +
			"No abuse, harassment, threats or hate. Stay on the topic of the article. No spam or advertising. " +
			"Comments from new accounts, with many links, or with words on our watch list wait for a moderator. " +
			"Moderators may remove comments that break these rules and block accounts that do so repeatedly.",
		MaxReplyDepth:   5,
		LinksBeforeHold: 2,
		CloseAfterDays:  0,
		KeepAddressDays: 30,
	}
}

// Location is the site's time zone, UTC if the name is unknown to this machine.
func (st Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(st.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// SettingsStore reads and writes settings.
type SettingsStore struct{ s *Store }

// Get returns the settings, with defaults for anything never set.
func (ss *SettingsStore) Get(ctx context.Context) (Settings, error) {
	st := DefaultSettings()
	rows, err := ss.s.R.QueryContext(ctx, "SELECT key, value FROM settings")
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return st, err
		}
		switch k {
		case "site_name":
			st.SiteName = v
		case "tagline":
			st.Tagline = v
		case "time_zone":
			st.TimeZone = v
		case "discussion_policy":
			st.DiscussionPolicy = v
		case "guest_comments":
			st.GuestComments = v == "1"
		case "max_reply_depth":
			st.MaxReplyDepth = atoiOr(v, st.MaxReplyDepth)
		case "links_before_hold":
			st.LinksBeforeHold = atoiOr(v, st.LinksBeforeHold)
		case "held_words":
			st.HeldWords = SplitWords(v)
		case "close_after_days":
			st.CloseAfterDays = atoiOr(v, st.CloseAfterDays)
		case "keep_address_days":
			st.KeepAddressDays = atoiOr(v, st.KeepAddressDays)
		case "video_players":
			st.VideoPlayers = v == "1"
		}
	}
	return st, rows.Err()
}

// Save stores every setting in one transaction.
func (ss *SettingsStore) Save(ctx context.Context, st Settings) error {
	vals := map[string]string{
		"site_name":         st.SiteName,
		"tagline":           st.Tagline,
		"time_zone":         st.TimeZone,
		"discussion_policy": st.DiscussionPolicy,
		"guest_comments":    boolStr(st.GuestComments),
		"max_reply_depth":   strconv.Itoa(st.MaxReplyDepth),
		"links_before_hold": strconv.Itoa(st.LinksBeforeHold),
		"held_words":        strings.Join(st.HeldWords, "\n"),
		"close_after_days":  strconv.Itoa(st.CloseAfterDays),
		"keep_address_days": strconv.Itoa(st.KeepAddressDays),
		"video_players":     boolStr(st.VideoPlayers),
	}
	return ss.s.tx(ctx, func(tx *sql.Tx) error {
		for k, v := range vals {
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// SplitWords reads a held-words list: one word or phrase per line or comma, lower-cased.
func SplitWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' }) {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, strings.ToLower(w))
		}
	}
	return out
}

// Validate checks every setting an administrator can type: a real IANA time zone and
// numbers within sensible ranges.
func (st *Settings) Validate() error {
	v := ValidationError{}
	st.SiteName, st.Tagline = strings.TrimSpace(st.SiteName), strings.TrimSpace(st.Tagline)
	st.TimeZone = strings.TrimSpace(st.TimeZone)
	if st.SiteName == "" {
		v["site_name"] = "The site needs a name."
	} else if len([]rune(st.SiteName)) > 100 {
		v["site_name"] = "Keep the name under 100 characters."
	}
	if len([]rune(st.Tagline)) > 200 {
		v["tagline"] = "Keep the tagline under 200 characters."
	}
	if _, err := time.LoadLocation(st.TimeZone); err != nil || st.TimeZone == "" || st.TimeZone == "Local" {
		v["time_zone"] = "Use a time zone name such as Europe/London or Asia/Tehran."
	}
	if st.MaxReplyDepth < 1 || st.MaxReplyDepth > 10 {
		v["max_reply_depth"] = "Choose a depth from 1 to 10."
	}
	if st.LinksBeforeHold < 0 || st.LinksBeforeHold > 50 {
		v["links_before_hold"] = "Choose a number from 0 to 50."
	}
	if st.CloseAfterDays < 0 || st.CloseAfterDays > 3650 {
		v["close_after_days"] = "Choose a number of days from 0 (never) to 3650."
	}
	if st.KeepAddressDays < 1 || st.KeepAddressDays > 365 {
		v["keep_address_days"] = "Choose a number of days from 1 to 365."
	}
	if len(v) > 0 {
		return v
	}
	return nil
}
