package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// checkErrorBody checks the FastAPI-style error body that the spec implies
// but does not describe: {"detail": "a sentence"}, or for 422 also
// {"detail": [{"loc": [...], "msg": "...", "type": "..."}, ...]}.
func checkErrorBody(e *Error, status int, header http.Header, body []byte) {
	want := `{"detail": string}`
	if status == http.StatusUnprocessableEntity {
		want = `{"detail": string} or {"detail": [{"loc", "msg", "type"}, ...]}`
	}
	if len(bytes.TrimSpace(body)) == 0 {
		e.addf("empty error body; want %s", want)
		return
	}
	if ct := header.Get("Content-Type"); !isJSON(ct) {
		e.addf("error body has Content-Type %q; want application/json", ct)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || dec.More() {
		e.addf("error body is not one JSON value; want %s", want)
		return
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		e.addf("error body is %s; want %s", jsonKind(doc), want)
		return
	}
	switch detail := obj["detail"].(type) {
	case string:
		if strings.TrimSpace(detail) == "" {
			e.addf(`error "detail" is an empty string`)
		}
	case []any:
		if status != http.StatusUnprocessableEntity {
			e.addf(`error "detail" is a list; only 422 may carry one, want %s`, want)
			return
		}
		checkValidationItems(e, detail)
	default:
		e.addf(`error "detail" is %s; want %s`, jsonKind(obj["detail"]), want)
	}
}

// checkValidationItems checks a 422 detail list: at least one item, each
// with "loc" (strings and integers), "msg" and "type" (strings).
func checkValidationItems(e *Error, items []any) {
	if len(items) == 0 {
		e.addf(`422 "detail" is an empty list; want at least one {"loc", "msg", "type"}`)
	}
	for i, item := range items {
		obj, ok := item.(map[string]any)
		if !ok {
			e.addf(`422 detail[%d] is %s; want {"loc", "msg", "type"}`, i, jsonKind(item))
			continue
		}
		if loc, ok := obj["loc"].([]any); !ok {
			e.addf(`422 detail[%d].loc is %s; want a list of strings and integers`, i, jsonKind(obj["loc"]))
		} else {
			for j, part := range loc {
				if !isStringOrInteger(part) {
					e.addf(`422 detail[%d].loc[%d] is %s; want a string or an integer`, i, j, jsonKind(part))
				}
			}
		}
		for _, key := range []string{"msg", "type"} {
			if _, ok := obj[key].(string); !ok {
				e.addf(`422 detail[%d].%s is %s; want a string`, i, key, jsonKind(obj[key]))
			}
		}
	}
}

// isJSON reports whether a Content-Type header names application/json.
func isJSON(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/json"
}

func isStringOrInteger(v any) bool {
	switch v := v.(type) {
	case string:
		return true
	case json.Number:
		_, err := v.Int64()
		return err == nil
	}
	return false
}

// jsonKind names the JSON type of a value decoded with UseNumber, for
// error messages.
func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null or missing"
	case string:
		return "a string"
	case json.Number:
		return fmt.Sprintf("the number %s", v)
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
