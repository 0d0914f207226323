package api_test

import (
	"encoding/base64"
	"testing"

	forged "github.com/amigo-oss/amigo-server/internal/forge"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestForgedImages sends issue 11's forged images, built here in Go, as
// organization images: each is a 422 located at its field, and nothing is
// stored.
func TestForgedImages(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	bomb := b64(forged.PNG(10000, 4000)) // ~40 kB inflating to 40 MB
	icon48 := forged.PNG(48, 48)
	cases := []struct {
		name, field, image string
	}{
		{"PNG header claiming 100000×40000", "logo", b64(forged.HeaderOnlyPNG(100000, 40000))},
		{"PNG header only, plausible size", "logo", b64(forged.HeaderOnlyPNG(500, 200))},
		{"PNG cut off in its data", "logo", b64(forged.TruncatedPNG(500, 200))},
		{"decompression bomb 10000×4000", "logo", bomb},
		{"square PNG header claiming 50000×50000", "square_logo", b64(forged.HeaderOnlyPNG(50000, 50000))},
		{"truncated square logo", "square_logo", b64(forged.TruncatedPNG(64, 64))},
		{"truncated headshot", "signup_page_headshot", b64(forged.TruncatedPNG(292, 400))},
		{"ICO entry claiming 100000×100000", "favicon", b64(forged.ICO(1, 0, 0, forged.HeaderOnlyPNG(100000, 100000)))},
		{"ICO directory disagreeing with its entry", "favicon", b64(forged.ICO(1, 0, 0, icon48))},
		{"ICO with 1,000 entries", "favicon", b64(forged.ICO(1000, 48, 48, icon48))},
		{"ICO with a truncated entry", "favicon", b64(forged.ICO(1, 48, 48, forged.TruncatedPNG(48, 48)))},
	}
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		admin := env.Admin.With("X-ORG-ID", testenv.PlatformOrg)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := testenv.OrgBody("forged")
				body[tc.field] = tc.image
				r := admin.Do(t, "PUT", "/v1/forged/organization/", body, testenv.Header("x-mongo-cluster-name", "default")).Expect(422)
				if locs := r.Locs(); len(locs) != 1 || locs[0] != "body."+tc.field {
					t.Fatalf("locs %v, want [body.%s]; body %s", locs, tc.field, r.Body)
				}
			})
		}
		t.Run("a real icon with several entries is accepted", func(t *testing.T) {
			body := testenv.OrgBody("iconic")
			body["favicon"] = b64(forged.ICO(3, 48, 48, icon48))
			admin.Do(t, "PUT", "/v1/iconic/organization/", body, testenv.Header("x-mongo-cluster-name", "default")).Expect(201)
		})
		env.Anonymous(t).Do(t, "GET", "/v1/forged/organization/", nil).Expect(404)
	})
}
