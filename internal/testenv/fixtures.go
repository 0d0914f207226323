package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// PNG returns a base64 PNG of the given size.
func PNG(w, h int) string {
	return base64.StdEncoding.EncodeToString(pngBytes(w, h))
}

func pngBytes(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.NRGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// ICO returns a base64 ICO holding one PNG image of the given size.
func ICO(w, h int) string {
	img := pngBytes(w, h)
	var buf bytes.Buffer
	le := func(v any) { binary.Write(&buf, binary.LittleEndian, v) }
	le(uint16(0))
	le(uint16(1))
	le(uint16(1))
	dim := func(n int) uint8 {
		if n >= 256 {
			return 0
		}
		return uint8(n)
	}
	buf.WriteByte(dim(w))
	buf.WriteByte(dim(h))
	buf.WriteByte(0)
	buf.WriteByte(0)
	le(uint16(1))
	le(uint16(32))
	le(uint32(len(img)))
	le(uint32(6 + 16))
	buf.Write(img)
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// OrgBody returns a valid create-organization body.
func OrgBody(name string) map[string]any {
	return map[string]any{
		"org_name":                 name,
		"title":                    name + " AI",
		"main_description":         "Intelligent assistants",
		"sub_description":          "Personalized, compliant AI",
		"user_dimensions":          []any{map[string]any{"description": "Age group", "tags": []string{"adult"}}},
		"logo":                     PNG(500, 200),
		"square_logo":              PNG(64, 64),
		"favicon":                  ICO(48, 48),
		"signup_page_headshot":     PNG(292, 400),
		"default_user_preferences": map[string]any{"preferred_language": "eng"},
		"onboarding_instructions":  []string{"Welcome"},
		"azure_devops_team_name":   "example-team",
	}
}

// Org is an organization created through the API, with a client signed in
// as its super administrator.
type Org struct {
	ID     string
	Admin  *Client
	UserID string
	// APIKey and APIKeyID are the super-administrator key Admin signed in
	// with, for clients that sign in by themselves (the SDK, the CLI).
	APIKey, APIKeyID string
}

// CreateOrg creates an organization on the default cluster as the
// platform administrator and signs in as its admin@amigo.ai.
func (e *Env) CreateOrg(t testing.TB, id string) *Org {
	t.Helper()
	return e.CreateOrgOn(t, id, "default")
}

// AdminOf signs in as admin@amigo.ai of an existing organization, using a
// super-administrator API key the platform administrator creates there.
func (e *Env) AdminOf(t testing.TB, id string) *Org {
	t.Helper()
	cross := e.Admin.With("X-ORG-ID", PlatformOrg)
	var key struct {
		APIKey   string `json:"api_key"`
		APIKeyID string `json:"api_key_id"`
	}
	cross.Do(t, "POST", "/v1/"+id+"/organization/api_key/", map[string]any{
		"name": "test", "duration": "P7D", "role_name": "DefaultSuperAdministratorRole",
	}).Expect(201).Decode(&key)
	var users struct {
		Users []struct {
			UserID string `json:"user_id"`
		} `json:"users"`
	}
	cross.Do(t, "GET", "/v1/"+id+"/user/?email=admin@amigo.ai", nil).Expect(200).Decode(&users)
	if len(users.Users) != 1 {
		t.Fatalf("admin@amigo.ai of %s not found", id)
	}
	uid := users.Users[0].UserID
	return &Org{ID: id, UserID: uid, Admin: e.SignIn(t, id, key.APIKey, key.APIKeyID, uid), APIKey: key.APIKey, APIKeyID: key.APIKeyID}
}
