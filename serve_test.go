package main

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// A slow-loris attack on loopback: one address opens many connections and trickles
// header lines into each. The server keeps only its per-client share open (the rest are
// refused with 429 at once), drops the admitted ones when the header timeout passes,
// and meanwhile a reader from another address is served within a second.
func TestSlowLorisCannotStarveOthers(t *testing.T) {
	cleanEnv(t)
	var logs syncBuffer
	const perClient, attackers = 8, 60
	addr, stop := startServe(t, &logs, "-data", t.TempDir(), "-seed=false",
		"-read-header-timeout", "700ms", "-max-conns-per-client", "8")
	defer stop()

	type outcome struct {
		refused bool          // answered 429 before sending anything
		closed  time.Duration // when the server hung up, from the first byte sent
	}
	results := make([]outcome, attackers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range attackers {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
		conn, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("attacker connection %d: %v", i, err)
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent := time.Now()
			conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n"))
			go func() { // trickle a header line every 100 ms, never ending the headers
				for range 50 {
					time.Sleep(100 * time.Millisecond)
					if _, err := conn.Write([]byte("X-Slow: 1\r\n")); err != nil {
						return
					}
				}
			}()
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			results[i] = outcome{refused: strings.Contains(line, " 429 "), closed: time.Since(sent)}
		}()
	}

	time.Sleep(200 * time.Millisecond) // the attack is under way
	t0 := time.Now()
	client := http.Client{Timeout: 5 * time.Second}
	res, err := client.Get("http://" + addr + "/")
	took := time.Since(t0)
	if err != nil {
		t.Fatalf("a normal reader during the attack: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || took > time.Second {
		t.Errorf("a normal reader during the attack: status %d after %v, want 200 within 1 s", res.StatusCode, took)
	}
	t.Logf("normal reader served in %v during %d slow connections", took, attackers)

	wg.Wait()
	refused := 0
	for i, r := range results {
		switch {
		case r.refused:
			refused++
		case r.closed > 3*time.Second:
			t.Errorf("slow connection %d was still open after %v, past the 700ms header timeout", i, r.closed)
		}
	}
	if refused < attackers-perClient {
		t.Errorf("%d of %d slow connections refused, want all but the %d one address may hold", refused, attackers, perClient)
	}
	t.Logf("%d refused at once, %d dropped at the header timeout, all within %v", refused, attackers-refused, time.Since(start))
}
