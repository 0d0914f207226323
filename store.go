package amigo

import "context"

// ClusterStore is everything one cluster stores for its organizations.
// Package sqldb implements it on SQLite and PostgreSQL; every backend must
// pass the contract suite in sqldb/storetest.
type ClusterStore interface {
	OrganizationStore
	RoleStore
	UserStore
	APIKeyStore
	AgentStore
	StateMachineStore
	ServiceStore
	ChangeStore
	ConversationStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}
