package core

import (
	"encoding/base64"
	"runtime"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/forge"
)

// FuzzDecodeImage feeds arbitrary bytes to every image rule: nothing may
// panic, an accepted image must be within the budget, and no input may
// make the check allocate more than the budget's worst full decode (8
// bytes a pixel) plus a small multiple of its size.
//
//	go test ./core -run '^$' -fuzz FuzzDecodeImage -fuzztime 5m
func FuzzDecodeImage(f *testing.F) {
	for _, seed := range [][]byte{
		forge.PNG(500, 200), forge.HeaderOnlyPNG(100000, 40000), forge.TruncatedPNG(64, 64),
		forge.ICO(2, 48, 48, forge.PNG(48, 48)), forge.ICO(1000, 48, 48, forge.PNG(48, 48)),
	} {
		f.Add(seed)
	}
	rules := []imageRule{logoRule, squareRule, faviconRule, headshotRule}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b64 := base64.StdEncoding.EncodeToString(raw)
		for _, rule := range rules {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := decodeImage(b64, rule)
			runtime.ReadMemStats(&after)
			bound := uint64(8*MaxImagePixels + 16*len(raw) + 1<<20)
			if got := after.TotalAlloc - before.TotalAlloc; got > bound {
				t.Fatalf("rule %+v: %d bytes allocated for a %d-byte input, bound %d", rule, got, len(raw), bound)
			}
			if err == nil && !rule.ico {
				w, h, _ := pngSize(raw)
				if w*h > MaxImagePixels {
					t.Fatalf("accepted %d×%d", w, h)
				}
			}
		}
	})
}

// TestImageBudget checks the forged files of issue 11 directly, and that the
// budget's edge is accepted.
func TestImageBudget(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	for name, tc := range map[string]struct {
		raw  []byte
		rule imageRule
		ok   bool
	}{
		"logo at the budget": {forge.PNG(3200, 1280), logoRule, true},
		"bomb":               {forge.PNG(10000, 4000), logoRule, false},
		"header only":        {forge.HeaderOnlyPNG(100000, 40000), logoRule, false},
		"truncated":          {forge.TruncatedPNG(500, 200), logoRule, false},
		"icon 1000 entries":  {forge.ICO(1000, 48, 48, forge.PNG(48, 48)), faviconRule, false},
		"icon at 256":        {forge.ICO(1, 0, 0, forge.PNG(256, 256)), faviconRule, true},
		"icon claiming 100k": {forge.ICO(1, 0, 0, forge.HeaderOnlyPNG(100000, 100000)), faviconRule, false},
		"icon 32 entries":    {forge.ICO(MaxIconEntries, 48, 48, forge.PNG(48, 48)), faviconRule, true},
	} {
		_, err := decodeImage(b64(tc.raw), tc.rule)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", name, err, tc.ok)
		}
	}
}
