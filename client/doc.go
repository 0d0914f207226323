// Package client is the Go SDK of the Amigo Classic API as amigo-server
// serves it: typed requests and responses for every operation, automatic
// sign-in with an API key, retries of what is safe to repeat, typed errors
// and pagination as iterators.
//
// The SDK's shapes are the API's: its request and response types are
// package api/wire's, the server's one declaration of the HTTP contract,
// under the SDK's names (type aliases such as Agent = wire.AgentInstance),
// so the two cannot drift. Beyond api/wire (and the domain package,
// internal/shape and engine/event it depends on) it links nothing of the
// server: not the engine, its model clients or a database driver
// (TestStandsAlone checks what it links). A few shapes that exist only in
// the SDK (list options, stream events, history requests) are its own.
//
// Operations are grouped by resource in files named after it; each method
// is one operation and names its operationId in its comment. Adding an
// operation means its shapes in api/wire and one method calling c.do.
package client
