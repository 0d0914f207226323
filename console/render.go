package console

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// parsePages parses every page with the layout it is drawn in and the
// parts pages share (the files named _*.html).
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimPrefix(name, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", name)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// page is what the layout draws around a page's own data.
type page struct {
	Org      string
	OrgURL   string
	CSRF     string
	Title    string
	SignedIn bool
	UserID   string
	Nav      []navItem
	Data     any
}

type navItem struct {
	Label, Href string
	Current     bool
}

// nav lists the pages the caller may see: a page whose listing the caller
// may not read is not offered.
func nav(v *visit, title string) []navItem {
	items := []struct {
		label, path, perm string
	}{
		{"Agents", "agents", amigo.PermGetAgent},
		{"State machines", "state-machines", amigo.PermGetStateMachine},
		{"Services", "services", amigo.PermGetService},
		{"API keys", "api-keys", amigo.PermGetAPIKey},
		{"Users", "users", amigo.PermGetUserInfo},
		{"Change log", "changes", amigo.PermGetChangeLog},
	}
	var out []navItem
	for _, it := range items {
		if v.session.can(it.perm) {
			out = append(out, navItem{Label: it.label, Href: v.orgURL(it.path), Current: it.label == title})
		}
	}
	return out
}

// render draws a page into a buffer first, so a template failure is a
// clean 500 rather than half a page.
func (c *Console) render(w http.ResponseWriter, v *visit, status int, name, title string, data any) {
	p := page{Org: v.org, OrgURL: v.orgURL(""), CSRF: v.csrf, Title: title, Data: data}
	if v.session != nil {
		p.SignedIn, p.UserID, p.Nav = true, v.session.caller.UserID, nav(v, title)
	}
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		c.logger.Error("console template", "page", name, "err", err)
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages show the caller's data; keep them out of shared caches and
	// the back-forward cache after sign-out.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
