package console

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/amigo-oss/amigo-server/client"
)

// organization reads the organization's public view (get-organization
// without a token), as the sign-in page must before anyone signs in.
func (c *Console) organization(r *http.Request, org string) (*client.Organization, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, apiBase+"/v1/"+url.PathEscape(org)+"/organization/", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient(r).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body struct {
			Detail string `json:"detail"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		if body.Detail == "" {
			body.Detail = http.StatusText(resp.StatusCode)
		}
		return nil, &client.APIError{Operation: "get-organization", StatusCode: resp.StatusCode, Detail: body.Detail}
	}
	var out client.Organization
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return &out, nil
}

// brand is what the sign-in page shows of its organization.
type brand struct {
	Name, Title, MainDescription, SubDescription string
	HasLogo, HasHeadshot                         bool
	// Error is the refusal of the last sign-in attempt.
	Error string
	// Entered keeps the ids the user typed (never the secret).
	APIKeyID, UserID string
}

func brandOf(o *client.Organization) brand {
	title := o.Title
	if title == "" {
		title = o.OrgName
	}
	return brand{Name: o.OrgName, Title: title, MainDescription: o.MainDescription, SubDescription: o.SubDescription,
		HasLogo: o.Logo != nil, HasHeadshot: o.SignupPageHeadshot != nil}
}

// signInPage shows the organization's branded sign-in, or sends a
// signed-in user on.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request, v *visit) error {
	if s, err := c.currentSession(r, v.org); err != nil {
		return err
	} else if s != nil {
		http.Redirect(w, r, v.orgURL("home"), http.StatusSeeOther)
		return nil
	}
	org, err := c.organization(r, v.org)
	if err != nil {
		return err
	}
	c.render(w, v, http.StatusOK, "signin.html", "Sign in", brandOf(org))
	return nil
}

// signIn exchanges the form's API key for the API's token and keeps it in
// the session cookie.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request, v *visit) error {
	keyID, key, userID := r.PostFormValue("api_key_id"), r.PostFormValue("api_key"), r.PostFormValue("user_id")
	api, err := client.New(client.Config{APIKey: key, APIKeyID: keyID, UserID: userID, OrganizationID: v.org,
		BaseURL: apiBase, HTTPClient: c.httpClient(r), MaxRetries: -1})
	var res *client.SignInResult
	if err == nil {
		res, err = api.SignIn(r.Context())
	} else {
		err = &client.APIError{Operation: "sign-in-with-api-key", StatusCode: http.StatusUnprocessableEntity,
			Detail: "Enter the API key id, the API key and the user id."}
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode != http.StatusNotFound {
		org, orgErr := c.organization(r, v.org)
		if orgErr != nil {
			return orgErr
		}
		b := brandOf(org)
		b.Error, b.APIKeyID, b.UserID = apiErr.Detail, keyID, userID
		if len(apiErr.Items) > 0 {
			b.Error = "Enter the API key id, the API key and the user id."
		}
		c.render(w, v, apiErr.StatusCode, "signin.html", "Sign in", b)
		return nil
	} else if err != nil {
		return err
	}
	setSession(w, r, v.org, res.IDToken, res.ExpiresAt)
	newCSRFToken(w, r)
	http.Redirect(w, r, v.orgURL("home"), http.StatusSeeOther)
	return nil
}

// signOut ends the session on every server (Options.SignOut), then
// forgets the cookie. If the session cannot be ended the cookie stays, so
// the browser can try again, and the user is told.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, v *visit) error {
	if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := c.endSession(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	clearSession(w, r, v.org)
	http.Redirect(w, r, v.orgURL(""), http.StatusSeeOther)
	return nil
}

// home sends a signed-in user to onboarding the first time, then to the
// first page they may see.
func (c *Console) home(w http.ResponseWriter, r *http.Request, v *visit) error {
	org, err := v.api.GetOrganization(r.Context())
	if err != nil {
		return err
	}
	if len(org.OnboardingInstructions) > 0 && !onboarded(r, v.session.caller.UserID) {
		http.Redirect(w, r, v.orgURL("onboarding"), http.StatusSeeOther)
		return nil
	}
	if items := nav(v, ""); len(items) > 0 {
		http.Redirect(w, r, items[0].Href, http.StatusSeeOther)
		return nil
	}
	c.render(w, v, http.StatusOK, "empty.html", "Welcome", nil)
	return nil
}

// imageTypes are the content types an organization image may be served
// as; anything else is not served at all.
var imageTypes = map[string]bool{"image/png": true, "image/x-icon": true, "image/vnd.microsoft.icon": true}

// defaultImages are the static images served for the organization images
// it has not set, by name.
var defaultImages = map[string]string{"headshot": "headshot.svg", "favicon": "favicon.svg"}

// image serves one of the organization's stored images.
func (c *Console) image(w http.ResponseWriter, r *http.Request, v *visit) error {
	org, err := c.organization(r, v.org)
	if err != nil {
		return err
	}
	var b64 *string
	switch r.PathValue("name") {
	case "logo":
		b64 = org.Logo
	case "square-logo":
		b64 = org.SquareLogo
	case "favicon":
		b64 = org.Favicon
	case "headshot":
		b64 = org.SignupPageHeadshot
	}
	var data []byte
	if b64 != nil {
		if data, err = base64.StdEncoding.DecodeString(*b64); err != nil {
			return err
		}
	}
	ct := http.DetectContentType(data)
	if b64 == nil || !imageTypes[ct] {
		// Every page links the favicon and the sign-in page the
		// headshot: an organization without its own gets a neutral one.
		if def, ok := defaultImages[r.PathValue("name")]; ok {
			http.Redirect(w, r, "/console/-/static/"+def, http.StatusFound)
			return nil
		}
		return &pageError{status: http.StatusNotFound, msg: "No such image."}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(data)
	return nil
}
