package api

import (
	"net/http"

	"github.com/amigo-oss/amigo-server"
	"github.com/amigo-oss/amigo-server/api/wire"
	"github.com/amigo-oss/amigo-server/core"
	"github.com/amigo-oss/amigo-server/internal/shape"
)

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var in wire.APIKeyInput
	bad, err := decode(r, &in, defaultMaxBody)
	if err != nil {
		return err
	}
	cmd := shape.Convert[core.APIKeyInput](in)
	cmd.Malformed = bad
	k, err := s.app.CreateAPIKey(r.Context(), t, &cmd)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, wire.CreatedAPIKey{APIKeyID: k.Key.KeyID, APIKey: k.Secret, ExpiresAt: k.Key.ExpiresAt})
	return nil
}

func (s *Server) getAPIKeys(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	keys, err := s.app.ListAPIKeys(r.Context(), t)
	if err != nil {
		return err
	}
	out := wire.APIKeyList{APIKeys: make([]wire.APIKeyInstance, len(keys))}
	for i, k := range keys {
		out.APIKeys[i] = wire.NewAPIKey(k)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteAPIKey(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	id := r.PathValue("api_key_id")
	if err := s.app.DeleteAPIKey(r.Context(), t, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.DeletedAPIKey{DeletedKeyID: id})
	return nil
}

// signIn exchanges an API key for a user's token.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	w.Header().Set("Cache-Control", "no-store")
	req := core.SignInRequest{APIKey: r.Header.Get("x-api-key"), APIKeyID: r.Header.Get("x-api-key-id"), UserID: r.Header.Get("x-user-id"),
		Console: amigo.FromConsole(r.Context())}
	var missing []amigo.FieldError
	for _, h := range []struct{ name, v string }{{"x-api-key", req.APIKey}, {"x-api-key-id", req.APIKeyID}, {"x-user-id", req.UserID}} {
		if name, v := h.name, h.v; v == "" {
			missing = append(missing, amigo.FieldError{In: "header", Loc: []any{name}, Msg: "Field required", Type: "missing"})
		}
	}
	if len(missing) > 0 {
		return amigo.Invalid(missing...)
	}
	addr := s.clientIP(r)
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
	writeJSON(w, http.StatusOK, wire.SignIn{IDToken: tok, ExpiresAt: exp})
	return nil
}
