-- expect: unsafe (REINDEX without CONCURRENTLY blocks writes)
SET lock_timeout = '3s';
REINDEX TABLE users;
