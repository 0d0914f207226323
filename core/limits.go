package core

// Length limits, in characters, of the strings a request can set beyond
// those the spec itself gives. They are what a person would expect of each
// field, and they keep every indexed value well inside what PostgreSQL can
// index (a B-tree entry holds at most about 2,700 bytes; a character takes
// up to 4), so both databases accept and refuse exactly the same input.
// The 422 for a longer value names the limit. docs/limits.md lists
// them.
const (
	// maxName bounds names: of services, organizations, users, roles,
	// API keys, keyterms.
	maxName = 256
	// maxTag bounds a service tag's key and its value.
	maxTag = 128
	// maxText bounds free text such as descriptions.
	maxText = 4096
	// maxEmailLocal and maxEmail are RFC 5321's limits of an address's
	// local part and of the whole address (254: the path limit of 256
	// less the angle brackets).
	maxEmailLocal = 64
	maxEmail      = 254
	// maxVariableName bounds the names of a user's variables.
	maxVariableName = 64
)
