package core

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// CreateConversationInput is the body of create-conversation.
type CreateConversationInput struct {
	ServiceID          string
	VersionSetName     *string
	InitialMessage     *string
	InitialMessageType *string
	Tags               *map[string]*string
	// Malformed is what the decoder of the request could not read, nil
	// when it read everything; it is reported with the checks' findings.
	Malformed *amigo.Error `shape:"-"`
}

// Limits of conversation inputs beyond the spec's schemas. The spec sets
// no length on a message; these keep one request's work bounded.
const (
	// MaxMessageChars bounds a user message and an external event.
	MaxMessageChars = 32 << 10
	// MaxExternalEvents bounds the external events of one interaction.
	MaxExternalEvents = 50
	// ClockSkew is how far ahead of the server's clock an external event's
	// timestamp may be: clients' clocks are not the server's.
	ClockSkew    = 10 * time.Second
	maxStartTags = 20
	maxTagValue  = 100
)

// check validates the body as the spec's schema does.
func (in *CreateConversationInput) check() error {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	c.str(at("service_id"), in.ServiceID, 24, 24, idPattern)
	if in.VersionSetName != nil {
		c.text(nil, "service_version_set_name", in.VersionSetName, maxName)
	}
	if in.InitialMessage != nil {
		c.text(nil, "initial_message", in.InitialMessage, MaxMessageChars)
	}
	if in.InitialMessageType != nil {
		if c.enum(nil, "initial_message_type", *in.InitialMessageType, InteractUserMessage, InteractExternalEvent) && in.InitialMessage == nil {
			c.invalid(nil, "initial_message_type", "Value error, initial_message_type can only be given with initial_message")
		}
	}
	if in.Tags != nil {
		checkConversationTags(&c, at("tags"), *in.Tags)
	}
	return c.err()
}

// checkConversationTags validates a conversation's tags: keys of word
// characters and spaces, values of at most 100 characters or null.
func checkConversationTags(c *fieldErrs, loc []any, tags map[string]*string) {
	if len(tags) > maxStartTags {
		c.add(loc, nil, "too_long", "Dictionary should have at most %d items", maxStartTags)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		c.str(join(loc, k, "[key]"), strings.TrimSpace(k), 1, maxTag, tagPattern)
		if v := tags[k]; v != nil {
			c.text(loc, k, v, maxTagValue)
		}
	}
}

// Initial message types of an interaction.
const (
	InteractUserMessage   = "user-message"
	InteractExternalEvent = "external-event"
	InteractSkip          = "skip"
)

// InteractInput is the form of interact-with-conversation.
type InteractInput struct {
	// Type is InteractUserMessage, InteractExternalEvent or InteractSkip;
	// nil when the form lacks it.
	Type *string
	// Message is recorded_message, from a form field or a file part; nil
	// when the form lacks it.
	Message *string
	// EventContents and EventTimes are the repeated
	// external_event_message_content and _timestamp fields, as sent.
	EventContents []string
	EventTimes    []string
}

// ExternalEvent is one external event inserted before an interaction's
// message.
type ExternalEvent struct {
	Content string
	At      time.Time
}

// check validates the form as the spec's schema does (422) and then as
// its description says (400: an empty message, timestamps not in the past
// or out of order). It returns the external events parsed.
func (in *InteractInput) check(now time.Time) ([]ExternalEvent, error) {
	var c fieldErrs
	if c.required(at("initial_message_type"), in.Type != nil) {
		c.enum(nil, "initial_message_type", *in.Type, InteractExternalEvent, InteractUserMessage, InteractSkip)
	}
	if c.required(at("recorded_message"), in.Message != nil) && in.Type != nil {
		n := len([]rune(*in.Message))
		switch {
		case *in.Type == InteractSkip && n > 0:
			c.add(at("recorded_message"), nil, "string_too_long", "String should have at most 0 characters")
		case *in.Type != InteractSkip && n == 0:
			c.add(at("recorded_message"), nil, "string_too_short", "String should have at least 1 character")
		case n > MaxMessageChars:
			c.add(at("recorded_message"), nil, "string_too_long", "String should have at most %d characters", MaxMessageChars)
		}
	}
	if in.Type != nil && *in.Type == InteractSkip {
		if len(in.EventContents) > 0 {
			c.add(at("external_event_message_content"), nil, "too_long", "List should have at most 0 items after validation, not %d", len(in.EventContents))
		}
		if len(in.EventTimes) > 0 {
			c.add(at("external_event_message_timestamp"), nil, "too_long", "List should have at most 0 items after validation, not %d", len(in.EventTimes))
		}
	}
	c.items(nil, "external_event_message_content", len(in.EventContents), 0, MaxExternalEvents)
	for i, s := range in.EventContents {
		switch n := len([]rune(s)); {
		case n == 0:
			c.add(at("external_event_message_content", i), nil, "string_too_short", "String should have at least 1 character")
		case n > MaxMessageChars:
			c.add(at("external_event_message_content", i), nil, "string_too_long", "String should have at most %d characters", MaxMessageChars)
		}
	}
	events := make([]ExternalEvent, 0, len(in.EventTimes))
	for i, s := range in.EventTimes {
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			c.add(at("external_event_message_timestamp", i), nil, "datetime_from_date_parsing", "Input should be a valid datetime, %s", "an RFC 3339 date-time such as 2025-01-31T09:30:00Z")
			continue
		}
		events = append(events, ExternalEvent{At: ts})
	}
	if len(in.EventTimes) != len(in.EventContents) {
		c.invalid(at("external_event_message_timestamp"), nil, "Value error, %d timestamps for %d external event messages: give one timestamp for each", len(in.EventTimes), len(in.EventContents))
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	if *in.Type != InteractSkip && strings.TrimSpace(*in.Message) == "" {
		return nil, amigo.Errorf(amigo.EBADREQUEST, "The user message is empty.")
	}
	for i := range events {
		events[i].Content = in.EventContents[i]
		if events[i].At.After(now.Add(ClockSkew)) {
			return nil, amigo.Errorf(amigo.EBADREQUEST, "The timestamp of external event message %d (%s) is not in the past: it is %s ahead of the server's clock, which allows %s of skew.",
				i, events[i].At.UTC().Format(time.RFC3339), events[i].At.Sub(now).Round(time.Millisecond), ClockSkew)
		}
		if i > 0 && events[i].At.Before(events[i-1].At) {
			return nil, amigo.Errorf(amigo.EBADREQUEST, "The timestamps of external event messages must be in chronological order: message %d is earlier than message %d.", i, i-1)
		}
	}
	return events, nil
}

// checkAfter refuses external events older than the conversation's last
// message, which would be out of order with the conversation.
func checkAfter(events []ExternalEvent, last time.Time) error {
	if len(events) > 0 && events[0].At.Before(last.Add(-ClockSkew)) {
		return amigo.Errorf(amigo.EBADREQUEST, "The timestamps of external event messages are inconsistent with the conversation: %s is before its last message (%s).",
			events[0].At.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
	}
	return nil
}

// RecommendInput is the body of recommend-responses-for-interaction.
type RecommendInput struct {
	Context   *string
	Malformed *amigo.Error `shape:"-"`
}

// DefaultRecommendContext is the spec's default context.
const DefaultRecommendContext = "\nPERSONA:\nName: User\nBackground: A typical person seeking this service.\n---\nSCENARIO:\nName: Complete Service\nObjective: Successfully complete the service interaction.\nInstructions: Engage naturally with the agent to achieve the service objective.\n"

func (in *RecommendInput) check() error {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	if in.Context != nil {
		c.text(nil, "context", in.Context, MaxMessageChars)
	}
	return c.err()
}

// StarterInput is the body of generate-conversation-starter.
type StarterInput struct {
	ServiceID              string
	VersionSetName         *string
	Facets                 []string
	MinCount               int
	MaxCount               int
	GenerationInstructions string
	Malformed              *amigo.Error `shape:"-"`
}

// maxFacets bounds the facets of one request.
const maxFacets = 50

func (in *StarterInput) check() error {
	var c fieldErrs
	c.decoded(in.Malformed, nil)
	c.str(at("service_id"), in.ServiceID, 24, 24, idPattern)
	if in.VersionSetName != nil {
		c.text(nil, "service_version_set_name", in.VersionSetName, maxName)
	}
	c.items(nil, "facets", len(in.Facets), 1, maxFacets)
	for i := range in.Facets {
		c.text(at("facets"), i, &in.Facets[i], maxName)
	}
	c.interval(nil, "min_count", float64(in.MinCount), 0, 10)
	c.interval(nil, "max_count", float64(in.MaxCount), 0, 10)
	c.text(nil, "generation_instructions", &in.GenerationInstructions, MaxMessageChars)
	if err := c.err(); err != nil {
		return err
	}
	if in.MinCount > in.MaxCount {
		return amigo.Invalid(amigo.FieldError{Loc: at("min_count"), Type: "value_error",
			Msg: fmt.Sprintf("Value error, min_count (%d) must not exceed max_count (%d)", in.MinCount, in.MaxCount)})
	}
	return nil
}
