package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
)

// Body size limits. Organization bodies carry four base64 images.
const (
	defaultMaxBody      = 4 << 20
	organizationMaxBody = 16 << 20
)

// decode reads r's body into dst, a wire shape, through the one decoder of
// package wire. It returns what the decoder could not read (nil if
// nothing), for package core to report together with its own findings, and
// an error when there is nothing to decode: 413 for a body over maxBody,
// 422 for an empty body or one that is not JSON.
func decode(r *http.Request, dst any, maxBody int64) (*amigo.Error, error) {
	body, err := readBody(http.MaxBytesReader(nil, r.Body, maxBody), min(r.ContentLength, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, amigo.Errorf(amigo.ETOOLARGE, "The request body exceeds the limit of %d bytes.", maxBody)
	} else if err != nil {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "Cannot read the request body.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, amigo.Invalid(amigo.FieldError{In: "body", Msg: "Field required", Type: "missing"})
	}
	return wire.Decode(body, dst)
}

// readBody reads a body of the announced size (-1 if unknown) into one
// buffer of that size, rather than one that doubles as it goes, so a
// 4 MiB body costs 4 MiB; the size only sizes the buffer, it is not
// trusted to be right.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
