package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// streamWriteTimeout bounds the write of one event: a client that stops
// reading for this long is gone, and the interaction ends with an error.
// The server's WriteTimeout bounds a whole ordinary response; a stream's
// deadline is pushed forward by each event instead.
const streamWriteTimeout = 30 * time.Second

// eventStream writes the NDJSON body of create-conversation and
// interact-with-conversation: one event in, one line out, flushed at once.
// The first write error ends it: every later Send returns that error, so
// the interaction stops and is recorded failed. It is used by the handler's
// goroutine only.
type eventStream struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf bytes.Buffer
	err error
}

// errStreamClosed is the error of a stream whose client went away.
var errStreamClosed = errors.New("the client stopped reading the event stream")

// startStream sends the status line and the headers of an event stream.
// Nothing can be refused with a status after it: a failure is an error
// event. The connection's read deadline is lifted, for the body has been
// read and the server's ReadTimeout would otherwise cancel the request
// (and so the model's call) of an interaction longer than it.
func startStream(w http.ResponseWriter, status int) *eventStream {
	s := &eventStream{w: w, rc: http.NewResponseController(w)}
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Cache-Control", "no-cache")
	// Proxies such as nginx would hold events back until their buffer
	// fills: the client must see each one as it is written.
	h.Set("X-Accel-Buffering", "no")
	_ = s.rc.SetReadDeadline(time.Time{})
	s.extend()
	w.WriteHeader(status)
	if err := s.rc.Flush(); err != nil {
		s.err = errStreamClosed
	}
	return s
}

// extend gives the next write its own deadline. Not every ResponseWriter
// supports deadlines (tests' recorders do not); those are not bounded.
func (s *eventStream) extend() {
	_ = s.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
}

// Send writes ev as one line and flushes it.
func (s *eventStream) Send(ev any) error {
	if s.err != nil {
		return s.err
	}
	s.buf.Reset()
	if err := json.NewEncoder(&s.buf).Encode(ev); err != nil {
		// An event that cannot be encoded is a bug; the stream cannot go on
		// without breaking its line discipline.
		s.err = err
		return err
	}
	s.extend()
	if _, err := s.w.Write(s.buf.Bytes()); err != nil {
		s.err = errStreamClosed
		return s.err
	}
	if err := s.rc.Flush(); err != nil {
		s.err = errStreamClosed
		return s.err
	}
	return nil
}

// Err returns the error that ended the stream, nil while it is writable.
func (s *eventStream) Err() error { return s.err }
