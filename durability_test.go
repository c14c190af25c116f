package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"broadsheet/models"
)

var commentLocation = regexp.MustCompile(`#comment-(\d+)$`)

// Every comment the site acknowledged (303 to its permalink) is in the database after
// the server process is killed with SIGKILL mid-stream, while eight posts are in flight.
//
// The database runs in WAL mode with synchronous=NORMAL: a commit appends to the WAL
// file with write(2) and returns without fsync, and the WAL is synced only when it is
// checkpointed. What a killed process has written is in the operating system's page
// cache and survives it, which is what this test proves. What NORMAL risks is a power
// cut or kernel crash: commits the kernel had not yet written back (it syncs the WAL
// at each checkpoint and flushes dirty pages within about 30 seconds) are lost, so
// acknowledged comments from the last seconds can vanish, though the database is
// never corrupted. For reader comments that trade is right; synchronous=FULL would
// close the window at the cost of an fsync on every post.
func TestAcknowledgedCommentsSurviveSIGKILL(t *testing.T) {
	data := t.TempDir()
	store, err := models.Open(filepath.Join(data, "broadsheet.db"), filepath.Join(data, "uploads"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	// An editor, so flood control (one comment per 15 s from an address) lets a
	// stream of posts from loopback through and nothing is held for moderation.
	const email, password = "ed@example.com", "a long enough password"
	ed, err := store.Users.Create(ctx, now, models.NewUser{Email: email, Name: "Ed", Password: password, Role: models.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := store.Sections.Create(ctx, "World", "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := store.Articles.Create(ctx, now, models.ArticleInput{Title: "A story that goes viral", Body: "Text.", SectionID: sec.ID,
		AuthorIDs: []int64{ed.ID}, Status: models.StatusPublished, PublishedAt: now.Add(-time.Hour), CommentsOpen: true})
	if err != nil {
		t.Fatal(err)
	}
	art, err := store.Articles.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// The real command, built and run as its own process so that it can be SIGKILLed.
	bin := filepath.Join(t.TempDir(), "broadsheet")
	if out, err := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "-data", data, "-addr", addr)
	cmd.Env = append(os.Environ(), "BROADSHEET_SEED=0")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	base := "http://" + addr
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not answer within a minute")
		}
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}

	// Eight posters; the server is killed once 300 posts are acknowledged, with more
	// in flight. Each poster stops at its first failed request.
	var mu sync.Mutex
	acked := map[int64]string{}
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				body := fmt.Sprintf("Comment %d from poster %d.", i, w)
				res, err := client.PostForm(base+"/articles/"+art.Slug+"/comments", url.Values{"body": {body}})
				if err != nil {
					return
				}
				res.Body.Close()
				if res.StatusCode != http.StatusSeeOther {
					t.Errorf("post %q: %d", body, res.StatusCode)
					return
				}
				m := commentLocation.FindStringSubmatch(res.Header.Get("Location"))
				if m == nil {
					t.Errorf("post %q: redirected to %q", body, res.Header.Get("Location"))
					return
				}
				cid, _ := strconv.ParseInt(m[1], 10, 64)
				mu.Lock()
				acked[cid] = body
				if len(acked) >= 300 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		}(w)
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Fatal("300 posts were not acknowledged within a minute")
	}
	if err := cmd.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	killed = true
	cmd.Wait()
	wg.Wait()
	if t.Failed() {
		t.Logf("server output:\n%s", logs.String())
	}

	store, err = models.Open(filepath.Join(data, "broadsheet.db"), filepath.Join(data, "uploads"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	mu.Lock()
	defer mu.Unlock()
	for cid, body := range acked {
		c, err := store.Comments.Get(ctx, cid)
		if err != nil || c.BodySrc != body || c.ArticleID != art.ID {
			t.Errorf("acknowledged comment %d (%q) after SIGKILL: %q, %v", cid, body, c.BodySrc, err)
		}
	}
	t.Logf("%d acknowledged comments, all present after SIGKILL", len(acked))
}
