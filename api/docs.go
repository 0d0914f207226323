package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// GET /docs renders the server's OpenAPI document (openapi.go) as one
// self-contained page: the template and its CSS are embedded in the binary
// and the page loads nothing else, so it works offline and behind any
// content security policy.

//go:embed docs/docs.html docs/docs.css
var docsFiles embed.FS

var docsTemplate = template.Must(template.ParseFS(docsFiles, "docs/docs.html"))

type docsPage struct {
	Title, Description string
	CSS                template.CSS
	Groups             []docsGroup
	Schemas            []docsSchema
}

type docsGroup struct {
	Tag        string
	Operations []docsOperation
}

type docsOperation struct {
	ID, Method, Path, Summary, Auth, Limit string
	Extension                              bool
	Permissions                            [][]string
	Parameters                             []docsParameter
	Request                                template.HTML
	Responses                              []docsResponse
}

type docsParameter struct {
	Name, In, Description string
	Type                  template.HTML
	Required              bool
}

type docsResponse struct {
	Status      string
	Body        template.HTML
	Description string
}

type docsSchema struct {
	Name, Description string
	Type              template.HTML
	Fields            []docsField
}

type docsField struct {
	Name     string
	Type     template.HTML
	Required bool
}

// authText says in words how an operation authenticates.
var authText = map[string]string{
	"user":                             "Bearer token (Authorization: Bearer …, from sign-in-with-api-key)",
	"client address":                   "none; a Bearer token shows more",
	"API key, user and client address": "the x-api-key, x-api-key-id and x-user-id headers",
}

// newDocsPage lays the document out by tag, in the operations table's order.
func newDocsPage(doc *openAPIDoc, ops []*operation) docsPage {
	css, _ := docsFiles.ReadFile("docs/docs.css")
	page := docsPage{Title: doc.Info.Title, Description: doc.Info.Description, CSS: template.CSS(css)}
	for _, tag := range doc.Tags {
		g := docsGroup{Tag: tag.Name}
		for _, op := range ops {
			d := doc.Paths[op.Path][strings.ToLower(op.Method)]
			if d == nil || d.Tags[0] != tag.Name {
				continue
			}
			g.Operations = append(g.Operations, docsOp(op, d))
		}
		page.Groups = append(page.Groups, g)
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		page.Schemas = append(page.Schemas, docsSchemaOf(name, doc.Components.Schemas[name]))
	}
	return page
}

func docsOp(op *operation, d *docOperation) docsOperation {
	o := docsOperation{ID: op.ID, Method: op.Method, Path: op.Path, Summary: d.Summary, Extension: d.Extension,
		Auth: authText[d.RateLimit.Per], Permissions: d.Permissions,
		Limit: fmt.Sprintf("%d requests per %s per %s", d.RateLimit.Requests, d.RateLimit.Window, d.RateLimit.Per)}
	for _, p := range d.Parameters {
		o.Parameters = append(o.Parameters, docsParameter{Name: p.Name, In: p.In, Description: p.Description, Required: p.Required, Type: typeHTML(p.Schema)})
	}
	if d.RequestBody != nil {
		o.Request = typeHTML(d.RequestBody.Content["application/json"].Schema)
	}
	for _, code := range slices.Sorted(maps.Keys(d.Responses)) {
		resp := d.Responses[code]
		var bodies []string
		for _, media := range slices.Sorted(maps.Keys(resp.Content)) {
			bodies = append(bodies, template.HTMLEscapeString(media)+": "+string(typeHTML(resp.Content[media].Schema)))
		}
		body := strings.Join(bodies, "<br>")
		if body == "" {
			body = "none"
		}
		o.Responses = append(o.Responses, docsResponse{Status: code, Body: template.HTML(body), Description: resp.Description})
	}
	return o
}

func docsSchemaOf(name string, s *schema) docsSchema {
	ds := docsSchema{Name: name, Description: s.Description, Type: typeHTML(s)}
	for _, f := range slices.Sorted(maps.Keys(s.Properties)) {
		ds.Fields = append(ds.Fields, docsField{Name: f, Type: typeHTML(s.Properties[f]), Required: slices.Contains(s.Required, f)})
	}
	return ds
}

// typeHTML writes a schema in words, references as links to their schema
// on the page; every text it includes is escaped.
func typeHTML(s *schema) template.HTML {
	if s == nil {
		return "any"
	}
	var b strings.Builder
	writeType(&b, s)
	return template.HTML(b.String())
}

func writeType(b *strings.Builder, s *schema) {
	esc := template.HTMLEscapeString
	switch {
	case s.Ref != "":
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		fmt.Fprintf(b, `<a href="#schema-%s">%s</a>`, esc(name), esc(name))
	case len(s.AnyOf) > 0:
		for i, alt := range s.AnyOf {
			if i > 0 {
				b.WriteString(" | ")
			}
			writeType(b, alt)
		}
	case s.Type == "array" && len(s.PrefixItems) > 0:
		b.WriteString("[")
		for i, item := range s.PrefixItems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeType(b, item)
		}
		b.WriteString("]")
	case s.Type == "array":
		b.WriteString("list of ")
		writeType(b, s.Items)
	case s.Type == "object" && s.AdditionalProperties != nil:
		b.WriteString("map of string to ")
		writeType(b, s.AdditionalProperties)
	case s.Type == "":
		b.WriteString("any")
	default:
		b.WriteString(esc(s.Type))
	}
	var notes []string
	if s.Const != "" {
		notes = append(notes, "= "+strconv.Quote(s.Const))
	}
	if s.Format != "" {
		notes = append(notes, s.Format)
	}
	if len(s.Enum) > 0 {
		notes = append(notes, "one of "+strings.Join(s.Enum, ", "))
	}
	if s.Pattern != "" {
		notes = append(notes, "pattern "+s.Pattern)
	}
	if s.Minimum != nil {
		notes = append(notes, "≥ "+strconv.Itoa(*s.Minimum))
	}
	if s.ExclusiveMinimum != nil {
		notes = append(notes, "> "+strconv.Itoa(*s.ExclusiveMinimum))
	}
	if s.Maximum != nil {
		notes = append(notes, "≤ "+strconv.Itoa(*s.Maximum))
	}
	if s.Default != nil {
		notes = append(notes, fmt.Sprintf("default %v", s.Default))
	}
	if len(s.Required) > 0 && len(s.AnyOf) > 0 {
		notes = append(notes, "requires "+strings.Join(s.Required, ", "))
	}
	if len(notes) > 0 {
		b.WriteString(" <small>(" + esc(strings.Join(notes, "; ")) + ")</small>")
	}
}

// docsHTML is the rendered page, built once.
var docsHTML = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, newDocsPage(buildOpenAPI(operations), operations)); err != nil {
		panic(fmt.Sprintf("docs: %v", err))
	}
	return buf.Bytes()
})

func (s *Server) serveDocs(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Write(docsHTML())
}
