package core

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/amigo-oss/amigo-server"
)

// UpdateUserInput is the body of update-user-info. A nil field was absent or
// null and leaves the stored value as it is. The preferred language and the
// timezone tell three cases apart, as the spec does: absent or {} leaves the
// value, null erases it, a string sets it.
type UpdateUserInput struct {
	FirstName                    *string
	LastName                     *string
	EnableResponseRecommendation *bool
	PreferredLanguage            json.RawMessage
	Timezone                     json.RawMessage
	ConversationsVisibleToAdmins *bool
	UserModelVisibleToAdmins     *bool
	AdditionalContext            *[]string
	AudioKeyterms                *[]string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// optionalString is a field that may be left out ({} or absent), erased
// (null) or set.
type optionalString struct {
	set   bool    // false: leave the stored value
	value *string // nil: erase
}

// decodeOptional reads raw at loc; a value that is neither a string, null
// nor {} is reported.
func decodeOptional(c *fieldErrs, loc []any, raw json.RawMessage) optionalString {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return optionalString{}
	case bytes.Equal(raw, []byte("null")):
		return optionalString{set: true}
	case raw[0] == '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) == nil && len(obj) == 0 {
			return optionalString{}
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		c.add(loc, nil, "string_type", "Input should be a valid string")
		return optionalString{}
	}
	return optionalString{set: true, value: &s}
}

// check validates the input and returns the change it makes to a user.
func (in *UpdateUserInput) check() (func(*amigo.User), error) {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	body := func(key string) []any { return at(key) }
	if in.FirstName != nil {
		c.text(at(), "first_name", in.FirstName, maxName)
	}
	if in.LastName != nil {
		c.text(at(), "last_name", in.LastName, maxName)
	}
	lang := decodeOptional(&c, body("preferred_language"), in.PreferredLanguage)
	if lang.value != nil && !isLanguageCode(*lang.value) {
		c.add(body("preferred_language"), nil, "enum", "Input should be an ISO 639-3 language code")
	}
	zone := decodeOptional(&c, body("timezone"), in.Timezone)
	if zone.value != nil && !isTimezone(*zone.value) {
		c.add(body("timezone"), nil, "enum", "Input should be an IANA time zone name such as Europe/Berlin")
	}
	if in.AdditionalContext != nil {
		c.texts(at(), "additional_context", *in.AdditionalContext, 0, 0)
	}
	if in.AudioKeyterms != nil {
		terms := *in.AudioKeyterms
		c.items(at(), "audio_keyterms", len(terms), 0, 20)
		for i, k := range terms {
			c.str(at("audio_keyterms", i), strings.TrimSpace(k), 1, 0, keytermPattern)
			terms[i] = strings.TrimSpace(k)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return func(u *amigo.User) {
		setIf(&u.FirstName, in.FirstName)
		setIf(&u.LastName, in.LastName)
		p := &u.Preferences
		setIf(&p.EnableResponseRecommendation, in.EnableResponseRecommendation)
		setIf(&p.ConversationsVisibleToAdmins, in.ConversationsVisibleToAdmins)
		setIf(&p.UserModelVisibleToAdmins, in.UserModelVisibleToAdmins)
		setIf(&p.AudioKeyterms, in.AudioKeyterms)
		setIf(&u.AdditionalContext, in.AdditionalContext)
		if lang.set {
			p.PreferredLanguage = lang.value
		}
		if zone.set {
			p.Timezone = zone.value
		}
	}, nil
}

// setIf stores *v in dst when v is not nil.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UpdateUser changes the fields of a user that the input sets. The caller
// needs User:UpdateUserInfo on the user, also to update themselves, and
// must hold every privilege of the user's role, as for deletion, so that an
// administrator cannot rename a super administrator.
func (a *App) UpdateUser(ctx context.Context, t *Tenant, userID string, in *UpdateUserInput) error {
	caller := amigo.CallerFromContext(ctx)
	if err := caller.RequireSome(amigo.PermUpdateUserInfo); err != nil {
		return err
	}
	apply, err := in.check()
	if err != nil {
		return err
	}
	orgID := t.Placement.OrgID
	if _, err := targetUser(ctx, t, caller, amigo.PermUpdateUserInfo, "update", userID); err != nil {
		return err
	}
	ctx, j := journal(ctx)
	return t.Store.UpdateUser(ctx, orgID, userID, func(u *amigo.User) error {
		before := userDocOf(u)
		apply(u)
		return a.record(ctx, j, change{orgID: orgID, operation: "update-user-info", resourceType: resUser, resourceID: u.ID,
			summary: "Updated user " + u.Email, before: before, after: userDocOf(u)})
	})
}
