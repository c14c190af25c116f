package models

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Comment statuses. Only approved comments are public; a pending one is shown to its
// author alone, marked "awaiting moderation".
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentSpam     = "spam"
	CommentDeleted  = "deleted"
)

const (
	// MaxCommentLen bounds a comment, counted in characters after line endings are normalised.
	MaxCommentLen = 5000
	// EditWindow is how long authors may edit what they posted.
	EditWindow = 15 * time.Minute
	// FloodInterval is the least time between two comments from one account or one address.
	FloodInterval = 15 * time.Second
)

// Comment is one contribution to an article's discussion.
type Comment struct {
	ID          int64
	ArticleID   int64
	ParentID    int64 // 0 for a top-level comment
	UserID      int64 // 0 for a guest
	Name        string
	GuestEmail  string
	BodySrc     string        // what the commenter typed, for editing
	BodyHTML    template.HTML // sanitised by Sanitizer.CommentHTML; never built elsewhere
	Status      string
	HeldReasons []string // rules that held it: first, links, word, guest
	CreatedAt   time.Time
	EditedAt    time.Time
	Score       int // up votes less down votes (see vote.go)

	// Filled in by Thread.
	Number  int  // 1, 2, 3 … for top-level comments in the public thread; 0 otherwise
	Depth   int  // 1 for a top-level comment
	Removed bool // deleted or hidden, kept as "[comment deleted]" so its replies stay in place
	Replies []*Comment
	MyVote  int // the viewer's own vote on it: VoteUp, VoteDown or VoteNone

	// Filled in by moderation lists.
	ArticleTitle string
	ArticleSlug  string
	Reports      int
	OpenReports  []Report // the reports no moderator has dealt with, oldest first
	SameNetwork  int      // other comments still on record from the network this one came from
}

// Report is one reader's report of a comment.
type Report struct {
	By     string // the reader's display name
	Reason string // may be empty
	At     time.Time
}

// Pending reports whether the comment awaits a moderator.
func (c Comment) Pending() bool { return c.Status == CommentPending }

// EditableBy reports whether u may still edit the comment: their own, live, and young enough.
func (c Comment) EditableBy(u *User, now time.Time) bool {
	return c.DeletableBy(u) && now.Sub(c.CreatedAt) < EditWindow
}

// DeletableBy reports whether u may delete the comment: their own and live.
func (c Comment) DeletableBy(u *User) bool {
	return u != nil && c.UserID == u.ID && !c.Removed && (c.Status == CommentApproved || c.Status == CommentPending)
}

// FloodError refuses a comment that came too soon after the last one from the same
// account or address. Handlers answer 429 and keep the text for a later retry.
type FloodError struct{ Wait time.Duration }

func (e *FloodError) Error() string {
	return fmt.Sprintf("Slow down: please wait %d seconds before posting again. Your text is kept below.", e.Seconds())
}

// Seconds is the wait rounded up to whole seconds.
func (e *FloodError) Seconds() int { return int((e.Wait + time.Second - 1) / time.Second) }

// CommentStore reads and writes comments.
type CommentStore struct {
	s *Store
	// pageOfScan bounds PageOf's count of the threads from a comment's thread on,
	// past which counting those before it is likely the shorter walk.
	pageOfScan int
}

const commentCols = `c.id, c.article_id, coalesce(c.parent_id, 0), coalesce(c.user_id, 0), coalesce(u.name, c.guest_name),
	c.guest_email, c.body_src, c.body_html, c.status, c.held_reasons, c.created_at, c.edited_at, c.score`

// threadCols are commentCols for a page of threads (threadPage, where page is the
// page's threads): a comment's body but never its source (only the edit form shows it,
// and it reads the comment alone); and, of a thread the caller read before and that
// has not changed since (its rev not above :seen), the top-level comment's id alone.
var threadCols = strings.Join([]string{"c.id", ifChanged("c.article_id", "0"), ifChanged("coalesce(c.parent_id, 0)", "0"),
	ifChanged("coalesce(c.user_id, 0)", "0"), ifChanged("coalesce(u.name, c.guest_name)", "''"), ifChanged("c.guest_email", "''"),
	"''", ifChanged("c.body_html", "''"), ifChanged("c.status", "''"), ifChanged("c.held_reasons", "''"),
	ifChanged("c.created_at", "''"), ifChanged("c.edited_at", "NULL"), ifChanged("c.score", "0")}, ", ")

// ifChanged is col for a thread changed since :seen, else zero.
func ifChanged(col, zero string) string {
	return "CASE WHEN page.rev > :seen THEN " + col + " ELSE " + zero + " END"
}

const commentFrom = ` FROM comments c LEFT JOIN users u ON u.id = c.user_id`

// commentScan is what scanning a comment's columns (commentCols) needs besides the
// comment: the columns parsed afterwards and the list of destinations. A page of
// comments keeps one from row to row, so that no row allocates either.
type commentScan struct {
	held, created string
	edited        sql.NullString
	dest          []any
}

// into points the destinations at c's columns, then at extra (what the query adds
// after them: a story's title, a count). The body scans as the string it is (a
// template.HTML takes reflection's path), the numbers through intCol.
func (s *commentScan) into(c *Comment, extra ...any) []any {
	s.dest = append(s.dest[:0], intCol[int64]{&c.ID}, intCol[int64]{&c.ArticleID}, intCol[int64]{&c.ParentID},
		intCol[int64]{&c.UserID}, &c.Name, &c.GuestEmail, &c.BodySrc, (*string)(&c.BodyHTML),
		&c.Status, &s.held, &s.created, &s.edited, intCol[int]{&c.Score})
	s.dest = append(s.dest, extra...)
	return s.dest
}

// finish fills in c what into set aside.
func (s *commentScan) finish(c *Comment) {
	if s.held != "" {
		c.HeldReasons = strings.Split(s.held, ",")
	}
	c.CreatedAt, c.EditedAt = parseTime(s.created), parseNullTime(s.edited)
}

// scanComment reads one comment's columns, then into extra any the query adds after them.
func scanComment(sc scanner, extra ...any) (Comment, error) {
	var c Comment
	var s commentScan
	if err := sc.Scan(s.into(&c, extra...)...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, ErrNotFound
		}
		return c, err
	}
	s.finish(&c)
	return c, nil
}

func (cs *CommentStore) list(ctx context.Context, q string, args ...any) ([]Comment, error) {
	return queryAll(ctx, cs.s.R, func(sc scanner) (Comment, error) { return scanComment(sc) }, q, args...)
}

// Get returns any comment by id, whatever its status, or ErrNotFound.
func (cs *CommentStore) Get(ctx context.Context, id int64) (Comment, error) {
	return scanComment(cs.s.R.QueryRowContext(ctx, "SELECT "+commentCols+commentFrom+" WHERE c.id = ?", id))
}

// NewComment is what posting a comment needs.
type NewComment struct {
	ArticleID  int64
	ParentID   int64 // 0 for a new thread
	User       *User // nil for a guest (only when the site allows guest comments)
	GuestName  string
	GuestEmail string
	Body       string
	IP         string // the client's address: only its network's keyed hash is stored
	// WatchReplies: the author ticked "E-mail me replies" (accounts only: a guest's
	// address was never confirmed).
	WatchReplies bool
	// Settings are the site's settings as the request already read them (a server
	// keeps them with the content versions it reads per request); nil, Post reads them.
	Settings *Settings
}

// normaliseBody makes browsers' CRLF line endings plain newlines, so lengths and
// duplicate checks count what the reader sees.
func normaliseBody(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// validateBody returns what is wrong with a comment's text, or "".
func validateBody(body string) string {
	if !utf8.ValidString(body) {
		return "Your comment contains bytes that are not valid text. Paste it again as plain text."
	}
	if strings.TrimSpace(body) == "" {
		return "Write something before posting."
	}
	if n := utf8.RuneCountInString(body); n > MaxCommentLen {
		return fmt.Sprintf("Keep comments to 5,000 characters; this one has %d.", n)
	}
	for _, r := range body {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return "Your comment contains invisible control characters. Remove them and post again."
		}
	}
	return ""
}

// Post validates, sanitises and stores a comment, applying the moderation rules:
// it is refused (ValidationError or *FloodError) or stored approved or pending with
// the reasons that held it. Everything happens in one write transaction, so two
// posts racing cannot both slip past the flood or duplicate checks.
func (cs *CommentStore) Post(ctx context.Context, now time.Time, in NewComment) (Comment, error) {
	body, msg := cs.s.readyBody(in.Body)
	v := ValidationError{}
	if msg != "" {
		v["body"] = msg
	}
	var st Settings
	var err error
	if in.Settings != nil {
		st = *in.Settings
	} else if st, err = cs.s.Settings.Get(ctx); err != nil {
		return Comment{}, err
	}
	if in.User == nil {
		in.GuestName, in.GuestEmail = strings.TrimSpace(in.GuestName), strings.TrimSpace(in.GuestEmail)
		switch {
		case !st.GuestComments:
			return Comment{}, ValidationError{"body": "Log in or sign up to comment."}
		case !validGuestName(in.GuestName):
			v["name"] = guestNameRule
		}
		if addr, err := mail.ParseAddress(in.GuestEmail); err != nil || addr.Address != in.GuestEmail || len(in.GuestEmail) > 254 {
			v["email"] = "Enter an email address like name@example.com. It is never shown."
		}
	}
	if len(v) > 0 {
		return Comment{}, v
	}
	in.Body = body.src

	// The comment as Get would read it back, made from what is written: reading it again
	// was a tenth of a post's time in the server.
	posted := Comment{ArticleID: in.ArticleID, Name: in.GuestName, GuestEmail: in.GuestEmail, BodySrc: body.src,
		BodyHTML: body.html, CreatedAt: parseTime(fmtTime(now))}
	network := cs.s.addr.network(in.IP)
	err = cs.s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkOpen(ctx, tx, in.ArticleID, st, now); err != nil {
			return err
		}
		staff := false
		if in.User != nil {
			var blocked bool
			var role string
			posted.UserID = in.User.ID
			if err := tx.QueryRowContext(ctx, "SELECT blocked, role, name FROM users WHERE id = ?", in.User.ID).Scan(&blocked, &role, &posted.Name); err != nil {
				return err
			}
			if blocked {
				return ValidationError{"body": "Your account has been blocked from commenting. Contact the editors if you think this is a mistake."}
			}
			staff = role == RoleAdmin || role == RoleEditor
		}
		parent, root, err := replyParent(ctx, tx, in.ArticleID, in.ParentID, st.MaxReplyDepth)
		if err != nil {
			return err
		}
		if err := checkRepeat(ctx, tx, in, network, now, staff); err != nil {
			return err
		}
		firstTime := false
		if in.User != nil {
			trusted, err := hasApproved(ctx, tx, in.User.ID)
			if err != nil {
				return err
			}
			firstTime = !trusted
		}
		reasons := holdReasons(st, in.User == nil, staff, firstTime, in.Body, string(body.html))
		status := CommentApproved
		if len(reasons) > 0 {
			status = CommentPending
		}
		var uid any
		if in.User != nil {
			uid = in.User.ID
		}
		id, err := insertComment(ctx, tx, commentRow{in.ArticleID, parent, root, uid, in.GuestName, in.GuestEmail, "",
			body.src, body.html, status, strings.Join(reasons, ","), now}, network)
		if err != nil {
			return err
		}
		posted.ID, posted.Status, posted.HeldReasons = id, status, reasons
		if p, ok := parent.(int64); ok {
			posted.ParentID = p
		}
		if in.WatchReplies && in.User != nil {
			if _, err := tx.ExecContext(ctx, "INSERT INTO reply_watches (comment_id, user_id) VALUES (?, ?)", id, in.User.ID); err != nil {
				return err
			}
		}
		if status == CommentApproved && in.ParentID > 0 {
			return noticeReply(ctx, tx, now, id)
		}
		return nil
	})
	if err != nil {
		return Comment{}, err
	}
	return posted, nil
}

// guestNameRule is what a guest's signature must be, on the form and in an import.
const guestNameRule = "Give a name of up to 50 characters to sign your comment."

func validGuestName(name string) bool {
	return name != "" && utf8.ValidString(name) && utf8.RuneCountInString(name) <= 50
}

// readyBody applies the rules every comment's text follows, posted, generated or
// imported: normalised, validated, sanitised by the comment policy, and something
// left once sanitised. msg says what is wrong, or is "".
func (s *Store) readyBody(body string) (ReadyComment, string) {
	body = normaliseBody(body)
	if msg := validateBody(body); msg != "" {
		return ReadyComment{}, msg
	}
	html := s.San.CommentHTML(body)
	if s.San.PlainText(string(html)) == "" {
		return ReadyComment{}, "Nothing is left of this comment once disallowed HTML is removed. Write it as plain text."
	}
	return ReadyComment{body, html}, ""
}

// commentRow is a comment as stored. parent, root and user are nil or an id: the
// root_id trigger fills root for writers that leave it nil.
type commentRow struct {
	articleID                   int64
	parent, root, user          any
	guestName, guestEmail, gURL string
	src                         string
	html                        template.HTML
	status, held                string
	createdAt                   time.Time
}

// insertComment writes a comment and the keyed hash of its writer's network, for
// Post and for an import alike; the counts, thread roots and cache versions follow
// from the table's triggers.
func insertComment(ctx context.Context, tx *sql.Tx, c commentRow, network string) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO comments (article_id, parent_id, root_id, user_id, guest_name, guest_email,
		guest_url, body_src, body_html, status, held_reasons, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.articleID, c.parent, c.root, c.user, c.guestName, c.guestEmail, c.gURL, c.src, string(c.html), c.status,
		c.held, fmtTime(c.createdAt)).Scan(&id); err != nil {
		return 0, err
	}
	return id, recordNetwork(ctx, tx, id, network, fmtTime(c.createdAt))
}

// hasApproved reports whether the user has a public comment, which lifts the hold
// on first comments. It stops at the first one, so a prolific commenter costs no
// more than a new one.
func hasApproved(ctx context.Context, tx *sql.Tx, userID int64) (bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM comments WHERE user_id = ? AND status = 'approved')", userID).Scan(&ok)
	return ok, err
}

// checkOpen refuses comments on a missing or closed discussion.
func checkOpen(ctx context.Context, tx *sql.Tx, articleID int64, st Settings, now time.Time) error {
	var open bool
	var pub sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT comments_open, published_at FROM articles WHERE id = ?", articleID).Scan(&open, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if discussionClosed(open, parseNullTime(pub), st, now) {
		return ValidationError{"body": "The discussion of this article is closed, so it takes no new comments."}
	}
	return nil
}

// replyParent checks the comment being replied to and returns the parent the reply
// will hang from (a reply below the deepest level joins that level instead) and the
// top-level comment of its thread; both nil for a new thread.
func replyParent(ctx context.Context, tx *sql.Tx, articleID, parentID int64, maxDepth int) (parent, root any, err error) {
	if parentID == 0 {
		return nil, nil, nil
	}
	var art int64
	var status string
	err = tx.QueryRowContext(ctx, "SELECT article_id, status FROM comments WHERE id = ?", parentID).Scan(&art, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil, ValidationError{"body": "The comment you are replying to does not exist. Post a new comment instead."}
	case err != nil:
		return nil, nil, err
	case art != articleID:
		return nil, nil, ValidationError{"body": "The comment you are replying to belongs to another article."}
	case status != CommentApproved:
		return nil, nil, ValidationError{"body": "The comment you are replying to has been removed or is not yet public. Post a new comment instead."}
	}
	// The parent's ancestors, nearest first: the chain decides the reply's depth.
	rows, err := tx.QueryContext(ctx, `WITH RECURSIVE up(id, parent_id, n) AS (
			SELECT id, parent_id, 0 FROM comments WHERE id = ?
			UNION ALL SELECT c.id, c.parent_id, up.n + 1 FROM comments c JOIN up ON c.id = up.parent_id)
		SELECT id FROM up ORDER BY n`, parentID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var chain []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, nil, err
		}
		chain = append(chain, id)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// The parent sits at depth len(chain); the reply would sit one deeper.
	if maxDepth < 1 {
		maxDepth = 1
	}
	root = chain[len(chain)-1]
	if over := len(chain) + 1 - maxDepth; over > 0 {
		if over >= len(chain) {
			return nil, nil, nil
		}
		return chain[over], root, nil
	}
	return parentID, root, nil
}

// checkRepeat refuses a repeat of the poster's last comment and, except for staff,
// a comment too soon after the last one from the same account or network (network is
// the hashed network of the poster's address).
func checkRepeat(ctx context.Context, tx *sql.Tx, in NewComment, network string, now time.Time, staff bool) error {
	lastSQL, latestSQL := repeatSQL(in.User == nil)
	whoArg := any(in.GuestEmail)
	if in.User != nil {
		whoArg = in.User.ID
	}
	var lastBody string
	err := tx.QueryRowContext(ctx, lastSQL, whoArg).Scan(&lastBody)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// A repeat is answered before flood control, so a reader who retries a post that
	// already went through learns it is there rather than being told to wait.
	if err == nil && strings.TrimSpace(lastBody) == strings.TrimSpace(in.Body) {
		return ValidationError{"body": "You have already posted this comment."}
	}
	if staff {
		return nil
	}
	// Every comment counts towards flooding, deleted ones too, by account and by network.
	// Two separate maxima, because each is then read off the end of its index, where
	// one max over "account OR address" visited every comment either ever posted.
	var last string
	if err := tx.QueryRowContext(ctx, latestSQL, whoArg, network).Scan(&last); err != nil {
		return err
	}
	latest := parseTime(last)
	if wait := latest.Add(FloodInterval).Sub(now); !latest.IsZero() && wait > 0 {
		return &FloodError{Wait: wait}
	}
	return nil
}

// repeatSQL is checkRepeat's two statements for a member (one argument: the account)
// or a guest (their e-mail address): the text of the poster's last comment, and the
// time of the latest from them or their network (a second argument). A guest's are
// read from an index of guests' comments by address (comments_guest).
func repeatSQL(guest bool) (last, latest string) {
	who := "user_id = ?"
	if guest {
		who = "user_id IS NULL AND guest_email = ?"
	}
	return "SELECT body_src FROM comments WHERE " + who + " AND status <> 'deleted' ORDER BY created_at DESC, id DESC LIMIT 1",
		"SELECT coalesce(max(at), '') FROM (SELECT max(created_at) AS at FROM comments WHERE " + who +
			" UNION ALL SELECT max(created_at) FROM comment_networks WHERE network = ?) AS latest"
}

// Edit lets an author change their comment within EditWindow. The new text goes
// through the same checks and hold rules as a new comment.
func (cs *CommentStore) Edit(ctx context.Context, now time.Time, id int64, u User, body string) (Comment, error) {
	body, html, err := cs.Preview(body)
	if err != nil {
		return Comment{}, err
	}
	st, err := cs.s.Settings.Get(ctx)
	if err != nil {
		return Comment{}, err
	}
	err = cs.s.tx(ctx, func(tx *sql.Tx) error {
		c, err := scanComment(tx.QueryRowContext(ctx, "SELECT "+commentCols+commentFrom+" WHERE c.id = ?", id))
		if err != nil {
			return err
		}
		if !c.DeletableBy(&u) {
			return ErrNotFound
		}
		if !c.EditableBy(&u, now) {
			return ValidationError{"body": "Comments can be edited for 15 minutes after posting; this one can no longer be changed."}
		}
		trusted, err := hasApproved(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		reasons := holdReasons(st, false, u.IsStaff(), !trusted, body, string(html))
		status := CommentApproved
		if len(reasons) > 0 {
			status = CommentPending
		}
		_, err = tx.ExecContext(ctx, `UPDATE comments SET body_src = ?, body_html = ?, status = ?, held_reasons = ?, edited_at = ?
			WHERE id = ?`, body, string(html), status, strings.Join(reasons, ","), fmtTime(now), id)
		return err
	})
	if err != nil {
		return Comment{}, err
	}
	return cs.Get(ctx, id)
}

// DeleteOwn lets an author delete their comment. Replies stay, under "[comment deleted]".
func (cs *CommentStore) DeleteOwn(ctx context.Context, id, userID int64) error {
	res, err := cs.s.exec(ctx, `UPDATE comments SET status = 'deleted'
		WHERE id = ? AND user_id = ? AND status IN ('approved', 'pending')`, id, userID)
	return oneRow(res, err)
}

// Report flags a public comment for moderators. Reporting twice is harmless.
func (cs *CommentStore) Report(ctx context.Context, now time.Time, id, userID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > 500 {
		return ValidationError{"reason": "Keep the reason to 500 characters."}
	}
	res, err := cs.s.exec(ctx, `INSERT INTO comment_reports (comment_id, user_id, reason, created_at)
		SELECT id, ?, ?, ? FROM comments WHERE id = ? AND status = 'approved'
		ON CONFLICT (comment_id, user_id) DO UPDATE SET resolved = 0`, userID, reason, fmtTime(now), id)
	return oneRow(res, err)
}

// SetDiscussionOpen opens or closes an article's discussion. Closed discussions keep
// their comments on show but take no new ones.
func (cs *CommentStore) SetDiscussionOpen(ctx context.Context, articleID int64, open bool) error {
	res, err := cs.s.exec(ctx, "UPDATE articles SET comments_open = ? WHERE id = ?", open, articleID)
	return oneRow(res, err)
}

// keptRoot is the SQL test that top-level comment r leads a thread the viewer
// (parameter :viewer) sees: it is public or the viewer's own pending comment, or one
// of its replies is, which keeps r on show as a placeholder. It is the same rule as
// nest's pruning, asked of the thread index instead of the tree.
const keptRoot = `(r.status = 'approved' OR (r.status = 'pending' AND r.user_id = :viewer)
	OR EXISTS (SELECT 1 FROM comments x WHERE x.root_id = r.id
		AND (x.status = 'approved' OR (x.status = 'pending' AND x.user_id = :viewer))))`

// keptTotal counts the threads :viewer sees in article: the approved ones, counted by
// triggers (migration 0020), and the unapproved top-level comments that still stand
// for them, from an index of those alone, so that no count walks every thread.
func keptTotal(article string) string {
	return `(coalesce((SELECT d.threads FROM discussions d WHERE d.article_id = ` + article + `), 0)
		+ (SELECT count(*) FROM comments r INDEXED BY comments_unapproved_roots
			WHERE r.article_id = ` + article + ` AND r.parent_id IS NULL AND r.status <> 'approved' AND ` + keptRoot + `))`
}

// Thread returns one page of an article's discussion as viewerID sees it (0 for an
// anonymous reader), oldest thread first: ThreadIn in the default order.
func (cs *CommentStore) Thread(ctx context.Context, articleID, viewerID int64, p Page) (Paged[*Comment], error) {
	return cs.ThreadIn(ctx, articleID, viewerID, p, OrderOldest)
}

// ThreadIn returns one page of an article's discussion as viewerID sees it (0 for an
// anonymous reader): top-level threads in the given order, each with its replies
// nested beneath in order of posting, each comment with its score and the viewer's
// own vote. Paging is by top-level thread, so a thread never splits, and threads are
// numbered in order of posting whatever the order shown.
//
// One statement picks the page's threads (see threadOrder), reads the total from the
// kept count (keptTotal), counts what numbering needs (index-only scans, with a probe
// of the thread index only for a removed or pending top-level comment), and returns
// the page's threads whole. A page past the end costs a second statement, for the
// total its pager needs.
func (cs *CommentStore) ThreadIn(ctx context.Context, articleID, viewerID int64, p Page, order Order) (Paged[*Comment], error) {
	out, _, _, err := cs.threadPage(ctx, articleID, viewerID, p, order, nil)
	return out, err
}

// ThreadsRead is a page of threads as ThreadAgain read it, for the caller to keep and
// hand back when it reads the page again. It is never changed once made, so any number
// of readers may share it.
type ThreadsRead struct {
	version int64               // the discussion's version, read with it
	threads map[int64][]Comment // each thread's comments as read (not nested), by its top-level comment
	rows    int                 // the comments in threads
	read    int                 // the threads this reading read whole; the others came from the last
	size    int64
}

// Size is about the memory it holds, for a cache's budget.
func (r *ThreadsRead) Size() int64 { return r.size }

// ThreadAgain is ThreadIn for an anonymous reader, given the page as read the last
// time (nil for none): in the same one statement, the threads changed since (their
// thread_rev above the version last was read at, migration 0024) are read whole and
// the others are taken from last. On a busy story most of a page is as it was after a
// comment, and its rows were most of the statement's work. A page holding a thread
// last lacks (threads moved between pages), or a discussion older than last (a
// restored database), is read whole: one statement more.
func (cs *CommentStore) ThreadAgain(ctx context.Context, articleID int64, p Page, order Order, last *ThreadsRead) (Paged[*Comment], *ThreadsRead, error) {
	out, read, whole, err := cs.threadPage(ctx, articleID, 0, p, order, last)
	if err == nil && whole {
		out, read, _, err = cs.threadPage(ctx, articleID, 0, p, order, nil)
	}
	return out, read, err
}

// threadPage is ThreadIn and ThreadAgain: with last, it reads whole only the threads
// changed since last was read, or reports that the page must be read whole.
func (cs *CommentStore) threadPage(ctx context.Context, articleID, viewerID int64, p Page, order Order, last *ThreadsRead) (out Paged[*Comment], read *ThreadsRead, whole bool, err error) {
	ord, ok := threadOrder[order]
	if !ok {
		return out, nil, false, fmt.Errorf("unknown comment order %q", order)
	}
	seen := int64(-1) // every thread changed
	if last != nil {
		seen = last.version
	}
	var older int // with ord.counted: the numbered threads older than the page
	var number, vote int
	var thread, rev, version int64
	res, err := cs.s.R.QueryContext(ctx, `WITH page AS (`+ord.page+`)
		SELECT `+threadCols+`, page.id, page.rev, `+keptTotal(":article")+`, `+ord.number+`, coalesce(v.value, 0),
			coalesce((SELECT d.version FROM discussions d WHERE d.article_id = :article), 0)
		FROM page JOIN comments c ON c.id = page.id OR c.root_id = CASE WHEN page.rev > :seen THEN page.id END
			LEFT JOIN users u ON u.id = CASE WHEN page.rev > :seen THEN c.user_id END
			LEFT JOIN comment_votes v ON v.comment_id = c.id AND v.user_id = :viewer
		ORDER BY `+ord.rows, // a thread's rows together, in the page's order; nest orders its replies
		sql.Named("article", articleID), sql.Named("viewer", viewerID), sql.Named("offset", p.offset()), sql.Named("limit", p.limit()),
		sql.Named("seen", seen))
	if err != nil {
		return out, nil, false, err
	}
	defer res.Close()
	// Each row scans in place, into the list nest takes, made for the comments of the
	// last reading or a page of threads without replies (of up to 64: pages are 50).
	size := min(p.limit(), 64)
	if last != nil {
		size = last.rows + 8
	}
	rows := make([]Comment, 0, size)
	if viewerID == 0 { // what a later reading may reuse: the rows as no one in particular sees them
		read = &ThreadsRead{threads: map[int64][]Comment{}}
	}
	var sc commentScan
	extra := []any{intCol[int64]{&thread}, intCol[int64]{&rev}, intCol[int]{&out.Total}, intCol[int]{&number}, intCol[int]{&vote},
		intCol[int64]{&version}}
	for res.Next() {
		rows = append(rows, Comment{})
		c := &rows[len(rows)-1]
		if err := res.Scan(sc.into(c, extra...)...); err != nil {
			return out, nil, false, err
		}
		if ord.counted {
			older = number
		}
		if rev <= seen { // as last read it: its one row stands for the thread
			kept, ok := last.threads[thread]
			if !ok || version < last.version {
				return out, nil, true, nil
			}
			rows = append(rows[:len(rows)-1], kept...)
			read.threads[thread] = kept
			if !ord.counted {
				for i := len(rows) - len(kept); i < len(rows); i++ {
					if rows[i].ID == thread {
						rows[i].Number = number
					}
				}
			}
			continue
		}
		sc.finish(c)
		if !ord.counted && c.ParentID == 0 {
			c.Number = number
		}
		c.MyVote = vote
		if read != nil {
			read.threads[thread] = append(read.threads[thread], *c) // a copy: nest changes rows
			if c.ID == thread {
				read.read++
			}
		}
	}
	if err := res.Err(); err != nil {
		return out, nil, false, err
	}
	if read != nil {
		read.version = version
		for _, list := range read.threads {
			read.rows += len(list)
			for _, c := range list {
				read.size += int64(len(c.Name) + len(c.GuestEmail) + len(c.BodyHTML) + len(c.Status) + 256)
			}
		}
	}
	if len(rows) == 0 && p.Number > 1 {
		err := cs.s.R.QueryRowContext(ctx, "SELECT "+keptTotal(":article"),
			sql.Named("article", articleID), sql.Named("viewer", viewerID)).Scan(&out.Total)
		if err != nil {
			return out, nil, false, err
		}
	}
	out.setPage(p)
	if out.Pages == 0 {
		out.Pages = 1
	}
	out.Items = nest(rows, viewerID)
	if ord.counted {
		// Number the page's threads in order of posting, on from the ones older than it.
		// A top-level comment awaiting moderation is shown to its author unnumbered, so
		// the numbers its author sees agree with everyone else's.
		for i := range out.Items {
			r := out.Items[i]
			if ord.newestFirst {
				r = out.Items[len(out.Items)-1-i]
			}
			if !r.Pending() {
				older++
				r.Number = older
			}
		}
	}
	return out, read, false, nil
}

// HasTakenPart reports whether userID wrote any comment on articleID (in any state)
// or voted on one there: what makes a discussion look different to them than to
// other members (their controls, their pending comments, their votes pressed), so
// the page cache serves them the members' shared page only when it is false.
func (cs *CommentStore) HasTakenPart(ctx context.Context, articleID, userID int64) (bool, error) {
	var took bool
	err := cs.s.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM comments WHERE user_id = :user AND article_id = :article)
		OR EXISTS (SELECT 1 FROM comment_votes v JOIN comments c ON c.id = v.comment_id
			WHERE v.user_id = :user AND c.article_id = :article)`,
		sql.Named("user", userID), sql.Named("article", articleID)).Scan(&took)
	return took, err
}

// PageOf returns the page (of threads of size size) on which comment c appears to
// viewerID, so permalinks into long discussions keep working. A comment the viewer
// cannot see is ErrNotFound; a removed one is found while it stands as the
// placeholder above replies the viewer sees.
//
// The page follows from the number of threads the viewer sees before c's thread:
// all the threads they see (a count kept by triggers, plus the few unapproved
// top-level comments they may see) less those from c's thread on. Counting from c's
// thread forward costs nothing for a comment just posted, whatever the size of the
// discussion; a permalink deep in the past counts from the start instead (the
// forward count stops at pageOfScan). The forward count is two index ranges, the
// threads of later seconds and those of c's own second from c's thread on: as one
// comparison of (created_at, id) pairs, SQLite walked every thread started in that
// second, which under a comment storm is a thousand. A comment the viewer cannot read
// costs a walk down its replies.
func (cs *CommentStore) PageOf(ctx context.Context, c Comment, viewerID int64, size int) (int, error) {
	// The comment's status is read here rather than taken from c, which may be older
	// than a moderator's last decision.
	var shown bool
	var total, from int
	err := cs.s.R.QueryRowContext(ctx, `SELECT c.status = 'approved' OR (c.status = 'pending' AND c.user_id = :viewer),
			`+keptTotal("c.article_id")+`,
			(SELECT count(*) FROM (SELECT 1 FROM comments t JOIN comments r INDEXED BY comments_roots
				ON r.article_id = t.article_id AND r.parent_id IS NULL AND r.created_at > t.created_at
			WHERE t.id = coalesce(c.root_id, c.id) AND `+keptRoot+` LIMIT :scan) AS later)
			+ (SELECT count(*) FROM (SELECT 1 FROM comments t JOIN comments r INDEXED BY comments_roots
				ON r.article_id = t.article_id AND r.parent_id IS NULL AND r.created_at = t.created_at AND r.id >= t.id
			WHERE t.id = coalesce(c.root_id, c.id) AND `+keptRoot+` LIMIT :scan) AS same)
		FROM comments c WHERE c.id = :id`, sql.Named("id", c.ID), sql.Named("viewer", viewerID),
		sql.Named("scan", cs.pageOfScan)).Scan(&shown, &total, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err == nil && !shown {
		err = cs.s.R.QueryRowContext(ctx, `WITH RECURSIVE down(id) AS (
				SELECT id FROM comments WHERE parent_id = :id
				UNION ALL SELECT k.id FROM comments k JOIN down ON k.parent_id = down.id)
			SELECT EXISTS (SELECT 1 FROM down JOIN comments x ON x.id = down.id
				WHERE x.status = 'approved' OR (x.status = 'pending' AND x.user_id = :viewer))`,
			sql.Named("id", c.ID), sql.Named("viewer", viewerID)).Scan(&shown)
	}
	if err != nil {
		return 0, err
	}
	if !shown {
		return 0, ErrNotFound
	}
	before := total - from
	if from >= cs.pageOfScan {
		err = cs.s.R.QueryRowContext(ctx, `SELECT count(*) FROM comments t JOIN comments r INDEXED BY comments_roots
				ON r.article_id = t.article_id AND r.parent_id IS NULL AND (r.created_at, r.id) < (t.created_at, t.id)
			WHERE t.id = (SELECT coalesce(root_id, id) FROM comments WHERE id = :id) AND `+keptRoot,
			sql.Named("id", c.ID), sql.Named("viewer", viewerID)).Scan(&before)
		if err != nil {
			return 0, err
		}
	}
	return before/size + 1, nil
}

// visibleTo reports whether viewerID (0 for an anonymous reader) may read c's text:
// public comments, and their own comments awaiting moderation.
func visibleTo(c *Comment, viewerID int64) bool {
	return c.Status == CommentApproved || (c.Status == CommentPending && viewerID != 0 && c.UserID == viewerID)
}

// nest nests a page's comments into threads and shapes them for viewerID: approved
// comments, the viewer's own pending ones, and placeholders for removed comments
// that still have visible replies. Removed comments lose their text here, so no
// template can show it by mistake. Top-level comments keep their order in list;
// replies are put in order of posting.
func nest(list []Comment, viewerID int64) []*Comment {
	byID := make(map[int64]*Comment, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	// Link in a second pass, so a reply finds its parent whatever order the rows come in
	// (imported comments may carry a reply dated before its parent).
	var roots []*Comment
	for i := range list {
		c := &list[i]
		if p, ok := byID[c.ParentID]; ok {
			p.Replies = append(p.Replies, c)
		} else {
			roots = append(roots, c)
		}
	}
	var prune func(cs []*Comment, depth int) []*Comment
	prune = func(list []*Comment, depth int) []*Comment {
		kept := list[:0]
		for _, c := range list {
			c.Depth = depth
			// Replies in order of posting. Here rather than in ThreadIn's SQL: ordering
			// within threads there made SQLite sort every row of the page, a sixth of
			// the statement's time, where the threads alone come in order off the index.
			slices.SortFunc(c.Replies, func(a, b *Comment) int {
				return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
			})
			c.Replies = prune(c.Replies, depth+1)
			if !visibleTo(c, viewerID) {
				if len(c.Replies) == 0 {
					continue
				}
				c.Removed, c.Name, c.BodySrc, c.BodyHTML, c.GuestEmail = true, "", "", "", ""
			}
			kept = append(kept, c)
		}
		return kept
	}
	return prune(roots, 1)
}

// Recent returns an article's latest approved comments, newest first, for its feed.
func (cs *CommentStore) Recent(ctx context.Context, articleID int64, n int) ([]Comment, error) {
	return cs.list(ctx, "SELECT "+commentCols+commentFrom+
		" WHERE c.article_id = ? AND c.status = 'approved' ORDER BY c.created_at DESC, c.id DESC LIMIT ?", articleID, n)
}
