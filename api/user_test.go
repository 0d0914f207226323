package api_test

import (
	"fmt"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		const users = "/v1/acme/user/"
		invite := func(c *testenv.Client, email, role string) *testenv.Response {
			return c.Do(t, "POST", users, map[string]any{
				"first_name": "Ada", "last_name": "Lovelace", "email": email, "role_name": role,
				"login_link": "https://acme.example.com/login",
			})
		}
		var ids []string
		for i := range 5 {
			var u struct {
				UserID     string  `json:"user_id"`
				VerifyLink *string `json:"verify_link"`
			}
			invite(org.Admin, fmt.Sprintf("user%d@example.com", i), "DefaultUserRole").Expect(201).Decode(&u)
			ids = append(ids, u.UserID)
		}

		t.Run("same email twice is 409", func(t *testing.T) {
			invite(org.Admin, "user0@example.com", "DefaultUserRole").Expect(409)
		})
		t.Run("invalid body lists every violation", func(t *testing.T) {
			r := org.Admin.Do(t, "POST", users, map[string]any{"first_name": "", "email": "not-an-email"}).Expect(422)
			want := []string{"body.first_name", "body.last_name", "body.email", "body.role_name"}
			if !sameSet(r.Locs(), want) {
				t.Fatalf("locs %v, want %v", r.Locs(), want)
			}
		})
		t.Run("unknown role is 404", func(t *testing.T) {
			invite(org.Admin, "x@example.com", "Nope").Expect(404)
		})
		t.Run("filter by email and id", func(t *testing.T) {
			var got struct {
				Users []struct {
					UserID string `json:"user_id"`
					Email  string `json:"email"`
				} `json:"users"`
			}
			org.Admin.Do(t, "GET", users+"?email=user3@example.com&user_id="+ids[1], nil).Expect(200).Decode(&got)
			if len(got.Users) != 0 {
				t.Fatalf("filters are ANDed; got %+v", got.Users)
			}
			org.Admin.Do(t, "GET", users+"?user_id="+ids[1]+"&user_id="+ids[2], nil).Expect(200).Decode(&got)
			if len(got.Users) != 2 {
				t.Fatalf("got %+v", got.Users)
			}
		})
		t.Run("pagination", func(t *testing.T) {
			seen := map[string]bool{}
			token := 0
			for pages := 0; ; pages++ {
				var page struct {
					Users []struct {
						UserID string `json:"user_id"`
					} `json:"users"`
					HasMore           bool `json:"has_more"`
					ContinuationToken *int `json:"continuation_token"`
				}
				org.Admin.Do(t, "GET", fmt.Sprintf("%s?limit=2&continuation_token=%d", users, token), nil).Expect(200).Decode(&page)
				for _, u := range page.Users {
					if seen[u.UserID] {
						t.Fatalf("user %s listed twice", u.UserID)
					}
					seen[u.UserID] = true
				}
				if !page.HasMore {
					break
				}
				token = *page.ContinuationToken
			}
			if len(seen) != 6 {
				t.Fatalf("saw %d users, want 6", len(seen))
			}
			org.Admin.Do(t, "GET", users+"?limit=101", nil).Expect(422)
		})
		t.Run("sort by email", func(t *testing.T) {
			var got struct {
				Users []struct {
					Email string `json:"email"`
				} `json:"users"`
			}
			org.Admin.Do(t, "GET", users+"?sort_by=-email&sort_by=%2Buser_stats.num_messages&limit=3", nil).Expect(200).Decode(&got)
			if len(got.Users) != 3 || got.Users[0].Email != "user4@example.com" || got.Users[2].Email != "user2@example.com" {
				t.Fatalf("got %+v", got.Users)
			}
			org.Admin.Do(t, "GET", users+"?sort_by=age", nil).Expect(422)
		})
		t.Run("a caller cannot invite a more privileged user", func(t *testing.T) {
			admin := inviteAndSignIn(t, env, org, "DefaultAdministratorRole")
			invite(admin, "boss@example.com", "DefaultSuperAdministratorRole").Expect(403)
			user := inviteAndSignIn(t, env, org, "DefaultUserRole")
			invite(user, "peer@example.com", "DefaultUserRole").Expect(403)
		})
		t.Run("a deleted user's token stops working at once", func(t *testing.T) {
			var u struct {
				UserID string `json:"user_id"`
			}
			invite(org.Admin, "leaver@example.com", "DefaultAdministratorRole").Expect(201).Decode(&u)
			k := createKey(t, org.Admin, "acme", "DefaultAdministratorRole", "P1D")
			leaver := env.SignIn(t, "acme", k.APIKey, k.APIKeyID, u.UserID)
			leaver.Do(t, "GET", users, nil).Expect(200)
			org.Admin.Do(t, "DELETE", users+u.UserID, nil).Expect(204)
			leaver.Do(t, "GET", users, nil).Expect(401)
			org.Admin.Do(t, "DELETE", users+u.UserID, nil).Expect(404)
		})
	})
}
