package api

// Operation is an operation's identity for the tests of package api_test
// that must cover every endpoint.
type Operation struct{ ID, Method, Path string }

// Operations lists every operation of the spec that the server routes.
func Operations() []Operation {
	out := make([]Operation, len(operations))
	for i, op := range operations {
		out[i] = Operation{op.ID, op.Method, op.Path}
	}
	return out
}
