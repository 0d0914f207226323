package api

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

// interactMaxBody bounds interact-with-conversation's form: a message and
// its external events, with room for the multipart framing.
const interactMaxBody = 4 << 20

// streamQuery is the query of create-conversation and
// interact-with-conversation.
type streamQuery struct {
	// actions selects the current-agent-action events by their type; nil
	// (the default, "^.*$") selects every one without compiling a pattern
	// for each stream.
	actions *regexp.Regexp
}

// showsAction reports whether the query selects actions of type typ.
func (q *streamQuery) showsAction(typ string) bool {
	return q.actions == nil || q.actions.MatchString(typ)
}

// parseStreamQuery reads response_format (and request_format for
// interact), which only "text" passes, and current_agent_action_type. A
// malformed query is a 422; a voice format, which this server cannot
// serve, a 400 naming what is missing.
func parseStreamQuery(r *http.Request, interact bool) (*streamQuery, error) {
	q := newQuery(r.URL)
	formats := []string{"response_format"}
	if interact {
		formats = []string{"request_format", "response_format"}
	}
	var voice []string
	for _, name := range formats {
		switch v, present := q.values[name]; {
		case !present:
			q.fail(name, "missing", "Field required")
		case v[0] == "voice":
			voice = append(voice, name)
		case v[0] != "text":
			q.fail(name, "enum", "Input should be 'text' or 'voice'")
		}
	}
	out := &streamQuery{}
	if v, ok := q.values["current_agent_action_type"]; ok {
		re, err := regexp.Compile(v[0])
		if err != nil {
			q.fail("current_agent_action_type", "value_error", "Value error, not a regular expression: "+err.Error())
		}
		out.actions = re
	}
	if err := q.err(); err != nil {
		return nil, err
	}
	if len(voice) > 0 {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "%s=voice is not supported: this server has no speech engine (%s); send and receive text (request_format=text, response_format=text).",
			strings.Join(voice, " and "), voiceNeeds(voice))
	}
	return out, nil
}

// voiceNeeds says what a voice format would need.
func voiceNeeds(formats []string) string {
	var needs []string
	for _, f := range formats {
		if f == "request_format" {
			needs = append(needs, "no transcription of voice messages")
		} else {
			needs = append(needs, "no speech synthesis of replies")
		}
	}
	return strings.Join(needs, ", ")
}

// interactForm reads interact-with-conversation's multipart form. The
// message may come as a plain field (the TypeScript SDK) or as a file part
// (the Python SDK's message.txt); external events as repeated fields.
func interactForm(r *http.Request) (*core.InteractInput, error) {
	ct := r.Header.Get("Content-Type")
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || media != "multipart/form-data" || params["boundary"] == "" {
		return nil, amigo.Invalid(amigo.FieldError{In: "header", Loc: []any{"content-type"}, Type: "string_pattern_mismatch",
			Msg: "String should match pattern '^multipart\\/form-data; boundary=.+$': the message is sent as multipart/form-data"})
	}
	body := http.MaxBytesReader(nil, r.Body, interactMaxBody)
	mr := multipart.NewReader(body, params["boundary"])
	in := &core.InteractInput{}
	var errs []amigo.FieldError
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, formReadError(err)
		}
		name := part.FormName()
		data, err := io.ReadAll(part)
		part.Close()
		if err != nil {
			return nil, formReadError(err)
		}
		text := string(data)
		if !utf8.ValidString(text) || strings.IndexByte(text, 0) >= 0 {
			errs = append(errs, amigo.FieldError{In: "body", Loc: []any{name}, Type: "string_unicode",
				Msg: "Input should be a valid string: text without NUL characters, in UTF-8"})
			continue
		}
		switch name {
		case "initial_message_type":
			in.Type = &text
		case "recorded_message":
			in.Message = &text
		case "external_event_message_content":
			in.EventContents = append(in.EventContents, text)
		case "external_event_message_timestamp":
			in.EventTimes = append(in.EventTimes, text)
		}
	}
	// Read to the body's end (the epilogue after the last boundary): only
	// then does the server watch the connection, so that a client hanging
	// up cancels the interaction.
	if _, err := io.Copy(io.Discard, body); err != nil {
		return nil, formReadError(err)
	}
	if errs != nil {
		return nil, amigo.Invalid(errs...)
	}
	return in, nil
}

// formReadError reports a form that could not be read: too large, or not
// multipart as its header says.
func formReadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return amigo.Errorf(amigo.ETOOLARGE, "The request body exceeds the limit of %d bytes.", interactMaxBody)
	}
	return amigo.Invalid(amigo.FieldError{In: "body", Type: "value_error", Msg: "Value error, the body is not a readable multipart/form-data form: " + err.Error()})
}
