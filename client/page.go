package client

import (
	"context"
	"iter"
	"net/url"
	"strconv"

	"github.com/amigo-oss/amigo-server/api/wire"
)

// Page is what every paginated listing returns besides its items:
// whether there are more, and the token of the next page (nil on the
// last).
type Page = wire.Page

// all iterates every item of a listing paginated by offset tokens.
func all[T any](ctx context.Context, fetch func(ctx context.Context, token int) ([]T, Page, error)) iter.Seq2[T, error] {
	return walk(ctx, 0, func(ctx context.Context, token int) ([]T, int, bool, error) {
		items, page, err := fetch(ctx, token)
		// A token that does not move forward would loop for ever.
		more := page.HasMore && page.ContinuationToken != nil && *page.ContinuationToken > token
		if !more {
			return items, token, false, err
		}
		return items, *page.ContinuationToken, true, err
	})
}

// walk iterates every item of a paginated listing, fetching pages as the
// loop needs them from the first token on: fetch returns a page's items,
// the next page's token and whether there is one. It yields the first
// error and stops.
func walk[T any, K comparable](ctx context.Context, first K, fetch func(ctx context.Context, token K) ([]T, K, bool, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := first
		for {
			items, next, more, err := fetch(ctx, token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more || next == token {
				return
			}
			token = next
		}
	}
}

// Collect gathers an iterator's items into a slice, stopping at the first
// error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for it, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// listQuery builds the query string shared by listings.
type listQuery url.Values

func (q listQuery) set(key, v string) {
	if v != "" {
		url.Values(q).Set(key, v)
	}
}

func (q listQuery) bool(key string, v *bool) {
	if v != nil {
		url.Values(q).Set(key, strconv.FormatBool(*v))
	}
}

func (q listQuery) int(key string, v int) {
	if v != 0 {
		url.Values(q).Set(key, strconv.Itoa(v))
	}
}

func (q listQuery) list(key string, vs []string) {
	for _, v := range vs {
		url.Values(q).Add(key, v)
	}
}
