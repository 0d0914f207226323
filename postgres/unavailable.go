package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsUnavailable recognises, by type and SQLSTATE, the errors of a
// PostgreSQL that cannot be reached or is not serving: connection refused
// or reset, a timeout, a connection closed under a query, and the server's
// own "shutting down", "starting up" and "too many connections". A request
// failing with one of them is answered 503, not 500.
func IsUnavailable(err error) bool {
	var connect *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &connect), errors.As(err, &netErr), pgconn.Timeout(err):
		return true
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &pgErr):
		// Class 08 is connection exceptions; 57P01-57P03 are admin and
		// crash shutdown and "cannot connect now"; 53300 is too many
		// connections.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	return false
}
