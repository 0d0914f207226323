// Package console is the web console: each organization's branded sign-in
// and onboarding, and pages that show and manage what the organization
// runs, served at /console/{org}/ by the same binary as the API.
//
// The console acts only through the public API, in process: every read and
// write is an API request carrying the signed-in user's token, made with
// the Go SDK (package client) over a transport that calls the API's
// http.Handler directly. So permissions, validation, rate limits and error
// messages are exactly the API's, and the console does not depend on core's
// Go types or on the API's internal wire structs. The one thing it asks
// core directly is who the token's caller is (Authenticate), to leave out
// what the caller may not do; the API refuses it anyway.
//
// It must not depend on storage, on package api or on package core.
package console
