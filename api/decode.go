package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// Body size limits. Organization bodies carry four base64 images.
const (
	defaultMaxBody      = 4 << 20
	organizationMaxBody = 16 << 20
)

// decode reads a JSON object body into v. Malformed JSON and wrong types are
// 422 with the location of the problem, as FastAPI reports them; a body over
// the limit is 413.
func decode(r *http.Request, v any, maxBody int64) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return amigo.Errorf(amigo.ETOOLARGE, "The request body exceeds the limit of %d bytes.", maxBody)
	} else if err != nil {
		return amigo.Errorf(amigo.EBADREQUEST, "Cannot read the request body.")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return amigo.Invalid(amigo.FieldError{Loc: []any{"body"}, Msg: "Field required", Type: "missing"})
	}
	if err := json.Unmarshal(body, v); err != nil {
		return jsonError(err)
	}
	return nil
}

// jsonError converts a decoding error to a located validation error.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return amigo.Invalid(amigo.FieldError{Loc: []any{"body", int(syntax.Offset)}, Msg: "JSON decode error: " + syntax.Error(), Type: "json_invalid"})
	case errors.As(err, &typ):
		loc := []any{"body"}
		if typ.Field != "" {
			for _, part := range strings.Split(typ.Field, ".") {
				if i, err := strconv.Atoi(part); err == nil {
					loc = append(loc, i)
				} else {
					loc = append(loc, part)
				}
			}
		}
		msg := fmt.Sprintf("Input should be a valid %s", typeName(typ.Type.Kind().String()))
		if len(loc) == 1 {
			msg = "Input should be a valid object"
		}
		return amigo.Invalid(amigo.FieldError{Loc: loc, Msg: msg, Type: "type_error"})
	default:
		return amigo.Invalid(amigo.FieldError{Loc: []any{"body"}, Msg: "JSON decode error: " + err.Error(), Type: "json_invalid"})
	}
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "object"
	case "float64", "float32":
		return "number"
	default:
		return "integer"
	}
}
