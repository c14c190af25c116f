package models

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func testMail(to string) Mail {
	return Mail{Kind: MailSignup, To: to, Subject: "Hello", Body: "Body text.", Headers: map[string]string{"X-Test": "yes"}}
}

func TestOutboxClaimLeaseAndRetry(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	if err := s.Mail.Enqueue(ctx, testNow, testMail("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	m, err := s.Mail.Claim(ctx, testNow, time.Minute)
	if err != nil || m.State != MailSending || m.Attempts != 1 || m.Headers["X-Test"] != "yes" || m.Kind != MailSignup {
		t.Fatalf("claim: %+v %v", m, err)
	}
	if _, err := s.Mail.Claim(ctx, testNow.Add(59*time.Second), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("claimed twice within the lease: %v", err)
	}
	// The worker died: after the lease another one takes it, as attempt 2.
	again, err := s.Mail.Claim(ctx, testNow.Add(time.Minute), time.Minute)
	if err != nil || again.ID != m.ID || again.Attempts != 2 {
		t.Fatalf("reclaim after lease: %+v %v", again, err)
	}
	// The first worker's late answer must not overwrite the second attempt.
	if err := s.Mail.Sent(ctx, testNow, m); !errors.Is(err, ErrNotFound) {
		t.Errorf("stale claim recorded: %v", err)
	}
	retryAt := testNow.Add(10 * time.Minute)
	if err := s.Mail.Retry(ctx, again, retryAt, false, "421 try later"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mail.Claim(ctx, retryAt.Add(-time.Second), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("claimed before its retry time: %v", err)
	}
	third, err := s.Mail.Claim(ctx, retryAt, time.Minute)
	if err != nil || third.Attempts != 3 || third.LastError != "421 try later" {
		t.Fatalf("retry: %+v %v", third, err)
	}
	if err := s.Mail.Retry(ctx, third, retryAt.Add(time.Hour), true, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mail.Claim(ctx, retryAt.Add(48*time.Hour), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed message was claimed again: %v", err)
	}
	got, err := s.Mail.To(ctx, "ADA@example.com")
	if err != nil || len(got) != 1 || got[0].State != MailFailed || got[0].LastError != "550 no such user" || got[0].Attempts != 3 {
		t.Errorf("failed message kept for the operator: %+v %v", got, err)
	}
}

func TestOutboxSentIsFinal(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	if err := s.Mail.Enqueue(ctx, testNow, testMail("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	m, err := s.Mail.Claim(ctx, testNow, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Mail.Sent(ctx, testNow.Add(time.Second), m); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mail.Claim(ctx, testNow.Add(time.Hour), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("a sent message was claimed again: %v", err)
	}
	got, _ := s.Mail.To(ctx, "ada@example.com")
	if len(got) != 1 || got[0].State != MailSent || !got[0].SentAt.Equal(testNow.Add(time.Second)) || got[0].Body != "" {
		t.Errorf("sent (the body, which may hold a link, forgotten): %+v", got)
	}
}

func TestOutboxPruneKeepsFailedAndRecentMail(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	for _, to := range []string{"old@example.com", "new@example.com", "failed@example.com"} {
		if err := s.Mail.Enqueue(ctx, testNow, testMail(to)); err != nil {
			t.Fatal(err)
		}
	}
	for i, end := range []func(Mail) error{
		func(m Mail) error { return s.Mail.Sent(ctx, testNow, m) },
		func(m Mail) error { return s.Mail.Sent(ctx, testNow.Add(72*time.Hour), m) },
		func(m Mail) error { return s.Mail.Retry(ctx, m, testNow, true, "550") },
	} {
		m, err := s.Mail.Claim(ctx, testNow, time.Minute)
		if err != nil {
			t.Fatal(i, err)
		}
		if err := end(m); err != nil {
			t.Fatal(i, err)
		}
	}
	var token string
	if err := s.Users.StartSignup(ctx, testNow, NewUser{Email: "nadia@example.com", Name: "Nadia", Password: "long enough password"}, "/",
		testSignupMails("nadia@example.com", &token)); err != nil {
		t.Fatal(err)
	}
	if err := s.Mail.Prune(ctx, testNow.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for to, want := range map[string]int{"old@example.com": 0, "new@example.com": 1, "failed@example.com": 1, "nadia@example.com": 1} {
		if got, _ := s.Mail.To(ctx, to); len(got) != want {
			t.Errorf("%s: %d messages left, want %d", to, len(got), want)
		}
	}
	if _, _, err := s.Users.PendingSignup(ctx, testNow, token); err != nil {
		t.Errorf("a live sign-up link was pruned: %v", err)
	}
	if err := s.Mail.Prune(ctx, testNow.Add(SignupTokenTTL+time.Second)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.R.QueryRow("SELECT count(*) FROM mail_tokens").Scan(&n); err != nil || n != 0 {
		t.Errorf("expired links kept: %d %v", n, err)
	}
}

// TestOutboxClaimIsExclusive has many workers on two "servers" (two stores on one
// database file) claim at once: each message goes to exactly one.
func TestOutboxClaimIsExclusive(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	var servers [2]*Store
	for i := range servers {
		st, err := Open(filepath.Join(dir, "test.db"), filepath.Join(dir, "uploads"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		servers[i] = st
	}
	s := servers[0]
	const n = 40
	for i := range n {
		if err := s.Mail.Enqueue(ctx, testNow, testMail(fmt.Sprintf("reader%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for {
				m, err := servers[i%2].Mail.Claim(ctx, testNow, time.Hour)
				if errors.Is(err, ErrNotFound) {
					return
				} else if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				claimed[m.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d of %d messages claimed", len(claimed), n)
	}
	for id, k := range claimed {
		if k != 1 {
			t.Errorf("message %d claimed %d times", id, k)
		}
	}
}

func TestOutboxRefusesUnsendableMail(t *testing.T) {
	s, ctx := newTestDB(t), context.Background()
	for name, m := range map[string]Mail{
		"name in address":  {Kind: MailSignup, To: "Ada <ada@example.com>", Subject: "s", Body: "b"},
		"not an address":   {Kind: MailSignup, To: "ada", Subject: "s", Body: "b"},
		"header injection": {Kind: MailSignup, To: "ada@example.com", Subject: "s", Body: "b", Headers: map[string]string{"X-A": "1\r\nBcc: eve@example.com"}},
		"subject break":    {Kind: MailSignup, To: "ada@example.com", Subject: "s\nBcc: eve@example.com", Body: "b"},
	} {
		if err := s.Mail.Enqueue(ctx, testNow, m); err == nil {
			t.Errorf("%s: enqueued", name)
		}
	}
	if _, err := s.Mail.Claim(ctx, testNow, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("something was queued: %v", err)
	}
}
