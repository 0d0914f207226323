package core

import (
	"regexp"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// PreferencesInput is the wire form of user preferences; absent fields take
// the spec's defaults.
type PreferencesInput struct {
	EnableResponseRecommendation *bool
	PreferredLanguage            *string
	ConversationsVisibleToAdmins *bool
	UserModelVisibleToAdmins     *bool
	Timezone                     *string
	AudioKeyterms                *[]string
}

// twoLetterLanguage is the spec's other form of a preferred language.
var twoLetterLanguage = regexp.MustCompile(`^\w{2}$`)

// check validates p at loc and returns the preferences with defaults applied.
func (p *PreferencesInput) check(c *fieldErrs, loc []any) amigo.Preferences {
	out := amigo.DefaultPreferences()
	if p.EnableResponseRecommendation != nil {
		out.EnableResponseRecommendation = *p.EnableResponseRecommendation
	}
	if p.ConversationsVisibleToAdmins != nil {
		out.ConversationsVisibleToAdmins = *p.ConversationsVisibleToAdmins
	}
	if p.UserModelVisibleToAdmins != nil {
		out.UserModelVisibleToAdmins = *p.UserModelVisibleToAdmins
	}
	if p.PreferredLanguage != nil {
		if l := *p.PreferredLanguage; !isLanguageCode(l) && !twoLetterLanguage.MatchString(l) {
			c.add(append(loc, "preferred_language"), nil, "enum", "Input should be an ISO 639 language code")
		}
		out.PreferredLanguage = p.PreferredLanguage
	}
	if p.Timezone != nil {
		if !isTimezone(*p.Timezone) {
			c.add(append(loc, "timezone"), nil, "enum", "Input should be an IANA time zone name such as Europe/Berlin")
		}
		out.Timezone = p.Timezone
	}
	if p.AudioKeyterms != nil {
		out.AudioKeyterms = *p.AudioKeyterms
	}
	return out
}

// isTimezone reports whether s names an IANA time zone.
func isTimezone(s string) bool {
	if s == "" || s == "Local" {
		return false
	}
	_, err := time.LoadLocation(s)
	return err == nil
}
