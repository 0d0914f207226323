package api

import (
	"html/template"
	"net/http"
	"strings"
)

// GET / tells whoever finds the server where to go: the API reference, the
// OpenAPI document and the console. Browsers get a small page of links,
// other clients JSON.

// rootIndex is the answer of GET / as JSON.
type rootIndex struct {
	Name    string `json:"name"`
	Docs    string `json:"docs"`
	OpenAPI string `json:"openapi"`
	Console string `json:"console"`
	API     string `json:"api"`
}

var index = rootIndex{
	Name:    "amigo-server",
	Docs:    "/docs",
	OpenAPI: "/openapi.json",
	Console: "/console/{organization}/",
	API:     "/v1/{organization}/",
}

var rootPage = template.Must(template.New("root").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}}</title></head>
<body><h1>{{.Name}}</h1>
<p>The Amigo Classic API control plane. The API is under <code>{{.API}}</code>.</p>
<ul>
<li><a href="{{.Docs}}">API reference</a> (<a href="{{.OpenAPI}}">OpenAPI document</a>)</li>
<li>Web console: <code>{{.Console}}</code>, e.g. <code>/console/acme/</code></li>
</ul></body></html>
`))

func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	if !strings.Contains(r.Header.Get("Accept"), "text/html") {
		writeJSON(w, http.StatusOK, index)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	if err := rootPage.Execute(w, index); err != nil {
		s.logger.WarnContext(r.Context(), "root page", "err", err)
	}
}
