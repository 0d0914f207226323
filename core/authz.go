package core

import (
	"context"

	"github.com/amigo-oss/amigo-server"
)

// The attribute builders below describe each kind of resource for
// conditional grants, with the names amigo.PermissionAttributes documents.
// A value not known at the time of a check (the id of a resource being
// created) is left out, so a condition on it does not match.

// orgAttrs describes an organization for the Organization:* permissions
// that act on the organization itself.
func orgAttrs(orgID string) amigo.Attributes {
	return amigo.Attributes{"id": {orgID}}
}

// apiKeyAttrs describes an API key by its key_id and its role's name.
func apiKeyAttrs(keyID, roleName string) amigo.Attributes {
	return withValues(amigo.Attributes{}, "id", keyID, "role", roleName)
}

// userAttrs describes a user by id, email and role name.
func userAttrs(id, email, roleName string) amigo.Attributes {
	return withValues(amigo.Attributes{}, "id", id, "email", email, "role", roleName)
}

// withSelf adds amigo.Self to attribute attr when userID is the caller's.
func withSelf(caller *amigo.Caller, attrs amigo.Attributes, attr, userID string) amigo.Attributes {
	if caller != nil && userID != "" && userID == caller.UserID {
		attrs[attr] = append(attrs[attr], amigo.Self)
	}
	return attrs
}

// conversationAttrs describes a conversation by id, user (with
// amigo.Self for the caller's own), service and tags.
func conversationAttrs(caller *amigo.Caller, c *amigo.Conversation) amigo.Attributes {
	attrs := withValues(amigo.Attributes{}, "id", c.ID, "user_id", c.UserID, "service_id", c.ServiceID)
	attrs["tags"] = amigo.TagValues(c.Tags)
	return withSelf(caller, attrs, "user_id", c.UserID)
}

// withValues sets each attribute of the name-value pairs kv whose value is
// not empty.
func withValues(attrs amigo.Attributes, kv ...string) amigo.Attributes {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			attrs[kv[i]] = []string{kv[i+1]}
		}
	}
	return attrs
}

// roleNames returns the names of the organization's roles by id, for the
// "role" attribute of API keys and users. It is only needed when a grant
// is conditional, so callers load it only then.
func roleNames(ctx context.Context, t *Tenant) (map[string]string, error) {
	roles, err := t.Store.ListRoles(ctx, t.Placement.OrgID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(roles))
	for _, r := range roles {
		names[r.ID] = r.Name
	}
	return names, nil
}

// roleNamesIfConditional loads roleNames unless the caller holds perm
// unconditionally, in which case no attribute is ever consulted.
func roleNamesIfConditional(ctx context.Context, t *Tenant, caller *amigo.Caller, perm string) (map[string]string, error) {
	if caller.Can(perm, nil) {
		return nil, nil
	}
	return roleNames(ctx, t)
}

// allowedOf returns the items of an unpaginated list that the caller holds
// perm on; EFORBIDDEN if the caller holds perm on nothing at all.
func allowedOf[T any](caller *amigo.Caller, perm string, items []T, attrs func(T) amigo.Attributes) ([]T, error) {
	if err := caller.RequireSome(perm); err != nil {
		return nil, err
	}
	if caller.Can(perm, nil) {
		return items, nil
	}
	out := items[:0:0]
	for _, it := range items {
		if caller.Can(perm, attrs(it)) {
			out = append(out, it)
		}
	}
	return out, nil
}
