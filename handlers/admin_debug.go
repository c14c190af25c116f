package handlers

import (
	"net/http"
	"net/http/pprof"

	"github.com/labstack/echo/v4"
)

// pprofHandler serves Go's profiles (CPU, heap, goroutines, traces) under
// /admin/debug/pprof/ to administrators, for finding what a live server spends its
// time and memory on: `go tool pprof URL` with an administrator's cookie, or the index
// page in a browser. The mux is built once; its handlers expect /debug/pprof/ paths.
func pprofHandler() echo.HandlerFunc {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return echo.WrapHandler(http.StripPrefix("/admin", mux))
}
