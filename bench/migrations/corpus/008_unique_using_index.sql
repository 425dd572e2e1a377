-- expect: safe (unique constraint from a concurrently built index)
CREATE UNIQUE INDEX CONCURRENTLY users_email_key_idx ON users (email);
SET lock_timeout = '3s';
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key_idx;
