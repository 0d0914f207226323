package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/console"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/forwarded"
)

// newConsole builds the web console on the runtime's API: the console
// acts through the API's handler and asks core only who a token's caller
// is.
func newConsole(rt *Runtime) (*console.Console, error) {
	api := rt.API.Handler()
	proxies, err := forwarded.Parse(rt.Config.TrustedProxies)
	if err != nil {
		return nil, err
	}
	httpsBase := strings.HasPrefix(rt.Config.BaseURL, "https://")
	return console.New(console.Options{API: api, Logger: rt.Logger,
		Authenticate: func(ctx context.Context, token, org string) (*amigo.Caller, error) {
			return rt.App.Authenticate(ctx, core.Credentials{Bearer: token, Console: true}, org)
		},
		SignOut: rt.App.SignOut,
		HTTPS:   func(r *http.Request) bool { return httpsBase || proxies.HTTPS(r) },
	})
}

// Handler serves the API and, under /console/, the web console. The split
// is a prefix test, not a ServeMux: a mux would clean and redirect the
// API's paths before the API could refuse them.
func (rt *Runtime) Handler() http.Handler {
	api := rt.API.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/console/") {
			rt.Console.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
