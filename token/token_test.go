package token

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/amigo-oss/amigo-server"
)

func newKey(t *testing.T) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	key, other := newKey(t), newKey(t)
	ks := NewKeySet(key, nil, "amigo-server/local", clock)
	tok, exp, err := ks.Issue("acme", "u1", "k1")
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(DefaultTTL)) {
		t.Fatalf("expiry %v", exp)
	}
	if c, err := ks.Verify(tok); err != nil || c.OrgID != "acme" || c.Subject != "u1" {
		t.Fatalf("claims %+v, err %v", c, err)
	}

	header, payload, _ := strings.Cut(tok, ".")
	payload, _, _ = strings.Cut(payload, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"`+KeyID(key.Public().(ed25519.PublicKey))+`"}`)) + "." + payload + "."
	otherKey, _, _ := NewKeySet(other, nil, "amigo-server/local", clock).Issue("acme", "u1", "k1")
	otherRegion, _, _ := NewKeySet(key, nil, "amigo-server/eu", clock).Issue("acme", "u1", "k1")
	for name, raw := range map[string]string{
		"alg none":     none,
		"unknown key":  otherKey,
		"other issuer": otherRegion,
		"garbage":      "x.y.z",
		"header only":  header,
		"tampered":     flipSignature(tok),
	} {
		if _, err := ks.Verify(raw); amigo.ErrorCode(err) != amigo.EUNAUTHORIZED {
			t.Errorf("%s: err %v, want EUNAUTHORIZED", name, err)
		}
	}

	now = now.Add(DefaultTTL + time.Second)
	if _, err := ks.Verify(tok); amigo.ErrorCode(err) != amigo.EUNAUTHORIZED || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token: %v", err)
	}
}

func TestRotation(t *testing.T) {
	clock := func() time.Time { return time.Now() }
	oldKey, newKeyPair := newKey(t), newKey(t)
	old := NewKeySet(oldKey, nil, "i", clock)
	tok, _, _ := old.Issue("acme", "u1", "k1")
	rotated := NewKeySet(newKeyPair, []ed25519.PublicKey{oldKey.Public().(ed25519.PublicKey)}, "i", clock)
	if _, err := rotated.Verify(tok); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
}

// flipSignature changes a character in the middle of the signature, where
// every bit counts (the last character of a base64 signature carries
// padding bits that a lenient decoder ignores).
func flipSignature(tok string) string {
	b := []byte(tok)
	i := strings.LastIndexByte(tok, '.') + 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestLifetimeCapped checks that a token signed with a later exp than Issue
// gives, as a leaked or retired key could sign, is refused however far its
// exp is, and that a token without an API key id is refused.
func TestLifetimeCapped(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := newKey(t)
	ks := NewKeySet(key, nil, "amigo-server/local", func() time.Time { return now })
	sign := func(c Claims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
		tok.Header["kid"] = KeyID(key.Public().(ed25519.PublicKey))
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(iat, exp time.Time, keyID string) Claims {
		return Claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "amigo-server/local", Subject: "u1",
			IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)}, OrgID: "acme", APIKeyID: keyID}
	}
	for name, tc := range map[string]struct {
		c    Claims
		want bool
	}{
		"as issued":            {claims(now, now.Add(DefaultTTL), "k1"), true},
		"exp a year away":      {claims(now, now.Add(365*24*time.Hour), "k1"), false},
		"issued two hours ago": {claims(now.Add(-2*time.Hour), now.Add(time.Hour), "k1"), false},
		"no api key id":        {claims(now, now.Add(DefaultTTL), ""), false},
		"no iat, exp within an hour": {Claims{RegisteredClaims: jwt.RegisteredClaims{Issuer: "amigo-server/local", Subject: "u1",
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}, OrgID: "acme", APIKeyID: "k1"}, false},
	} {
		_, err := ks.Verify(sign(tc.c))
		if got := err == nil; got != tc.want {
			t.Errorf("%s: accepted %v, want %v (err %v)", name, got, tc.want, err)
		}
	}
}
