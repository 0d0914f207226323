// Package conformance checks HTTP exchanges against the Amigo Classic API
// spec, ../shared/spec/openapi.json beside the repo. Behavioural tests pass
// every response they receive to (*Validator).Check, so a handler that drifts
// from the wire contract fails the test that exercised it.
//
// It is a test helper: only _test.go files should import it. It depends on
// the standard library and libopenapi(-validator), never on the server's own
// packages, so it judges the server from the outside.
//
// # What Check enforces
//
//   - The method and path (trailing slash included) name an operation of the
//     spec. An unknown route is accepted only as 404 or 405 with a
//     {"detail": "..."} body.
//   - The status is one the operation documents, or one of the few extras in
//     the table extraStatuses: 413 and 405 on any operation, 429 on
//     get-organization. A 500 is always a failure.
//   - A documented JSON body is validated by libopenapi-validator against the
//     operation's schema (JSON Schema 2020-12, "format" asserted).
//   - Error statuses the spec documents without a body carry the
//     FastAPI-style {"detail": ...} body as application/json; 422 may also
//     carry a list of {"loc", "msg", "type"} items.
//   - A status documented without content (204) has an empty body.
//
// # libopenapi-validator quirks and how this package avoids them
//
// Found against libopenapi-validator v0.16.2 with this spec:
//
//   - Routing. The validator's default router matches path only and ignores
//     trailing slashes, so /user/signin_with_api_key/ would pass. Its radix
//     tree also resolves two templates that differ just by a parameter name
//     to only one of them: POST .../service_hierarchical_state_machine/{service_hierarchical_state_machine_id}/
//     and DELETE .../service_hierarchical_state_machine/{state_machine_id}/
//     collide, and the POST is reported as "path not found". This package
//     routes with its own exact segment matcher (route.go) and hands the
//     matched path item to ValidateResponseBodyWithPathItem, so the library
//     never routes and the query string never matters.
//   - Empty and null bodies. The library accepts an empty body, and a body of
//     JSON null, without looking at the schema. Check reports an empty body
//     where JSON is documented, and validates null against the compiled
//     schema itself (delete-agent's schema is {}, and
//     create-service-hierarchical-state-machine-version allows null).
//   - Formats are not asserted by default, so "expires_at": "yesterday"
//     passes. Check turns format assertions on; the only format reachable
//     from a response schema is date-time. base64, duration, email and uri
//     (and the 7,910-value language and 599-value timezone enums) appear only
//     in request schemas, so responses never meet them.
//   - Warming. NewValidator compiles every request, response and parameter
//     schema (about 0.55 s here) and drops compile errors silently. Load
//     compiles only the response schemas into the response validator's
//     schema cache (about 0.25 s including parsing) and fails if one does not
//     compile; Check then only looks compiled schemas up, which
//     TestCheckUsesCompiledCache asserts. A Check takes about 10 µs.
//   - anyOf with {"type": "null"} (pydantic's Optional) works as JSON Schema
//     2020-12 says; no workaround needed.
package conformance
