package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// Event is one event of a conversation's stream (create-conversation,
// interact-with-conversation): *ConversationCreated, *UserMessageAvailable,
// *CurrentAgentAction, *NewMessage or *InteractionComplete. An error event
// is not an Event: it ends the stream and Stream.Err returns it as an
// *EventError.
type Event interface{ EventType() string }

// The events, as the server declares them (package api/wire):
// ConversationCreated is the first event of create-conversation,
// UserMessageAvailable the first of interact-with-conversation (the user's
// message as the server stored it). CurrentAgentAction is a step of the
// agent's work, sent only to callers with
// Conversation:GetInteractionInsights; its Action is a value of one of the
// action types below, named by its Type, or the action's JSON
// (json.RawMessage) for a type the SDK does not know. NewMessage is one
// piece of the agent's reply, in order from SequenceNumber 0; Stop marks
// the last piece. InteractionComplete is the last event of a successful
// interaction: when it arrives, everything the interaction wrote is
// stored.
type (
	ConversationCreated  = wire.ConversationCreatedEvent
	UserMessageAvailable = wire.UserMessageAvailableEvent
	CurrentAgentAction   = wire.CurrentAgentActionEvent
	NewMessage           = wire.NewMessageEvent
	InteractionComplete  = wire.InteractionCompleteEvent
)

// The actions of a CurrentAgentAction, as the server declares them
// (package api/wire); a MachineVersionInfo is a state machine's id and
// version.
type (
	DecisionStartedAction       = wire.DecisionStartedAction
	ExitConditionSelectedAction = wire.ExitConditionSelectedAction
	ActionSelectedAction        = wire.ActionSelectedAction
	StateTransitionedAction     = wire.StateTransitionedAction
	ReflectionPromptAction      = wire.ReflectionPromptAction
	ReflectionGeneratedAction   = wire.ReflectionGeneratedAction
	AnnotationRetrievedAction   = wire.AnnotationRetrievedAction
	StaticQueriesAction         = wire.StaticQueriesAction
	DynamicQueriesAction        = wire.DynamicQueriesAction
	MemoryRetrievedAction       = wire.MemoryRetrievedAction
	ToolOutputAction            = wire.ToolOutputAction
	MachineVersionInfo          = wire.MachineVersionInfo
)

// EventError is an error event: the interaction failed after the stream
// had started. Before InteractionComplete, the interaction is void and may
// be retried.
type EventError struct {
	Operation   string
	StatusCode  int    // the event's http_error_code
	Description string // the event's error_description
}

func (e *EventError) Error() string {
	return fmt.Sprintf("%s: error event %d: %s", e.Operation, e.StatusCode, e.Description)
}

// Is matches the sentinel of the event's status, as for an *APIError.
func (e *EventError) Is(target error) bool {
	kind, ok := kinds[e.StatusCode]
	if !ok {
		kind = ErrServer
	}
	return target == kind
}

// Stream reads the events of create-conversation or
// interact-with-conversation as the server sends them:
//
//	for s.Next() {
//		switch ev := s.Current().(type) { … }
//	}
//	if err := s.Err(); err != nil { … }
//
// It must be closed; closing it early hangs up, which cancels the
// interaction on the server.
type Stream struct {
	op      string
	body    io.ReadCloser
	lines   *bufio.Reader
	current Event
	raw     []byte
	err     error
	done    bool
}

// maxEventLine bounds one event line; the server's are far smaller.
const maxEventLine = 4 << 20

func newStream(op string, body io.ReadCloser) *Stream {
	return &Stream{op: op, body: body, lines: bufio.NewReaderSize(body, 64<<10)}
}

// Next reads the next event; false at the end of the stream or on error.
func (s *Stream) Next() bool {
	if s.done {
		return false
	}
	line, err := s.readLine()
	if len(bytes.TrimSpace(line)) == 0 {
		if err == nil {
			return s.Next()
		}
		s.finish(err)
		return false
	}
	s.raw = line
	ev, perr := s.parse(line)
	if perr != nil {
		s.finish(perr)
		return false
	}
	if ev == nil { // an error event
		return false
	}
	s.current = ev
	if err != nil && !errors.Is(err, io.EOF) {
		s.finish(err)
	}
	if _, last := ev.(*InteractionComplete); last {
		s.done = true
	}
	return true
}

// readLine returns the next line without its newline; a last line without
// one is returned with io.EOF.
func (s *Stream) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := s.lines.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxEventLine {
			return nil, fmt.Errorf("%s: an event line exceeds %d bytes", s.op, maxEventLine)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return bytes.TrimSuffix(line, []byte("\n")), err
		}
	}
}

// parse decodes one line; an error event ends the stream with its error
// and returns nil.
func (s *Stream) parse(line []byte) (Event, error) {
	var head wire.ErrorEvent // its type, and the fields of an error event
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, fmt.Errorf("%s: malformed event %q: %w", s.op, line, err)
	}
	var ev Event
	switch head.Type {
	case wire.EventError:
		s.finish(&EventError{Operation: s.op, StatusCode: head.HTTPErrorCode, Description: head.ErrorDescription})
		return nil, nil
	case wire.EventConversationCreated:
		ev = new(ConversationCreated)
	case wire.EventUserMessageAvailable:
		ev = new(UserMessageAvailable)
	case wire.EventCurrentAgentAction:
		ev = new(CurrentAgentAction)
	case wire.EventNewMessage:
		ev = new(NewMessage)
	case wire.EventInteractionComplete:
		ev = new(InteractionComplete)
	default:
		return nil, fmt.Errorf("%s: unknown event type %q", s.op, head.Type)
	}
	if err := json.Unmarshal(line, ev); err != nil {
		return nil, fmt.Errorf("%s: malformed %s event: %w", s.op, head.Type, err)
	}
	return ev, nil
}

// finish ends the stream with err; io.EOF before InteractionComplete is an
// error too, for the interaction did not complete.
func (s *Stream) finish(err error) {
	s.done = true
	if errors.Is(err, io.EOF) {
		err = fmt.Errorf("%s: the stream ended before interaction-complete: %w", s.op, io.ErrUnexpectedEOF)
	} else if _, ok := err.(*EventError); !ok {
		err = fmt.Errorf("%s: %w", s.op, err)
	}
	s.err = err
}

// Current returns the event Next read.
func (s *Stream) Current() Event { return s.current }

// Raw returns the line of the last event read as the server sent it: the
// event Current returns, or the error event that ended the stream.
func (s *Stream) Raw() json.RawMessage { return json.RawMessage(s.raw) }

// Err returns what ended the stream early: an *EventError, a broken or
// truncated stream; nil after InteractionComplete.
func (s *Stream) Err() error { return s.err }

// Close releases the connection.
func (s *Stream) Close() error { return s.body.Close() }

// Complete reads the rest of the stream and returns its
// InteractionComplete, closing the stream.
func (s *Stream) Complete() (*InteractionComplete, error) {
	defer s.Close()
	var last *InteractionComplete
	for s.Next() {
		if c, ok := s.Current().(*InteractionComplete); ok {
			last = c
		}
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return last, nil
}

// openStream sends a streaming request and returns its event stream once
// the server has accepted it; a refusal (any status of 300 or more) is an
// *APIError. It signs in again and repeats once after a 401, as do does;
// it never repeats after a 429 or 503, for the caller decides whether to
// start a conversation again.
func (c *Client) openStream(ctx context.Context, r *request, body []byte, contentType string) (*Stream, error) {
	reauthed := false
	for {
		token, err := c.auth.token(ctx)
		if err != nil {
			return nil, err
		}
		u := c.cfg.BaseURL + r.path
		if len(r.query) > 0 {
			u += "?" + r.query.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.op, err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/x-ndjson")
		if c.cfg.CallerOrganizationID != "" {
			req.Header.Set("X-ORG-ID", c.cfg.CallerOrganizationID)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.cfg.HTTPClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.op, err)
		}
		if resp.StatusCode < 300 {
			return newStream(r.op, resp.Body), nil
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		apiErr := newAPIError(r.op, resp, data)
		if resp.StatusCode == http.StatusUnauthorized && !reauthed {
			reauthed = true
			c.auth.invalidate(token)
			continue
		}
		return nil, apiErr
	}
}
