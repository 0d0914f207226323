// Package wire is the HTTP contract of amigo-server in one place: the
// shape of every request body and response of the Amigo Classic API
// (field names, nullability, lists and envelopes as the spec's schemas
// write them), the lenient decoder that reads request bodies the way the
// reference implementation's pydantic models do, the FastAPI form of
// validation errors, and the conversions between these shapes and the
// domain types of package amigo.
//
// It depends on packages amigo, engine/event (the walker's events and
// insights, which it encodes) and internal/shape only: the Go SDK (package
// client) uses these shapes as its own, so this package must not link the
// engine, a model client or a database driver. Package api decodes into
// these shapes, converts to domain commands for package core and converts
// core's answers back; neither core, storage nor engine may import it.
package wire
