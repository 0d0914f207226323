package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// TestServiceListingsUnderConcurrentWrites creates and re-tags services
// from several clients at once while others page through a tag listing,
// then checks that the read models kept beside the services (the tag
// counts behind filter_values, the names on the tag index) agree exactly
// with the services: filter_values is the set of tags present, and every
// tag's listing by name pages through exactly its services, in order, with
// has_more and tokens that neither skip nor repeat one.
func TestServiceListingsUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		f := newServiceFixture(t, env)
		c := f.org.Admin
		pool := []map[string]any{
			{"env": "prod"}, {"env": "dev", "team": nil}, {"team": "a"}, {"team": "b", "env": "prod"}, {},
		}
		var mu sync.Mutex
		var ids []string
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(w), 1))
				for i := range 8 {
					body := f.body(fmt.Sprintf("svc-%d-%d", w, i), true, pool[rnd.IntN(len(pool))])
					r := c.Do(t, "POST", "/v1/acme/service/", body)
					if r.Status != 201 {
						t.Errorf("create: %d %s", r.Status, r.Body)
						return
					}
					var out struct {
						ID string `json:"id"`
					}
					json.Unmarshal(r.Body, &out)
					mu.Lock()
					ids = append(ids, out.ID)
					victim := ids[rnd.IntN(len(ids))]
					mu.Unlock()
					// Re-tag (and rename) a service someone created.
					r = c.Do(t, "POST", "/v1/acme/service/"+victim+"/", map[string]any{
						"tags": pool[rnd.IntN(len(pool))], "name": fmt.Sprintf("re-%d-%d", w, i),
					})
					if r.Status != 204 && r.Status != 200 {
						t.Errorf("update: %d %s", r.Status, r.Body)
					}
				}
			}()
		}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					if r := c.Do(t, "GET", "/v1/acme/service/?tags=env:prod&sort_by=%2Bname&limit=3", nil); r.Status != 200 {
						t.Errorf("list: %d %s", r.Status, r.Body)
					}
				}
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}

		// Then concurrently re-tag every service away from the tags of
		// pool[1], so that they must leave filter_values.
		for _, s := range pages(t, c, "?sort_by=%2Bname&limit=20") {
			if !slices.ContainsFunc(s.Tags, func(tag tagJSON) bool {
				return tag.Key == "team" && tag.Value == nil || tag.Key == "env" && tag.Value != nil && *tag.Value == "dev"
			}) {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := c.Do(t, "POST", "/v1/acme/service/"+s.ID+"/", map[string]any{"tags": pool[2]}); r.Status != 204 && r.Status != 200 {
					t.Errorf("re-tag: %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		if tags := listServices(t, c, "").FilterValues.Tags; slices.Contains(tags, "env:dev") || slices.Contains(tags, "team:") {
			t.Errorf("filter_values %v still lists the tags no service has", tags)
		}

		// The truth: every service with its tags, from the unfiltered listing.
		all := pages(t, c, "?sort_by=%2Bname&limit=7")
		present := map[string]bool{}
		for _, s := range all {
			for _, tag := range s.Tags {
				present[tagString(tag.Key, tag.Value)] = true
			}
		}
		if got, want := listServices(t, c, "").FilterValues.Tags, slices.Sorted(maps.Keys(present)); !slices.Equal(got, want) {
			t.Fatalf("filter_values %v, want %v", got, want)
		}
		for tag := range present {
			var want []string
			for _, s := range all {
				for _, st := range s.Tags {
					if tagString(st.Key, st.Value) == tag {
						want = append(want, s.Name)
					}
				}
			}
			for _, sort := range []string{"%2Bname", "-name"} {
				var got []string
				for _, s := range pages(t, c, "?tags="+tag+"&sort_by="+sort+"&limit=4") {
					got = append(got, s.Name)
				}
				if sort == "-name" {
					slices.Reverse(got)
				}
				if !slices.Equal(got, want) {
					t.Errorf("tag %s sorted %s: got %v, want %v", tag, sort, got, want)
				}
			}
		}
	})
}

// pages follows continuation tokens from the first page of query to the end.
func pages(t *testing.T, c *testenv.Client, query string) []serviceInstance {
	t.Helper()
	var out []serviceInstance
	token := 0
	for {
		l := listServices(t, c, fmt.Sprintf("%s&continuation_token=%d", query, token))
		out = append(out, l.Services...)
		if !l.HasMore {
			return out
		}
		token = *l.ContinuationToken
	}
}

// tagJSON is one tag of a listed service.
type tagJSON = struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

func tagString(key string, value *string) string {
	if value == nil {
		return key + ":"
	}
	return key + ":" + *value
}
