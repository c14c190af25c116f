package models

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// testSignupMails words the sign-up mails as simply as a test needs, keeping the token.
func testSignupMails(to string, token *string) SignupMails {
	return SignupMails{
		Confirm: func(tok string) Mail {
			*token = tok
			return Mail{Kind: MailSignup, To: to, Subject: "Finish signing up", Body: "Link: /signup/confirm?token=" + tok}
		},
		Taken: func(u User) Mail {
			return Mail{Kind: MailSignupTaken, To: u.Email, Subject: "Someone used your address", Body: "Hello " + u.Name}
		},
	}
}

func TestSignupByMail(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	var token string
	n := NewUser{Email: "nadia@example.com", Name: "Nadia Reader", Password: "long enough password"}
	if err := s.Users.StartSignup(ctx, testNow, n, "/articles/x", testSignupMails(n.Email, &token)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users.ByEmail(ctx, n.Email); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an account exists before its address was proven: %v", err)
	}
	var stored string
	if err := s.R.QueryRow("SELECT hash FROM mail_tokens").Scan(&stored); err != nil || stored == token || strings.Contains(stored, token) {
		t.Errorf("the token itself is stored: %q", stored)
	}
	if email, name, err := s.Users.PendingSignup(ctx, testNow, token); err != nil || email != n.Email || name != n.Name {
		t.Errorf("pending: %q %q %v", email, name, err)
	}
	// Someone who signed up with another's address cannot finish for its owner, who does not know the password.
	_, _, err := s.Users.FinishSignup(ctx, testNow.Add(time.Hour), token, "the owner's guess", "")
	if v, ok := AsValidation(err); !ok || v["password"] == "" {
		t.Fatalf("wrong password: %v", err)
	}
	u, next, err := s.Users.FinishSignup(ctx, testNow.Add(time.Hour), token, n.Password, "")
	if err != nil || u.Email != n.Email || u.Name != n.Name || u.Role != RoleCommenter || next != "/articles/x" {
		t.Fatalf("finish: %+v %q %v", u, next, err)
	}
	if _, err := s.Users.Authenticate(ctx, n.Email, n.Password); err != nil {
		t.Errorf("the password chosen at sign-up does not log in: %v", err)
	}
	if _, _, err := s.Users.FinishSignup(ctx, testNow.Add(time.Hour), token, n.Password, ""); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("link used twice: %v", err)
	}
	if _, _, err := s.Users.FinishSignup(ctx, testNow, "forged", n.Password, ""); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("forged link: %v", err)
	}
}

func TestSignupLinkExpires(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	var token string
	n := NewUser{Email: "nadia@example.com", Name: "Nadia Reader", Password: "long enough password"}
	if err := s.Users.StartSignup(ctx, testNow, n, "/", testSignupMails(n.Email, &token)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Users.FinishSignup(ctx, testNow.Add(SignupTokenTTL), token, n.Password, ""); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("expired link accepted: %v", err)
	}
}

// A sign-up with an address that has an account creates nothing and mails its owner;
// a second try within MailEvery mails nobody; a taken name is told like any bad field.
func TestSignupWithKnownAddressMailsTheOwner(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	owner, err := s.Users.Create(ctx, testNow, NewUser{Email: "ada@example.com", Name: "Ada Owner", Password: "owner's password"})
	if err != nil {
		t.Fatal(err)
	}
	var token string
	n := NewUser{Email: "ADA@example.com", Name: "Someone Else", Password: "attacker password"}
	for range 2 {
		if err := s.Users.StartSignup(ctx, testNow, n, "/", testSignupMails(n.Email, &token)); err != nil {
			t.Fatal(err)
		}
	}
	if token != "" {
		t.Error("a sign-up link was made for a known address")
	}
	sent, err := s.Mail.To(ctx, owner.Email)
	if err != nil || len(sent) != 1 || sent[0].Kind != MailSignupTaken || sent[0].Body != "Hello Ada Owner" {
		t.Fatalf("owner's mail: %+v %v", sent, err)
	}
	if _, err := s.Users.Authenticate(ctx, owner.Email, "owner's password"); err != nil {
		t.Errorf("the owner's account changed: %v", err)
	}
	err = s.Users.StartSignup(ctx, testNow, NewUser{Email: "new@example.com", Name: "ada owner", Password: "long enough password"}, "/", testSignupMails("new@example.com", &token))
	if v, ok := AsValidation(err); !ok || v["name"] == "" {
		t.Errorf("taken name: %v", err)
	}
}

func TestSignupNameTakenBeforeTheLinkIsFollowed(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	var token string
	if err := s.Users.StartSignup(ctx, testNow, NewUser{Email: "nadia@example.com", Name: "Nadia", Password: "long enough password"}, "/",
		testSignupMails("nadia@example.com", &token)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users.Create(ctx, testNow, NewUser{Email: "other@example.com", Name: "Nadia", Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Users.FinishSignup(ctx, testNow, token, "long enough password", "")
	if v, ok := AsValidation(err); !ok || v["name"] == "" {
		t.Fatalf("name taken meanwhile: %v", err)
	}
	u, _, err := s.Users.FinishSignup(ctx, testNow, token, "long enough password", "Nadia R")
	if err != nil || u.Name != "Nadia R" || u.Email != "nadia@example.com" {
		t.Errorf("with another name: %+v %v", u, err)
	}
}

func TestPasswordReset(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	u, err := s.Users.Create(ctx, testNow, NewUser{Email: "ada@example.com", Name: "Ada", Password: "old password!"})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	mail := func(u User, tok string) Mail {
		tokens = append(tokens, tok)
		return Mail{Kind: MailReset, To: u.Email, Subject: "Reset", Body: tok}
	}
	for _, addr := range []string{"nobody@example.com", "ADA@example.com", "ada@example.com"} {
		if err := s.Users.StartReset(ctx, testNow, addr, mail); err != nil {
			t.Fatal(err)
		}
	}
	if len(tokens) != 1 {
		t.Fatalf("%d reset links made, want 1 (unknown address: none; a second ask within %s: none)", len(tokens), MailEvery)
	}
	if err := s.Users.StartReset(ctx, testNow.Add(MailEvery+time.Second), "ada@example.com", mail); err != nil || len(tokens) != 2 {
		t.Fatalf("a later ask: %d links, %v", len(tokens), err)
	}
	now := testNow.Add(MailEvery + 2*time.Second)
	if _, err := s.Users.ResetPassword(ctx, now, tokens[0], "short"); err == nil {
		t.Error("a short password was set")
	}
	got, err := s.Users.ResetPassword(ctx, now, tokens[0], "a brand new password")
	if err != nil || got.ID != u.ID || got.SessionVersion != u.SessionVersion+1 {
		t.Fatalf("reset: %+v %v", got, err)
	}
	if _, err := s.Users.Authenticate(ctx, u.Email, "a brand new password"); err != nil {
		t.Errorf("new password: %v", err)
	}
	for i, tok := range tokens { // used, and the other link spent with it
		if _, err := s.Users.ResetPassword(ctx, now, tok, "yet another password"); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("link %d reused: %v", i, err)
		}
	}
	if err := s.Users.StartReset(ctx, now.Add(time.Hour), "ada@example.com", mail); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Users.ResetPassword(ctx, now.Add(time.Hour+ResetTokenTTL), tokens[2], "yet another password"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("expired link: %v", err)
	}
}
