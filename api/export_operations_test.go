package api

import (
	"context"
	"sync"
)

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

// drawHooks are the hooks SetBeforeDraw installed and not yet removed: a
// test's SQLite and PostgreSQL runs install theirs at the same time.
var drawHooks struct {
	sync.Mutex
	next  int
	hooks map[int]func(ctx context.Context, machineID string)
}

// SetBeforeDraw makes hook run before each SVG layout, with the request's
// context and the machine's id, until the returned function is called.
// Hooks installed together all run.
func SetBeforeDraw(hook func(ctx context.Context, machineID string)) (restore func()) {
	drawHooks.Lock()
	defer drawHooks.Unlock()
	if drawHooks.hooks == nil {
		drawHooks.hooks = map[int]func(context.Context, string){}
		all := func(ctx context.Context, machineID string) {
			drawHooks.Lock()
			var hooks []func(context.Context, string)
			for _, h := range drawHooks.hooks {
				hooks = append(hooks, h)
			}
			drawHooks.Unlock()
			for _, h := range hooks {
				h(ctx, machineID)
			}
		}
		beforeDraw.Store(&all)
	}
	k := drawHooks.next
	drawHooks.next++
	drawHooks.hooks[k] = hook
	return func() {
		drawHooks.Lock()
		defer drawHooks.Unlock()
		delete(drawHooks.hooks, k)
	}
}
