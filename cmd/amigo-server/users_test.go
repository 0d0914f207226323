package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/internal/testenv"
)

// cli runs operator commands in-process against the databases of a running
// test server.
type cli struct {
	t    *testing.T
	base []string
}

func newCLI(t *testing.T, env *testenv.Env) *cli {
	cfg := env.Runtime.Config
	base := []string{"--data-dir", cfg.DataDir, "--directory-url", cfg.DirectoryURL, "--log-format", "json"}
	for name, url := range cfg.Clusters {
		base = append(base, "--cluster", name+"="+url)
	}
	return &cli{t: t, base: base}
}

// run runs the command and returns its standard output.
func (c *cli) run(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	root := newRootCommand(&stdout, &stderr)
	root.SetArgs(append(args, c.base...))
	err := root.ExecuteContext(context.Background())
	return stdout.String(), err
}

// ok runs the command and fails the test if it fails.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("amigo-server %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// fails runs the command and checks that it fails with a message
// containing want.
func (c *cli) fails(want string, args ...string) {
	c.t.Helper()
	if _, err := c.run(args...); err == nil || !strings.Contains(err.Error(), want) {
		c.t.Fatalf("amigo-server %s: error %v, want one containing %q", strings.Join(args, " "), err, want)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var objectID = regexp.MustCompile(`^[a-f0-9]{24}\n$`)

func TestUsersAndRolesCommands(t *testing.T) {
	testenv.Run(t, func(t *testing.T, b testenv.Backend) {
		env := testenv.Start(t, b)
		org := env.CreateOrg(t, "acme")
		cmd := newCLI(t, env)
		grants := writeFile(t, "support.json", `[
			{"permission": "Service:GetService", "conditions": {"tags": ["team:support"]}},
			{"permission": "Service:UpdateService", "conditions": {"tags": ["team:support"]}}
		]`)

		roleID := cmd.ok("roles", "put", "--org", "acme", "--name", "SupportEditor", "--description", "Edits support's services", "--file", grants)
		if !objectID.MatchString(roleID) {
			t.Fatalf("roles put printed %q, want the role id", roleID)
		}
		userID := cmd.ok("users", "create", "--org", "acme", "--email", "sam@example.com", "--role", "SupportEditor", "--first-name", "Sam")
		if !objectID.MatchString(userID) {
			t.Fatalf("users create printed %q, want the user id", userID)
		}
		roleID, userID = strings.TrimSpace(roleID), strings.TrimSpace(userID)

		t.Run("the API sees the user with the custom role", func(t *testing.T) {
			var users struct {
				Users []struct {
					UserID    string `json:"user_id"`
					FirstName string `json:"first_name"`
					Role      string `json:"role"`
				} `json:"users"`
			}
			org.Admin.Do(t, "GET", "/v1/acme/user/?email=sam@example.com", nil).Expect(200).Decode(&users)
			if len(users.Users) != 1 || users.Users[0].UserID != userID || users.Users[0].Role != roleID || users.Users[0].FirstName != "Sam" {
				t.Fatalf("got %+v", users.Users)
			}
		})
		t.Run("set-role takes effect on the next request", func(t *testing.T) {
			var key struct {
				APIKey   string `json:"api_key"`
				APIKeyID string `json:"api_key_id"`
			}
			org.Admin.Do(t, "POST", "/v1/acme/organization/api_key/", map[string]any{"name": "sam", "duration": "P1D", "role_name": "SupportEditor"}).Expect(201).Decode(&key)
			sam := env.SignIn(t, "acme", key.APIKey, key.APIKeyID, userID)
			r := sam.Do(t, "GET", "/v1/acme/user/", nil).Expect(403)
			if !strings.Contains(r.Detail(), amigo.PermGetUserInfo) {
				t.Fatalf("detail %q", r.Detail())
			}
			cmd.ok("users", "set-role", "--org", "acme", "--email", "sam@example.com", "--role", "DefaultAdministratorRole")
			// An operator command is another process: the server sees the
			// change once its cached caller expires, within the cache TTL.
			testenv.Eventually(t, 5*time.Second, "the new role in force", func() bool {
				return sam.Do(t, "GET", "/v1/acme/user/", nil).Status == 200
			})
		})
		t.Run("users list", func(t *testing.T) {
			out := cmd.ok("users", "list", "--org", "acme")
			if !strings.Contains(out, userID) || !regexp.MustCompile(`sam@example.com\s+DefaultAdministratorRole`).MatchString(out) ||
				!strings.Contains(out, amigo.SuperUserEmail) {
				t.Fatalf("users list:\n%s", out)
			}
		})
		t.Run("roles list", func(t *testing.T) {
			out := cmd.ok("roles", "list", "--org", "acme")
			for _, name := range []string{"SupportEditor", amigo.RoleUser, amigo.RoleAdministrator, amigo.RoleAmigoAdministrator, amigo.RoleSuperAdministrator} {
				if !strings.Contains(out, name) {
					t.Fatalf("roles list lacks %s:\n%s", name, out)
				}
			}
			var roles []wire.Role
			if err := json.Unmarshal([]byte(cmd.ok("roles", "list", "--org", "acme", "--json")), &roles); err != nil {
				t.Fatal(err)
			}
			for _, r := range roles {
				if r.Name == "SupportEditor" && (r.ID != roleID || len(r.Grants) != 2 || r.Grants[0].Conditions["tags"][0] != "team:support" || r.Builtin) {
					t.Fatalf("SupportEditor: %+v", r)
				}
			}
		})
		t.Run("roles put replaces a custom role's grants", func(t *testing.T) {
			readOnly := writeFile(t, "read.json", `[{"permission": "Service:GetService", "conditions": {"tags": ["team:support"]}}]`)
			if again := strings.TrimSpace(cmd.ok("roles", "put", "--org", "acme", "--name", "SupportEditor", "--file", readOnly)); again != roleID {
				t.Fatalf("replaced role id %s, want %s", again, roleID)
			}
			var roles []wire.Role
			json.Unmarshal([]byte(cmd.ok("roles", "list", "--org", "acme", "--json")), &roles)
			for _, r := range roles {
				if r.Name == "SupportEditor" && len(r.Grants) != 1 {
					t.Fatalf("grants not replaced: %+v", r.Grants)
				}
			}
		})
		t.Run("refusals", func(t *testing.T) {
			cmd.fails("default role", "roles", "put", "--org", "acme", "--name", amigo.RoleUser, "--file", grants)
			cmd.fails("unknown permission", "roles", "put", "--org", "acme", "--name", "Bad", "--file",
				writeFile(t, "bad.json", `[{"permission": "Service:Everything"}]`))
			cmd.fails(`no attribute "tag"`, "roles", "put", "--org", "acme", "--name", "Bad", "--file",
				writeFile(t, "typo.json", `[{"permission": "Service:GetService", "conditions": {"tag": ["team:support"]}}]`))
			cmd.fails("unknown field", "roles", "put", "--org", "acme", "--name", "Bad", "--file",
				writeFile(t, "field.json", `[{"permission": "Service:GetService", "condition": {"tags": ["team:support"]}}]`))
			cmd.fails("JSON list", "roles", "put", "--org", "acme", "--name", "Bad", "--file", writeFile(t, "obj.json", `{"grants": []}`))
			cmd.fails("Role names", "roles", "put", "--org", "acme", "--name", "no spaces", "--file", grants)
			cmd.fails("not found", "users", "create", "--org", "acme", "--email", "x@example.com", "--role", "NoSuchRole")
			cmd.fails("already exists", "users", "create", "--org", "acme", "--email", "sam@example.com", "--role", amigo.RoleUser)
			cmd.fails("not a valid email", "users", "create", "--org", "acme", "--email", "nobody", "--role", amigo.RoleUser)
			cmd.fails("not found", "users", "set-role", "--org", "acme", "--email", "nobody@example.com", "--role", amigo.RoleUser)
			cmd.fails("not found", "users", "list", "--org", "nowhere")
			cmd.fails(`required flag(s) "role" not set`, "users", "create", "--org", "acme", "--email", "x@example.com")
		})
	})
}
