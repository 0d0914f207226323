package amigo

import "context"

// Caller is the authenticated principal of a request.
type Caller struct {
	// OrgID is the organization that issued the caller's token. It differs
	// from the organization being addressed only for cross-organization
	// requests (X-ORG-ID), which only platform super administrators may make.
	OrgID  string
	UserID string
	// APIKeyID is the API key the caller's token was exchanged for, and
	// KeyCreatorOrgID and KeyCreatorUserID the user who created that key.
	APIKeyID                          string
	KeyCreatorOrgID, KeyCreatorUserID string
	Email                             string
	Role                              *Role
	// Platform is true for a super administrator of the platform
	// organization, who may act on every organization of the deployment.
	Platform bool
}

// Can reports whether the caller holds perm on a resource with attrs.
func (c *Caller) Can(perm string, attrs Attributes) bool {
	return c != nil && c.Role != nil && c.Role.Allows(perm, attrs)
}

// Require returns an EFORBIDDEN error naming perm unless the caller holds it.
func (c *Caller) Require(perm string, attrs Attributes) error {
	if c == nil {
		return Errorf(EUNAUTHORIZED, "Missing authorization credentials.")
	} else if !c.Can(perm, attrs) {
		return Errorf(EFORBIDDEN, "Missing required permission %s.", perm)
	}
	return nil
}

// RequireSome returns an EFORBIDDEN error naming perm unless the caller
// holds it on at least some resources. Operations check it before looking
// the resource up, so that a caller without the permission learns nothing
// about which resources exist, then Require with the resource's attributes.
func (c *Caller) RequireSome(perm string) error {
	if c == nil {
		return Errorf(EUNAUTHORIZED, "Missing authorization credentials.")
	} else if c.Role == nil || !c.Role.AllowsSome(perm) {
		return Errorf(EFORBIDDEN, "Missing required permission %s.", perm)
	}
	return nil
}

type callerKey struct{}

// NewContextWithCaller returns ctx carrying the authenticated caller.
func NewContextWithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFromContext returns the caller of the request, or nil when the
// request is unauthenticated.
func CallerFromContext(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

type consoleKey struct{}

// WithConsole marks ctx as that of a request the web console makes to the
// API in process, on behalf of a signed-in browser. No request from the
// network carries the mark: it is what lets a console session's token,
// which the API refuses as a Bearer token, act through the console.
func WithConsole(ctx context.Context) context.Context {
	return context.WithValue(ctx, consoleKey{}, true)
}

// FromConsole reports whether ctx is that of the console's own request.
func FromConsole(ctx context.Context) bool {
	on, _ := ctx.Value(consoleKey{}).(bool)
	return on
}
