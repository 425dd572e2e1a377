-- expect: safe (drop a table no version uses, in a contract file)
-- migration: contract after 17
SET lock_timeout = '3s';
DROP TABLE IF EXISTS legacy_sessions;
