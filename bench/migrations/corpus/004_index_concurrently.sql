-- expect: safe (index built concurrently)
-- migration: expand
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_created_at_idx ON users (created_at);
