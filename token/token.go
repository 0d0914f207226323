// Package token issues and verifies the JWTs that sign-in hands out. Tokens
// are signed with Ed25519 (alg EdDSA) and carry a kid naming the key, so a
// deployment can roll to a new signing key while tokens signed with the old
// one stay valid until they expire: the old public key stays configured as a
// verification key.
package token

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/amigo-oss/amigo-server"
)

// DefaultTTL is how long an issued token is valid.
const DefaultTTL = time.Hour

// ConsoleAudience is the audience of a web console session's token: the
// API refuses such a token as a Bearer token, and the console accepts no
// other. An API token has no audience.
const ConsoleAudience = "amigo-console"

// Claims are the claims of an amigo-server token.
type Claims struct {
	jwt.RegisteredClaims
	// OrgID is the organization that issued the token; Subject is the user.
	OrgID string `json:"org_id"`
	// APIKeyID is the key_id of the API key signed in with, so that the
	// token dies with its key.
	APIKeyID string `json:"api_key_id"`
}

// KeySet signs with one key and verifies with that key and any extra ones.
type KeySet struct {
	signer ed25519.PrivateKey
	kid    string
	verify map[string]ed25519.PublicKey
	issuer string
	ttl    time.Duration
	parser *jwt.Parser
	now    amigo.Clock
}

// NewKeySet returns a key set signing with signer. issuer names the
// deployment (its region), so a token from one region is refused by another
// even if keys were shared by mistake.
func NewKeySet(signer ed25519.PrivateKey, extra []ed25519.PublicKey, issuer string, now amigo.Clock) *KeySet {
	pub := signer.Public().(ed25519.PublicKey)
	ks := &KeySet{signer: signer, kid: KeyID(pub), verify: map[string]ed25519.PublicKey{}, issuer: issuer, ttl: DefaultTTL, now: now}
	ks.verify[ks.kid] = pub
	for _, k := range extra {
		ks.verify[KeyID(k)] = k
	}
	ks.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)
	return ks
}

// KeyID derives a key's kid from its public key.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// Issue returns a signed token for the user of orgID, signed in with the
// API key apiKeyID, and its expiry.
func (ks *KeySet) Issue(orgID, userID, apiKeyID string) (string, time.Time, error) {
	return ks.issue(orgID, userID, apiKeyID, nil)
}

// IssueConsole is Issue for a web console session: the token's audience
// is ConsoleAudience.
func (ks *KeySet) IssueConsole(orgID, userID, apiKeyID string) (string, time.Time, error) {
	return ks.issue(orgID, userID, apiKeyID, jwt.ClaimStrings{ConsoleAudience})
}

func (ks *KeySet) issue(orgID, userID, apiKeyID string, audience jwt.ClaimStrings) (string, time.Time, error) {
	now := ks.now()
	exp := now.Add(ks.ttl).Truncate(time.Second)
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    ks.issuer,
			Subject:   userID,
			Audience:  audience,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        amigo.NewUUID(),
		},
		OrgID: orgID, APIKeyID: apiKeyID,
	})
	t.Header["kid"] = ks.kid
	s, err := t.SignedString(ks.signer)
	return s, exp, err
}

// Verify checks the signature, algorithm, issuer and expiry of raw, and
// that it claims no longer a lifetime than Issue gives, and returns its
// claims. Any failure is EUNAUTHORIZED.
func (ks *KeySet) Verify(raw string) (*Claims, error) {
	var c Claims
	_, err := ks.parser.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := ks.verify[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "The authorization token has expired.")
		}
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid authorization token.")
	}
	if c.Subject == "" || c.OrgID == "" || c.APIKeyID == "" || c.IssuedAt == nil {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "Invalid authorization token.")
	}
	// Whatever exp says, a token lives at most the lifetime this server
	// gives: one signed with a later exp (by a retired key, or a key that
	// leaked) is refused once that lifetime has passed since it was issued.
	if c.ExpiresAt.Sub(c.IssuedAt.Time) > ks.ttl+time.Second || ks.now().Sub(c.IssuedAt.Time) > ks.ttl {
		return nil, amigo.Errorf(amigo.EUNAUTHORIZED, "The authorization token has expired.")
	}
	return &c, nil
}

// Console reports whether the claims are those of a console session.
func (c *Claims) Console() bool {
	return slices.Contains(c.Audience, ConsoleAudience)
}
