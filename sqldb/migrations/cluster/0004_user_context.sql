-- update-user-info sets a user's additional context: a list of strings.
ALTER TABLE users ADD COLUMN additional_context TEXT NOT NULL DEFAULT '[]';
