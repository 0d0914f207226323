package api

import (
	"net/http"
	"time"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/core"
)

type apiKeyInstance struct {
	ID        string      `json:"_id"`
	Name      *string     `json:"name"`
	OrgID     string      `json:"org_id"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	KeyID     string      `json:"key_id"`
	ExpiresAt time.Time   `json:"expires_at"`
	Creator   creatorInfo `json:"creator"`
	RoleID    string      `json:"role_id"`
}

type creatorInfo struct {
	UserID string `json:"user_id"`
	OrgID  string `json:"org_id"`
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in core.APIKeyInput
	if err := decode(r, &in, defaultMaxBody); err != nil {
		return err
	}
	k, err := s.app.CreateAPIKey(r.Context(), t, &in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, struct {
		APIKeyID  string    `json:"api_key_id"`
		APIKey    string    `json:"api_key"`
		ExpiresAt time.Time `json:"expires_at"`
	}{k.Key.KeyID, k.Secret, k.Key.ExpiresAt})
	return nil
}

func (s *Server) getAPIKeys(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	keys, err := s.app.ListAPIKeys(r.Context(), t)
	if err != nil {
		return err
	}
	out := make([]apiKeyInstance, len(keys))
	for i, k := range keys {
		out[i] = apiKeyInstance{
			ID: k.ID, Name: k.Name, OrgID: k.OrgID, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt, KeyID: k.KeyID,
			ExpiresAt: k.ExpiresAt, Creator: creatorInfo{UserID: k.CreatorUserID, OrgID: k.CreatorOrgID}, RoleID: k.RoleID,
		}
	}
	writeJSON(w, http.StatusOK, map[string][]apiKeyInstance{"api_keys": out})
	return nil
}

func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	id := r.PathValue("api_key_id")
	if err := s.app.DeleteAPIKey(r.Context(), t, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted_key_id": id})
	return nil
}

// signIn exchanges an API key for a user's token.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	w.Header().Set("Cache-Control", "no-store")
	req := core.SignInRequest{APIKey: r.Header.Get("x-api-key"), APIKeyID: r.Header.Get("x-api-key-id"), UserID: r.Header.Get("x-user-id")}
	var missing []amigo.FieldError
	for name, v := range map[string]string{"x-api-key": req.APIKey, "x-api-key-id": req.APIKeyID, "x-user-id": req.UserID} {
		if v == "" {
			missing = append(missing, amigo.FieldError{Loc: []any{"header", name}, Msg: "Field required", Type: "missing"})
		}
	}
	if len(missing) > 0 {
		return amigo.Invalid(missing...)
	}
	addr := clientIP(r)
	if err := s.limits.checkFailedSignIns(r.Context(), w, addr); err != nil {
		return err
	}
	tok, exp, err := s.app.SignIn(r.Context(), t, req)
	if amigo.ErrorCode(err) == amigo.EUNAUTHORIZED {
		if cerr := s.limits.countFailedSignIn(r.Context(), addr); cerr != nil {
			return cerr
		}
		return err
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		IDToken   string    `json:"id_token"`
		ExpiresAt time.Time `json:"expires_at"`
	}{tok, exp})
	return nil
}
