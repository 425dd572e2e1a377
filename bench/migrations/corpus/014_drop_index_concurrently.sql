-- expect: safe (drop an index concurrently)
DROP INDEX CONCURRENTLY IF EXISTS users_legacy_idx;
