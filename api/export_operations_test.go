package api

import "context"

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

// SetBeforeDraw makes hook run before each SVG layout, with the request's
// context and the machine's id, until the returned function is called.
func SetBeforeDraw(hook func(ctx context.Context, machineID string)) (restore func()) {
	beforeDraw.Store(&hook)
	return func() { beforeDraw.Store(nil) }
}
