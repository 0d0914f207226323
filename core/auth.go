package core

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// Credentials are what a request presented.
type Credentials struct {
	Bearer string // the token of the Authorization header, without "Bearer "
	OrgID  string // the X-ORG-ID header: the organization that issued the token
	// Console is true for the web console's own requests (amigo.FromConsole),
	// which carry a console session's token; every other request must
	// carry an API token.
	Console bool
}

// Authenticate verifies a token for a request addressed to target. A token
// from another organization is accepted only when X-ORG-ID names that
// organization and its user is a platform super administrator. The token's
// caller (user and role) and the API key it was signed in with come from
// the auth caches: a deleted user's tokens stop working, a deleted or
// expired key ends its tokens, and a role change takes effect, at once when
// made through this server and within the cache TTL otherwise (callers.go).
func (a *App) Authenticate(ctx context.Context, creds Credentials, target string) (*amigo.Caller, error) {
	if creds.Bearer == "" {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "Missing authorization credentials.")
	}
	claims, err := a.verify(creds.Bearer)
	if err != nil {
		if looksLikeAPIKey(creds.Bearer) {
			return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid authorization token: this is not a token but looks like an API key (or its id). "+
				"API keys are exchanged for a token at sign-in: POST /v1/%s/user/signin_with_api_key with the headers x-api-key, x-api-key-id and x-user-id; "+
				"send the id_token it returns as the Bearer token.", target)
		}
		return nil, err
	}
	if err := a.checkSession(ctx, creds, claims); err != nil {
		return nil, err
	}
	if claims.OrgID != target && creds.OrgID != claims.OrgID {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "The authorization token was not issued by organization %s.", target)
	}
	issuer, err := a.Resolve(ctx, claims.OrgID, ResolveOptions{})
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid authorization token.")
	} else if err != nil {
		return nil, err
	}
	key, err := a.checkTokenKey(ctx, issuer.Store, claims.OrgID, claims.APIKeyID)
	if err != nil {
		return nil, err
	}
	caller, err := a.caller(ctx, issuer.Store, claims.OrgID, claims.Subject)
	if err != nil {
		return nil, err
	}
	caller.APIKeyID, caller.KeyCreatorOrgID, caller.KeyCreatorUserID = claims.APIKeyID, key.CreatorOrgID, key.CreatorUserID
	if claims.OrgID != target && !caller.Platform {
		return nil, amigo.Errorf(amigo.EFORBIDDEN, "Only platform administrators may act on another organization.")
	}
	return caller, nil
}

// checkTokenKey refuses a token whose API key was deleted or has expired:
// revoking a key revokes the tokens signed in with it, at once on the
// server that deleted it and within the cache TTL on the others.
func (a *App) checkTokenKey(ctx context.Context, store amigo.ClusterStore, orgID, keyID string) (*amigo.APIKey, error) {
	key, err := a.findAPIKey(ctx, store, orgID, keyID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND || (err == nil && !key.ExpiresAt.After(a.Now())) {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "The API key of this token was deleted or has expired.")
	} else if err != nil {
		return nil, err
	}
	if err := a.checkKeyCreator(ctx, key); err != nil {
		return nil, err
	}
	return key, nil
}

// caller loads the user and role behind a verified token.
func (a *App) caller(ctx context.Context, store amigo.ClusterStore, orgID, userID string) (*amigo.Caller, error) {
	user, err := a.findUser(ctx, store, orgID, userID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "The user of this token no longer exists.")
	} else if err != nil {
		return nil, err
	}
	role, err := a.findRole(ctx, store, orgID, user.RoleID)
	if err != nil {
		return nil, err
	}
	platform, err := a.platformOrg(ctx)
	if err != nil {
		return nil, err
	}
	return &amigo.Caller{
		OrgID: orgID, UserID: user.ID, Email: user.Email, Role: role,
		Platform: orgID == platform && role.Name == amigo.RoleSuperAdministrator,
	}, nil
}

// SignInRequest carries the sign-in headers.
type SignInRequest struct {
	APIKey   string
	APIKeyID string
	UserID   string
	// Console asks for a console session's token (the console's own
	// sign-in, amigo.FromConsole) rather than an API token.
	Console bool
}

// SignIn exchanges an API key for a token of one of the organization's
// users. The key, the user and their roles come from the auth caches, so a
// key deleted on another server signs in for at most the cache TTL. Every failure is the same EUNAUTHORIZED so that the answer does not
// reveal which part was wrong.
func (a *App) SignIn(ctx context.Context, t *Tenant, req SignInRequest) (string, time.Time, error) {
	denied := amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid API key, API key id or user id.")
	orgID := t.Placement.OrgID
	key, err := a.findAPIKey(ctx, t.Store, orgID, req.APIKeyID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return "", time.Time{}, denied
	} else if err != nil {
		return "", time.Time{}, err
	}
	if !key.ExpiresAt.After(a.Now()) || subtle.ConstantTimeCompare(HashSecret(req.APIKey), key.SecretHash) != 1 {
		return "", time.Time{}, denied
	}
	if err := a.checkKeyCreator(ctx, key); amigo.ErrorCode(err) == amigo.EUNAUTHORIZED {
		return "", time.Time{}, denied
	} else if err != nil {
		return "", time.Time{}, err
	}
	user, err := a.findUser(ctx, t.Store, orgID, req.UserID)
	if amigo.ErrorCode(err) == amigo.ENOTFOUND {
		return "", time.Time{}, denied
	} else if err != nil {
		return "", time.Time{}, err
	}
	keyRole, err := a.findRole(ctx, t.Store, orgID, key.RoleID)
	if err != nil {
		return "", time.Time{}, err
	}
	userRole, err := a.findRole(ctx, t.Store, orgID, user.RoleID)
	if err != nil {
		return "", time.Time{}, err
	}
	if !keyRole.Includes(userRole) {
		return "", time.Time{}, amigo.Errorf(amigo.EUNAUTHORIZED, "This API key's role is less permissive than the user's role.")
	}
	if req.Console {
		return a.Keys.IssueConsole(orgID, user.ID, key.KeyID)
	}
	return a.Keys.Issue(orgID, user.ID, key.KeyID)
}

// HashSecret returns the stored form of an API key secret. Secrets are 256
// random bits, so a fast hash is enough: there is nothing to brute-force.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// platformOrg returns the platform organization's id. Once set it never
// changes, so it is read from the directory only until it is.
func (a *App) platformOrg(ctx context.Context) (string, error) {
	if id, ok := a.platform.Load().(string); ok {
		return id, nil
	}
	id, err := a.Directory.PlatformOrg(ctx)
	if err == nil && id != "" {
		a.platform.Store(id)
	}
	return id, err
}

// looksLikeAPIKey reports whether a Bearer value is no token (a token is a
// JWT: three dot-separated parts) but the shape of an API key's secret or
// id: a run of base64url characters (a secret is 43, an id 36).
func looksLikeAPIKey(bearer string) bool {
	if len(bearer) < 32 || len(bearer) > 64 {
		return false
	}
	for _, c := range bearer {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
