-- Console sessions signed out before their token expired. Every server
-- refuses a console token whose id is here; a row goes once its token has
-- expired, as the token is refused anyway from then on.
CREATE TABLE revoked_sessions (
	token_id TEXT PRIMARY KEY,
	expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_sessions_expiry ON revoked_sessions (expires_at);
