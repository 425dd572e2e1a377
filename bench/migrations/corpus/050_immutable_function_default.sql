-- expect: safe (the default is a user-defined IMMUTABLE function, so no rewrite; the lint cannot look it up)
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN region text DEFAULT default_region();
