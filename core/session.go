package core

import (
	"context"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/token"
)

// Console sessions. The console's session cookie holds a token of
// audience token.ConsoleAudience, issued by the console's own sign-in. The
// API refuses it as a Bearer token, so a stolen cookie is not an API
// credential, and the console refuses API tokens. Signing out records the
// token's id in the directory, which every server reads: the server that
// signed out refuses the token at once, the others once their cached
// answer expires, within the directory cache TTL (1 s by default).

// checkSession refuses a token presented where its kind is not accepted,
// and a console session that was signed out.
func (a *App) checkSession(ctx context.Context, creds Credentials, claims *token.Claims) error {
	switch {
	case claims.Console() && !creds.Console:
		return amigo.Errorf(amigo.EUNAUTHORIZED, "A console session's token is not an API token: sign in with an API key.")
	case !claims.Console() && creds.Console:
		return amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid console session.")
	case !claims.Console():
		return nil
	case claims.ID == "":
		return amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid console session.")
	}
	revoked, err := a.auth.revoked.load(sessionsGen, claims.ID, func() (bool, time.Time, error) {
		on, err := a.Directory.SessionRevoked(ctx, claims.ID)
		return on, time.Time{}, err
	})
	if err != nil {
		return err
	} else if revoked {
		return amigo.Errorf(amigo.EUNAUTHORIZED, "This console session was signed out.")
	}
	return nil
}

// SignOut ends the console session of raw, a console token, on every
// server: see checkSession. A token that is not a valid console session
// has nothing to end.
func (a *App) SignOut(ctx context.Context, raw string) error {
	claims, err := a.Keys.Verify(raw)
	if err != nil || !claims.Console() || claims.ID == "" {
		return nil
	}
	if err := a.Directory.RevokeSession(ctx, claims.ID, claims.ExpiresAt.Time); err != nil {
		return err
	}
	a.auth.gens.forget(sessionsGen)
	return nil
}

// sessionsGen is the generation of the revoked-session answers: signing
// out forgets them all on this server, so that no answer loaded before
// the sign-out is used after it.
const sessionsGen = "\x00sessions"
