package api

import (
	"context"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// checkGate applies op's permission gate to the caller of ctx. The gate is
// coarse on purpose: it answers 403 naming the permission to a caller who
// holds it on nothing, so such a caller never learns which ids exist.
func checkGate(ctx context.Context, op *operation) error {
	caller := amigo.CallerFromContext(ctx)
	for _, anyOf := range op.Gate {
		if caller == nil {
			return caller.RequireSome(anyOf[0])
		}
		met := false
		for _, perm := range anyOf {
			met = met || caller.RequireSome(perm) == nil
		}
		if !met {
			return amigo.Errorf(amigo.EFORBIDDEN, "Missing required permission %s.", strings.Join(anyOf, " or "))
		}
	}
	return nil
}
