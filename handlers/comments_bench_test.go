package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"broadsheet/models"
)

// BenchmarkArticleWith200Comments is BenchmarkArticlePage's story carrying 200
// comments: 50 threads, each a comment with a reply, a reply to that, and a second
// reply to the first. Compare the two in one run:
//
//	go test -tags sqlite_fts5 -run '^$' -bench 'ArticlePage|ArticleWith200' ./handlers
func BenchmarkArticleWith200Comments(b *testing.B) {
	ta, art := benchPaper(b)
	readers := []models.User{ta.user("Ada Reader", models.RoleCommenter), ta.user("Bo Reader", models.RoleCommenter)}
	for t := 0; t < 50; t++ {
		root := ta.comment(art, readers[t%2], 0, fmt.Sprintf("Thread %d: a thought of a sentence or two, https://example.com/%d", t, t))
		r1 := ta.comment(art, readers[(t+1)%2], root.ID, "A reply with <em>emphasis</em>.")
		ta.comment(art, readers[t%2], r1.ID, "A reply to the reply.\n\nIn two paragraphs.")
		ta.comment(art, readers[(t+1)%2], root.ID, "Another reply to the thread.")
	}
	ta.rank()
	benchGet(b, ta.h, "/articles/"+art.Slug)
}

// threads posts n comments from u on art in threads of five (a root, two replies, a
// reply to the first reply and a reply to that), a second apart.
func threads(b *testing.B, ta *testApp, art models.Article, u models.User, n int) {
	b.Helper()
	ctx := context.Background()
	var root, r1, r2 int64
	for i := 0; i < n; i++ {
		parent := [5]int64{0, root, root, r1, r2}[i%5]
		c, err := ta.Store.Comments.Post(ctx, testNow.Add(time.Duration(i-n)*time.Second), models.NewComment{ArticleID: art.ID,
			ParentID: parent, User: &u, Body: fmt.Sprintf("Comment %d, a sentence or two of opinion.", i)})
		if err != nil {
			b.Fatal(err)
		}
		switch i % 5 {
		case 0:
			root = c.ID
		case 1:
			r1 = c.ID
		case 3:
			r2 = c.ID
		}
	}
}

// BenchmarkArticleWith5000Comments is the first and the last of the 20 discussion
// pages of a story with 5,000 comments in 1,000 threads, as an anonymous reader sees
// them, in each order: "warm" is a page the cache holds, "vote" the page rendered
// afresh after each of a stream of votes (every vote changes the discussion, so this
// is the page's full cost, comment renderings reused):
//
//	go test -tags sqlite_fts5 -run '^$' -bench ArticleWith5000 ./handlers
func BenchmarkArticleWith5000Comments(b *testing.B) {
	ta := newTestApp(b)
	ed := ta.user("Bench Editor", models.RoleEditor)
	art := ta.article("A story that goes viral", ta.section("World"), ed, nil)
	threads(b, ta, art, ed, 5000)
	ta.rank()
	voter := ta.user("Bench Voter", models.RoleCommenter)
	th, err := ta.Store.Comments.Thread(context.Background(), art.ID, 0, models.Page{Number: 1, Size: 1})
	if err != nil {
		b.Fatal(err)
	}
	target := th.Items[0].ID
	for _, order := range []string{"", "sort=newest&", "sort=best&"} {
		for _, page := range []string{"1", "20"} {
			path := "/articles/" + art.Slug + "?" + order + "cpage=" + page
			if page == "1" {
				path = strings.TrimSuffix("/articles/"+art.Slug+"?"+order, "&")
				path = strings.TrimSuffix(path, "?")
			}
			name := strings.TrimSuffix(strings.TrimPrefix(order, "sort="), "&")
			if name == "" {
				name = "oldest"
			}
			b.Run(name+"/page"+page+"/warm", func(b *testing.B) { benchGet(b, ta.h, path) })
			b.Run(name+"/page"+page+"/vote", func(b *testing.B) {
				dirs := []int{models.VoteUp, models.VoteNone}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					b.StopTimer()
					if _, err := ta.Store.Comments.Vote(context.Background(), ta.Now(), target, voter, dirs[i%2]); err != nil {
						b.Fatal(err)
					}
					i++
					b.StartTimer()
					rec := httptest.NewRecorder()
					ta.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
					if rec.Code != http.StatusOK {
						b.Fatalf("%s: %d", path, rec.Code)
					}
				}
			})
		}
	}
}

// BenchmarkCommentPosting posts comments through the whole site over loopback HTTP,
// eight in flight (SetParallelism(4) on two cores), as one logged-in editor (staff
// skip the per-address flood limit, and every loopback post shares an address), while
// a reader loads the article page every 10 ms. It reports accepted posts per second,
// the 99th percentile of a post's round trip and the CPU time per post, on a short
// discussion and on one of 5,000 comments:
//
//	go test -tags sqlite_fts5 -run '^$' -bench CommentPosting -benchtime=4000x ./handlers
func BenchmarkCommentPosting(b *testing.B) {
	for _, n := range []int{10, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ta := newTestApp(b)
			ed := ta.user("Bench Editor", models.RoleEditor)
			art := ta.article("A story that goes viral", ta.section("World"), ed, nil)
			threads(b, ta, art, ed, n)
			ta.rank()
			srv := ta.server()
			cookies := ta.loginCookies(ed)
			noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

			stop, read := make(chan struct{}), make(chan int)
			go func() {
				reads := 0
				defer func() { read <- reads }()
				tick := time.NewTicker(10 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					res, err := http.Get(srv.URL + "/articles/" + art.Slug)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("reader: %d", res.StatusCode)
						return
					}
					reads++
				}
			}()

			var seq atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(4)
			b.ReportAllocs()
			var before syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				client := &http.Client{CheckRedirect: noFollow}
				var mine []time.Duration
				for pb.Next() {
					form := url.Values{"body": {fmt.Sprintf("Posted under load, number %d.", seq.Add(1))}}
					req, _ := http.NewRequest(http.MethodPost, srv.URL+"/articles/"+art.Slug+"/comments", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					for _, c := range cookies {
						req.AddCookie(c)
					}
					start := time.Now()
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					mine = append(mine, time.Since(start))
					if res.StatusCode != http.StatusSeeOther {
						b.Errorf("post: %d", res.StatusCode)
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			var after syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			close(stop)
			reads := <-read
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
			b.ReportMetric(float64(reads)/b.Elapsed().Seconds(), "reads/s")
			// CPU time of the whole process per post (server, clients and the reader), which
			// other work on a shared machine does not inflate the way it does wall time.
			cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/post")
		})
	}
}
