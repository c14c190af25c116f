package models

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !CheckPassword(h, "correct horse battery") {
		t.Error("right password refused")
	}
	for _, wrong := range []string{"correct horse batter", "", "Correct horse battery"} {
		if CheckPassword(h, wrong) {
			t.Errorf("wrong password %q accepted", wrong)
		}
	}
	for _, junk := range []string{"", "$argon2id$", "$bcrypt$x$y$z$w", "$argon2id$v=19$m=x$salt$key"} {
		if CheckPassword(junk, "anything") {
			t.Errorf("malformed hash %q accepted", junk)
		}
	}
}

func TestUserCreateAndAuthenticate(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	u, err := s.Users.Create(ctx, testNow, NewUser{Email: "Reza@Example.com", Name: "Reza", Password: "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != RoleCommenter || u.Slug != "reza" {
		t.Errorf("new user: role %q slug %q", u.Role, u.Slug)
	}
	if _, err := s.Users.Authenticate(ctx, "reza@example.com", "a long password"); err != nil {
		t.Errorf("email is case-insensitive: %v", err)
	}
	for _, c := range []struct{ email, pw string }{{"reza@example.com", "wrong password"}, {"nobody@example.com", "a long password"}} {
		if _, err := s.Users.Authenticate(ctx, c.email, c.pw); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s/%s: want ErrInvalidCredentials (never which part was wrong), got %v", c.email, c.pw, err)
		}
	}
	// Changing the password ends every session.
	if err := s.Users.SetPassword(ctx, u.ID, "another long one"); err != nil {
		t.Fatal(err)
	}
	u2, _ := s.Users.Get(ctx, u.ID)
	if u2.SessionVersion != u.SessionVersion+1 {
		t.Errorf("session version %d → %d, want a bump", u.SessionVersion, u2.SessionVersion)
	}

	cases := []struct {
		name  string
		in    NewUser
		field string
	}{
		{"taken email, other case", NewUser{Email: "REZA@example.com", Name: "Other", Password: "a long password"}, "email"},
		{"taken name, other case", NewUser{Email: "x@example.com", Name: "REZA", Password: "a long password"}, "name"},
		{"bad email", NewUser{Email: "not-an-email", Name: "N", Password: "a long password"}, "email"},
		{"short password", NewUser{Email: "y@example.com", Name: "Y", Password: "short"}, "password"},
		{"blank name", NewUser{Email: "z@example.com", Name: "   ", Password: "a long password"}, "name"},
		{"punctuation-only name", NewUser{Email: "p@example.com", Name: "!!!", Password: "a long password"}, "name"},
		{"bad role", NewUser{Email: "q@example.com", Name: "Q", Password: "a long password", Role: "king"}, "role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Users.Create(ctx, testNow, c.in)
			if v, ok := AsValidation(err); !ok || v[c.field] == "" {
				t.Errorf("want a message on %q, got %v", c.field, err)
			}
		})
	}
	if n, _ := s.Users.Count(ctx); n != 1 {
		t.Errorf("%d users after rejected sign-ups, want 1", n)
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	got, err := s.Settings.Get(ctx)
	if err != nil || got.MaxReplyDepth != 5 || got.DiscussionPolicy == "" {
		t.Fatalf("defaults: %+v, %v", got, err)
	}
	got.SiteName, got.MaxReplyDepth, got.HeldWords, got.GuestComments = "The Daily", 3, []string{"Casino", "pills"}, true
	if err := s.Settings.Save(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Settings.Get(ctx)
	if again.SiteName != "The Daily" || again.MaxReplyDepth != 3 || !again.GuestComments ||
		strings.Join(again.HeldWords, ",") != "casino,pills" {
		t.Errorf("after save: %+v", again)
	}
}

// An account imported without a password, an unknown address and a wrong password
// must take alike: the imported one answered in 0.9 ms against ~36 ms, which tells
// an attacker which addresses were imported.
func TestAuthenticateTakesAlikeWithoutAPassword(t *testing.T) {
	s := newTestDB(t)
	ctx := context.Background()
	if _, err := s.Users.Create(ctx, testNow, NewUser{Email: "real@example.com", Name: "Real", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users.insert(ctx, testNow, NewUser{Email: "imported@example.com", Name: "Imported", Role: RoleAuthor}, ""); err != nil {
		t.Fatal(err)
	}
	// The work an answer costs is measured in CPU time of this process, which other
	// work on a shared machine does not inflate as it does time on the clock; the
	// least of a few tries leaves out the runtime's own occasional work.
	fastest := func(email string) time.Duration {
		best := time.Hour
		for range 5 {
			var before, after syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			if _, err := s.Users.Authenticate(ctx, email, "a wrong password"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("%s: %v", email, err)
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			best = min(best, time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()))
		}
		return best
	}
	wrong := fastest("real@example.com")
	for _, email := range []string{"imported@example.com", "nobody@example.com"} {
		if got := fastest(email); got < wrong/2 {
			t.Errorf("%s answered in %v, a wrong password in %v: the difference shows which accounts exist", email, got, wrong)
		}
	}
}
