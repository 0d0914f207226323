package api

import (
	"testing"

	"github.com/amigo-oss/amigo-server"
)

// TestEveryAuthenticatedOperationIsGated checks that exactly the
// authenticated operations have a permission gate, of known permissions.
func TestEveryAuthenticatedOperationIsGated(t *testing.T) {
	for _, op := range operations {
		if gated, needs := len(op.Gate) > 0, op.Auth == authRequired; gated != needs {
			t.Errorf("%s: gated = %v, but it authenticates with mode %d", op.ID, gated, op.Auth)
		}
		for _, anyOf := range op.Gate {
			for _, p := range anyOf {
				if !amigo.IsPermission(p) {
					t.Errorf("%s: unknown permission %s", op.ID, p)
				}
			}
		}
	}
}
