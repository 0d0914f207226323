package api

import (
	"testing"

	"github.com/amigo-oss/amigo-server"
)

// TestEveryAuthenticatedOperationIsGated keeps permissionGates in step with
// the operations table.
func TestEveryAuthenticatedOperationIsGated(t *testing.T) {
	ids := map[string]bool{}
	for _, op := range operations {
		ids[op.ID] = true
		gated := len(permissionGates[op.ID]) > 0
		if needs := op.Auth == authRequired; gated != needs {
			t.Errorf("%s: gated = %v, but it authenticates with mode %d", op.ID, gated, op.Auth)
		}
	}
	for id, gate := range permissionGates {
		if !ids[id] {
			t.Errorf("gate for unknown operation %s", id)
		}
		for _, anyOf := range gate {
			for _, p := range anyOf {
				if !amigo.IsPermission(p) {
					t.Errorf("%s: unknown permission %s", id, p)
				}
			}
		}
	}
}
