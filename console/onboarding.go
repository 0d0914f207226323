package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// onboardedCookie remembers, per browser and organization, which users
// have finished or skipped onboarding. The console keeps no state of its
// own and the API has no per-user flag for it, so a cookie it is: a user
// on a new browser sees the instructions once more, which is harmless.
// It holds short hashes of user ids, not the ids.
const onboardedCookie = "amigo_onboarded"

// maxOnboarded bounds the users one browser remembers.
const maxOnboarded = 20

func userMark(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	return hex.EncodeToString(sum[:8])
}

func onboardedMarks(r *http.Request) []string {
	ck, err := r.Cookie(onboardedCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	return strings.Split(ck.Value, ".")
}

func onboarded(r *http.Request, userID string) bool {
	return slices.Contains(onboardedMarks(r), userMark(userID))
}

// onboardingPage is one instruction rendered.
type onboardingPage struct {
	Number, Count int
	Body          template.HTML
	Prev, Next    string
}

// onboarding shows instruction ?page=N (from 1) of the organization. Each
// is markdown, rendered and then sanitised: the organization's text is
// not trusted to be safe HTML.
func (c *Console) onboarding(w http.ResponseWriter, r *http.Request, v *visit) error {
	org, err := v.api.GetOrganization(r.Context())
	if err != nil {
		return err
	}
	steps := org.OnboardingInstructions
	if len(steps) == 0 {
		http.Redirect(w, r, v.orgURL("home"), http.StatusSeeOther)
		return nil
	}
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 || n > len(steps) {
		n = 1
	}
	var md bytes.Buffer
	if err := c.markdown.Convert([]byte(steps[n-1]), &md); err != nil {
		return err
	}
	p := onboardingPage{Number: n, Count: len(steps), Body: template.HTML(c.sanitize.SanitizeBytes(md.Bytes()))}
	if n > 1 {
		p.Prev = v.orgURL("onboarding?page=" + strconv.Itoa(n-1))
	}
	if n < len(steps) {
		p.Next = v.orgURL("onboarding?page=" + strconv.Itoa(n+1))
	}
	c.render(w, v, http.StatusOK, "onboarding.html", "Getting started", p)
	return nil
}

// finishOnboarding records that the user finished or skipped onboarding.
func (c *Console) finishOnboarding(w http.ResponseWriter, r *http.Request, v *visit) error {
	marks := onboardedMarks(r)
	if mark := userMark(v.session.caller.UserID); !slices.Contains(marks, mark) {
		marks = append(marks, mark)
	}
	if len(marks) > maxOnboarded {
		marks = marks[len(marks)-maxOnboarded:]
	}
	http.SetCookie(w, &http.Cookie{Name: onboardedCookie, Value: strings.Join(marks, "."), Path: orgPath(v.org),
		Expires: time.Now().AddDate(1, 0, 0), HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, v.orgURL("home"), http.StatusSeeOther)
	return nil
}
