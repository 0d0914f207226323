package token

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

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
	tok, exp, err := ks.Issue("acme", "u1")
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
	otherKey, _, _ := NewKeySet(other, nil, "amigo-server/local", clock).Issue("acme", "u1")
	otherRegion, _, _ := NewKeySet(key, nil, "amigo-server/eu", clock).Issue("acme", "u1")
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
	tok, _, _ := old.Issue("acme", "u1")
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
