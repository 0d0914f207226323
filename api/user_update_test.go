package api_test

import (
	"sync"
	"testing"

	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// storedUser is what get-users shows of a user that update-user-info changes.
type storedUser struct {
	UserID      string `json:"user_id"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Preferences struct {
		EnableResponseRecommendation bool     `json:"enable_response_recommendation"`
		PreferredLanguage            *string  `json:"preferred_language"`
		ConversationsVisibleToAdmins bool     `json:"conversations_visible_to_admins"`
		Timezone                     *string  `json:"timezone"`
		AudioKeyterms                []string `json:"audio_keyterms"`
	} `json:"preferences"`
}

func TestUpdateUserInfo(t *testing.T) {
	t.Parallel()
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		invite := func(email, role string) string {
			var u struct {
				UserID string `json:"user_id"`
			}
			org.Admin.Do(t, "POST", "/v1/acme/user/", map[string]any{
				"first_name": "Ada", "last_name": "Lovelace", "email": email, "role_name": role,
			}).Expect(201).Decode(&u)
			return u.UserID
		}
		get := func(id string) storedUser {
			var page struct {
				Users []storedUser `json:"users"`
			}
			org.Admin.Do(t, "GET", "/v1/acme/user/?user_id="+id, nil).Expect(200).Decode(&page)
			if len(page.Users) != 1 {
				t.Fatalf("user %s: got %d users", id, len(page.Users))
			}
			return page.Users[0]
		}
		id := invite("ada@example.com", "DefaultUserRole")
		path := "/v1/acme/user/" + id

		t.Run("only the given fields change", func(t *testing.T) {
			org.Admin.Do(t, "POST", path, map[string]any{
				"first_name": "  Augusta ", "preferred_language": "fra", "timezone": "Europe/Paris",
				"audio_keyterms": []string{"amigo"}, "additional_context": []string{"Prefers mornings."},
			}).Expect(204)
			u := get(id)
			if u.FirstName != "Augusta" || u.LastName != "Lovelace" {
				t.Fatalf("names %q %q", u.FirstName, u.LastName)
			}
			if p := u.Preferences; p.PreferredLanguage == nil || *p.PreferredLanguage != "fra" || p.Timezone == nil ||
				*p.Timezone != "Europe/Paris" || len(p.AudioKeyterms) != 1 || !p.ConversationsVisibleToAdmins {
				t.Fatalf("preferences %+v", p)
			}
			// null and absent leave values; {} leaves the language; null erases it.
			org.Admin.Do(t, "POST", path, map[string]any{"first_name": nil, "preferred_language": map[string]any{},
				"enable_response_recommendation": true}).Expect(204)
			if u := get(id); u.FirstName != "Augusta" || *u.Preferences.PreferredLanguage != "fra" || !u.Preferences.EnableResponseRecommendation {
				t.Fatalf("after a partial update: %+v", u)
			}
			org.Admin.Do(t, "POST", path, map[string]any{"preferred_language": nil}).Expect(204)
			if u := get(id); u.Preferences.PreferredLanguage != nil || u.Preferences.Timezone == nil {
				t.Fatalf("null erases only the language: %+v", u.Preferences)
			}
			org.Admin.Do(t, "POST", path, map[string]any{}).Expect(204)
		})
		t.Run("bad values are 422 at their field", func(t *testing.T) {
			r := org.Admin.Do(t, "POST", path, map[string]any{
				"first_name": " ", "preferred_language": "klingon", "timezone": "Mars/Olympus",
				"audio_keyterms": []string{"UPPER"}, "additional_context": []string{""},
			}).Expect(422)
			want := []string{"body.first_name", "body.preferred_language", "body.timezone", "body.audio_keyterms.0", "body.additional_context.0"}
			if !sameSet(r.Locs(), want) {
				t.Fatalf("locs %v, want %v", r.Locs(), want)
			}
			if u := get(id); u.FirstName != "Augusta" {
				t.Fatalf("a refused update changed the user: %+v", u)
			}
		})
		t.Run("unknown user is 404", func(t *testing.T) {
			org.Admin.Do(t, "POST", "/v1/acme/user/000000000000000000000000", map[string]any{"first_name": "X"}).Expect(404)
		})
		t.Run("a user without the permission cannot update, not even themselves", func(t *testing.T) {
			user := inviteAndSignIn(t, env, org, "DefaultUserRole")
			user.Do(t, "POST", path, map[string]any{"first_name": "Mallory"}).Expect(403)
		})
		t.Run("an administrator cannot update a super administrator", func(t *testing.T) {
			admin := inviteAndSignIn(t, env, org, "DefaultAdministratorRole")
			boss := invite("boss@example.com", "DefaultSuperAdministratorRole")
			admin.Do(t, "POST", "/v1/acme/user/"+boss, map[string]any{"first_name": "Mallory"}).Expect(403)
			admin.Do(t, "POST", path, map[string]any{"last_name": "Byron"}).Expect(204)
		})
		t.Run("concurrent updates of different fields both stick", func(t *testing.T) {
			var wg sync.WaitGroup
			for _, body := range []map[string]any{{"first_name": "Left"}, {"last_name": "Right"}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					org.Admin.Do(t, "POST", path, body).Expect(204)
				}()
			}
			wg.Wait()
			if u := get(id); u.FirstName != "Left" || u.LastName != "Right" {
				t.Fatalf("lost an update: %+v", u)
			}
		})
	})
}
