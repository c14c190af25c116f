package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"broadsheet/models"
)

// Routes returns the whole site as one http.Handler: every route in one list,
// behind the cross-origin check that refuses forged form posts.
func (a *App) Routes() http.Handler {
	e := a.router()
	csrf := http.NewCrossOriginProtection()
	// One-click unsubscribe (RFC 8058) is a POST from the reader's mail service, from
	// anywhere; the signed token in its address, not a cookie, is what authorises it.
	csrf.AddInsecureBypassPattern("POST /unsubscribe")
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.errorPage(w, r, nil, http.StatusForbidden, "This form was sent from another site, so we refused it. Go back, reload the page and try again.")
	}))
	return a.hitLane(csrf.Handler(headAsGet(e)))
}

// router builds the Echo router itself; tests walk its registered routes.
func (a *App) router() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError
	e.IPExtractor = a.ipExtractor()

	// Order matters: the log line sees the status the error handler chose and any panic;
	// the page cache answers anonymous readers before compression (its pages are
	// compressed once, when stored) and before the session is looked at.
	// Bodies are limited last, once the user is known, so a refused comment can be
	// shown again in its article as its writer sees it.
	e.Use(a.baseHeaders, a.logRequests, a.recoverPanics(), a.servePages, compress(), a.loadUser, a.cacheHeaders, a.limitBody)
	search, feed := a.rateLimit("search"), a.rateLimit("feed")

	// Public, cacheable pages.
	e.GET("/", a.homeShow, a.legacyPostID)
	e.GET("/articles/:slug", a.articleShow)
	e.GET("/articles/:slug/comments.rss", a.commentFeedShow("rss"), feed)
	e.GET("/articles/:slug/comments.atom", a.commentFeedShow("atom"), feed)
	e.GET("/comments/:id", a.commentShow)
	e.GET("/section/:slug", a.sectionShow)
	e.GET("/tag/:slug", a.tagShow)
	e.GET("/author/:slug", a.authorShow)
	e.GET("/search", a.searchShow, search)
	e.GET("/live/:slug", a.liveStream) // a live story's event stream; never cached (pagecache.go)
	e.GET("/corrections", a.correctionsShow)

	// Feeds, sitemaps and robots.txt.
	e.GET("/feed.rss", a.feedShow("rss", a.siteFeed), feed)
	e.GET("/feed.atom", a.feedShow("atom", a.siteFeed), feed)
	e.GET("/section/:slug/feed.rss", a.feedShow("rss", a.sectionFeed), feed)
	e.GET("/section/:slug/feed.atom", a.feedShow("atom", a.sectionFeed), feed)
	e.GET("/tag/:slug/feed.rss", a.feedShow("rss", a.tagFeed), feed)
	e.GET("/tag/:slug/feed.atom", a.feedShow("atom", a.tagFeed), feed)
	e.GET("/author/:slug/feed.rss", a.feedShow("rss", a.authorFeed), feed)
	e.GET("/author/:slug/feed.atom", a.feedShow("atom", a.authorFeed), feed)
	e.GET("/corrections/feed.rss", a.correctionFeedShow("rss"), feed)
	e.GET("/corrections/feed.atom", a.correctionFeedShow("atom"), feed)
	e.GET("/sitemap.xml", a.sitemapIndexShow)
	e.GET("/sitemaps/:file", a.sitemapShow)
	e.GET("/sitemap-news.xml", a.newsSitemapShow)
	e.GET("/robots.txt", a.robotsShow)
	e.GET("/static/*", a.staticShow)
	e.GET("/media/:file", a.mediaShow)
	e.GET("/healthz", a.healthShow)
	e.GET("/readyz", a.readyShow)
	e.GET("/metrics", a.metricsShow)

	// Accounts.
	e.GET("/login", a.loginForm)
	e.POST("/login", a.loginSubmit, a.rateLimit("login"))
	e.POST("/logout", a.logoutSubmit)
	e.GET("/signup", a.signupForm)
	e.POST("/signup", a.signupSubmit)
	e.GET("/signup/confirm", a.signupConfirmForm)
	e.POST("/signup/confirm", a.signupConfirmSubmit)
	e.GET("/password/forgot", a.passwordForgotForm)
	e.POST("/password/forgot", a.passwordForgotSubmit)
	e.GET("/password/reset", a.passwordResetForm)
	e.POST("/password/reset", a.passwordResetSubmit)
	e.GET("/account", a.accountShow, a.requireLogin)
	e.POST("/account/password", a.passwordSubmit, a.requireLogin)
	e.POST("/account/sessions/end", a.sessionsEnd, a.requireLogin)
	e.POST("/account/notifications", a.notificationsSubmit, a.requireLogin)
	e.GET("/account/data", a.accountData, a.requireLogin)
	e.POST("/account/delete", a.accountDelete, a.requireLogin)
	e.GET("/unsubscribe", a.unsubscribeForm)
	e.POST("/unsubscribe", a.unsubscribeSubmit)

	// Discussion. Posting checks login itself, since sites may allow guest comments.
	e.POST(commentRoute, a.commentCreate, a.rateLimit("comment"))
	e.POST(commentPreviewRoute, a.commentPreview)
	e.GET("/comments/:id/edit", a.commentEditForm, a.requireLogin)
	e.POST("/comments/:id/edit", a.commentEditSubmit, a.requireLogin)
	e.POST("/comments/:id/delete", a.commentDelete, a.requireLogin)
	e.POST("/comments/:id/report", a.commentReport, a.requireLogin, a.rateLimit("report"))
	e.POST("/comments/:id/vote", a.commentVote, a.requireLogin, a.rateLimit("vote"))

	// The newsroom. Every route names the roles it admits; the route-table test
	// fails if a route here has no row saying who may use it.
	writers := a.requireRole(models.RoleAdmin, models.RoleEditor, models.RoleAuthor)
	editors := a.requireRole(models.RoleAdmin, models.RoleEditor)
	admins := a.requireRole(models.RoleAdmin)
	adm := e.Group("/admin")
	adm.GET("", a.dashboardShow, writers)
	adm.GET("/articles", a.adminArticleList, writers)
	adm.GET("/articles/new", a.adminArticleNew, writers)
	adm.POST("/articles", a.adminArticleCreate, writers)
	adm.POST("/articles/bulk", a.adminArticleBulk, editors)
	adm.POST("/autosave", a.adminAutosave, writers)
	adm.GET("/articles/:id", a.adminArticleEdit, writers)
	adm.POST("/articles/:id", a.adminArticleUpdate, writers)
	adm.GET("/articles/:id/preview", a.adminArticlePreview, writers)
	adm.POST("/articles/:id/delete", a.adminArticleDelete, editors)
	adm.GET("/articles/:id/revisions", a.adminRevisionList, writers)
	adm.POST("/articles/:id/restore", a.adminRevisionRestore, writers)
	adm.GET("/articles/:id/live", a.adminLiveDesk, editors)
	adm.POST("/articles/:id/live", a.adminLiveStart, editors)
	adm.POST("/articles/:id/live/close", a.adminLiveClose, editors)
	adm.POST("/articles/:id/live/entries", a.adminLiveEntryCreate, editors)
	adm.GET("/articles/:id/live/entries/:entry", a.adminLiveEntryEdit, editors)
	adm.POST("/articles/:id/live/entries/:entry", a.adminLiveEntryUpdate, editors)
	adm.POST("/articles/:id/live/entries/:entry/delete", a.adminLiveEntryDelete, editors)
	adm.POST("/articles/:id/corrections", a.adminCorrectionFile, editors)
	adm.POST("/corrections/:id", a.adminCorrectionAmend, editors)
	adm.GET("/media", a.adminMediaList, writers)
	adm.POST("/media", a.adminMediaUpload, writers)
	adm.POST("/media/:id", a.adminMediaUpdate, writers)
	adm.POST("/media/:id/delete", a.adminMediaDelete, editors)
	adm.GET("/sections", a.adminSectionList, editors)
	adm.POST("/sections", a.adminSectionCreate, editors)
	adm.POST("/sections/:id", a.adminSectionUpdate, editors)
	adm.POST("/sections/:id/move", a.adminSectionMove, editors)
	adm.GET("/front", a.adminFrontShow, editors)
	adm.POST("/front", a.adminFrontPick, editors)
	adm.POST("/front/:id/move", a.adminFrontMove, editors)
	adm.POST("/front/:id/remove", a.adminFrontRemove, editors)
	adm.GET("/users", a.adminUserList, admins)
	adm.POST("/users", a.adminUserCreate, admins)
	adm.POST("/users/:id/role", a.adminUserRole, admins)
	adm.POST("/users/:id/deactivate", a.adminUserDeactivate, admins)
	adm.POST("/users/:id/password", a.adminUserPassword, admins)
	adm.GET("/comments", a.adminModerationQueue, editors)
	adm.POST("/comments/bulk", a.adminCommentBulk, editors)
	adm.POST("/comments/:id/edit", a.adminCommentEdit, editors)
	adm.GET("/comments/:id/votes", a.adminCommentVoters, editors)
	adm.POST("/comments/:id/:action", a.adminCommentAction, editors)
	adm.POST("/users/:id/block", a.adminUserBlock, editors)
	adm.GET("/settings", a.adminSettingsForm, admins)
	adm.POST("/settings", a.adminSettingsSave, admins)
	adm.GET("/debug/pprof/*", pprofHandler(), admins)

	e.RouteNotFound("/*", a.notFound)
	return e
}
