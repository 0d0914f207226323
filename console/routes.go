package console

import (
	"io/fs"
	"net/http"
)

// routes registers every console page. Assets live under /console/-/,
// which no organization id can be. Pages are GETs; every change is a
// POST of a form carrying the CSRF token.
func (c *Console) routes() {
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET /console/-/static/", http.StripPrefix("/console/-/static/", cacheFor(http.FileServerFS(static))))

	c.mux.HandleFunc("GET /console/{org}/{$}", c.public(c.signInPage))
	c.mux.HandleFunc("POST /console/{org}/signin", c.public(c.signIn))
	c.mux.HandleFunc("POST /console/{org}/signout", c.public(c.signOut))
	c.mux.HandleFunc("GET /console/{org}/image/{name}", c.public(c.image))

	c.mux.HandleFunc("GET /console/{org}/home", c.private(c.home))
	c.mux.HandleFunc("GET /console/{org}/onboarding", c.private(c.onboarding))
	c.mux.HandleFunc("POST /console/{org}/onboarding", c.private(c.finishOnboarding))

	c.mux.HandleFunc("GET /console/{org}/agents", c.private(c.agents))
	c.mux.HandleFunc("GET /console/{org}/agents/{id}", c.private(c.agent))
	c.mux.HandleFunc("POST /console/{org}/agents/{id}/deprecate", c.private(c.deprecateAgent))
	c.mux.HandleFunc("GET /console/{org}/state-machines", c.private(c.stateMachines))
	c.mux.HandleFunc("GET /console/{org}/state-machines/{id}", c.private(c.stateMachine))
	c.mux.HandleFunc("POST /console/{org}/state-machines/{id}/deprecate", c.private(c.deprecateStateMachine))
	c.mux.HandleFunc("GET /console/{org}/services", c.private(c.services))
	c.mux.HandleFunc("GET /console/{org}/services/{id}", c.private(c.service))
	// Promote and rollback: a GET shows the confirmation with the diff,
	// the POST it carries performs the change.
	c.mux.HandleFunc("GET /console/{org}/services/{id}/version-sets/{name}/promote", c.private(c.confirmPromote))
	c.mux.HandleFunc("POST /console/{org}/services/{id}/version-sets/{name}/promote", c.private(c.promote))
	c.mux.HandleFunc("GET /console/{org}/services/{id}/version-sets/{name}/rollback", c.private(c.confirmRollback))
	c.mux.HandleFunc("POST /console/{org}/services/{id}/version-sets/{name}/rollback", c.private(c.rollback))
	// Try it: the chat page, and the endpoints its script calls, which act
	// through the API with the session's identity (POSTs check CSRF).
	c.mux.HandleFunc("GET /console/{org}/services/{id}/chat", c.private(c.chat))
	c.mux.HandleFunc("POST /console/{org}/services/{id}/chat", c.private(c.startChat))
	c.mux.HandleFunc("POST /console/{org}/conversations/{cid}/interact", c.private(c.interact))
	c.mux.HandleFunc("POST /console/{org}/conversations/{cid}/finish", c.private(c.finishChat))
	c.mux.HandleFunc("GET /console/{org}/conversations/{cid}/interactions/{iid}/insights", c.private(c.insightsJSON))
	c.mux.HandleFunc("GET /console/{org}/conversations/{cid}/interactions/{iid}/recommend", c.private(c.recommendJSON))
	c.mux.HandleFunc("GET /console/{org}/services/{id}/conversations", c.private(c.conversations))
	c.mux.HandleFunc("GET /console/{org}/conversations/{cid}", c.private(c.conversation))
	c.mux.HandleFunc("POST /console/{org}/conversations/{cid}/tags", c.private(c.editTags))
	c.mux.HandleFunc("GET /console/{org}/api-keys", c.private(c.apiKeys))
	c.mux.HandleFunc("POST /console/{org}/api-keys", c.private(c.createAPIKey))
	c.mux.HandleFunc("POST /console/{org}/api-keys/{id}/revoke", c.private(c.revokeAPIKey))
	c.mux.HandleFunc("GET /console/{org}/users", c.private(c.users))
	c.mux.HandleFunc("POST /console/{org}/users", c.private(c.inviteUser))
	c.mux.HandleFunc("POST /console/{org}/users/{id}/role", c.private(c.setUserRole))
	c.mux.HandleFunc("POST /console/{org}/users/{id}/delete", c.private(c.deleteUser))
	c.mux.HandleFunc("GET /console/{org}/changes", c.private(c.changes))
}

// cacheFor lets browsers keep the embedded assets for an hour: they change
// only with the binary.
func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
