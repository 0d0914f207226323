// Package amigo holds the domain of amigo-server: the types of the Amigo
// Classic API control plane (organizations, users, roles, API keys, agents,
// state machines, services), the errors every layer speaks, the permission
// model, and the storage interfaces that the backends implement.
//
// It depends on nothing but the standard library. The HTTP layer (package
// api), the business rules (package core) and the storage backends (packages
// sqldb, sqlite, postgres) all depend on it, never the other way around.
package amigo
