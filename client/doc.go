// Package client is the Go SDK of the Amigo Classic API as amigo-server
// serves it: typed requests and responses for every operation, automatic
// sign-in with an API key, retries of what is safe to repeat, typed errors
// and pagination as iterators.
//
// The package stands alone: it has its own wire structs, shaped by the
// OpenAPI document, and must not import the server's packages, so programs
// that only talk to a server do not link the server in.
//
// Operations are grouped by resource in files named after it; each method
// is one operation and names its operationId in its comment. Adding an
// operation means one wire struct and one method calling c.do.
package client
