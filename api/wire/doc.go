// Package wire is the HTTP contract of amigo-server in one place: the
// shape of every request body and response of the Amigo Classic API
// (field names, nullability, lists and envelopes as the spec's schemas
// write them), the lenient decoder that reads request bodies the way the
// reference implementation's pydantic models do, the FastAPI form of
// validation errors, and the conversions between these shapes and the
// domain types of package amigo.
//
// It depends on packages amigo, engine (whose conversation events it
// encodes) and internal/shape only. Package api decodes into these shapes,
// converts to domain commands for package core and converts core's answers
// back; neither core, storage nor engine may import it.
package wire
