package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/amigo-oss/amigo-server/client"
)

// streamingInProcess sends API requests to the API's handler in process,
// like inProcess, but hands the response body over as the API writes it,
// so a conversation's events reach the browser one by one. Closing the
// body hangs up: the API's next write fails and the interaction is
// cancelled, as for a client that disconnects.
type streamingInProcess struct{ inProcess }

func (t streamingInProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	in := t.prepare(req)
	pr, pw := io.Pipe()
	sw := &pipeWriter{header: http.Header{}, pipe: pw, ready: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer func() {
			sw.WriteHeader(http.StatusOK) // a handler that wrote nothing
			pw.Close()
			close(done)
		}()
		t.api.ServeHTTP(sw, in)
	}()
	<-sw.ready
	return &http.Response{
		Status: http.StatusText(sw.status), StatusCode: sw.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: sw.sent, Body: &pipeBody{pr, done}, ContentLength: -1, Request: req,
	}, nil
}

// pipeBody is a streamed response's body. Closing it waits for the API's
// handler to return, so no request outlives the console's.
type pipeBody struct {
	*io.PipeReader
	done chan struct{}
}

func (b *pipeBody) Close() error {
	b.PipeReader.Close()
	<-b.done
	return nil
}

// pipeWriter is the API's ResponseWriter of a streamed in-process
// request: the header is fixed at the first write, the body goes down the
// pipe as written.
type pipeWriter struct {
	header http.Header
	sent   http.Header
	status int
	pipe   *io.PipeWriter
	once   sync.Once
	ready  chan struct{}
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) {
	w.once.Do(func() {
		w.status, w.sent = status, w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pipe.Write(b)
}

// Flush is a no-op: every write reaches the reader at once.
func (w *pipeWriter) Flush() {}

// streamClient returns an SDK client of the visit's session whose
// conversation streams arrive event by event.
func (c *Console) streamClient(r *http.Request, v *visit) (*client.Client, error) {
	return client.New(client.Config{Token: v.session.token, OrganizationID: v.org, BaseURL: apiBase,
		HTTPClient: &http.Client{Transport: streamingInProcess{inProcess{api: c.api, remote: r.RemoteAddr, forwardedFor: r.Header.Values("X-Forwarded-For")}}}, MaxRetries: -1})
}

// eventWriteTimeout bounds the write of one event to the browser.
const eventWriteTimeout = 30 * time.Second

// relay sends the events of an API stream to the browser as NDJSON, each
// line as the API wrote it, flushed at once. A refusal before the stream
// (an *APIError) is answered with its status and {"detail": …}, which the
// page shows. After the first event the status is sent; a failure then is
// the API's error event, or one relay writes for a broken stream.
func (c *Console) relay(w http.ResponseWriter, r *http.Request, s *client.Stream, err error) {
	if err != nil {
		c.writeJSONError(w, r, err)
		return
	}
	defer s.Close()
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(line []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(eventWriteTimeout))
		if _, err := w.Write(append(line, '\n')); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	for s.Next() {
		if !send(s.Raw()) {
			return // the browser left; closing the stream cancels the interaction
		}
	}
	err = s.Err()
	var evErr *client.EventError
	switch {
	case err == nil:
	case errors.As(err, &evErr):
		send(s.Raw())
	default:
		line, _ := json.Marshal(map[string]any{"type": "error", "http_error_code": http.StatusBadGateway, "error_description": err.Error()})
		send(line)
	}
}

// writeJSONError answers a script's request with the API's status and
// message, or a 500 without detail for anything else.
func (c *Console) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "Something went wrong."
	var apiErr *client.APIError
	var pe *pageError
	switch {
	case errors.As(err, &apiErr):
		status, msg = apiErr.StatusCode, apiErr.Detail
	case errors.As(err, &pe):
		status, msg = pe.status, pe.msg
	default:
		c.logger.Error("console", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]any{"status": status, "detail": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
