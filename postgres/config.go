package postgres

import "github.com/jackc/pgx/v5"

// pgxConfig parses a postgres:// URL. Extra runtime parameters in the URL,
// such as search_path, are passed to the server.
func pgxConfig(url string) (*pgx.ConnConfig, error) {
	return pgx.ParseConfig(url)
}
