-- expect: safe (drop the dual-write trigger in the contract)
-- migration: contract after 42
SET lock_timeout = '3s';
DROP TRIGGER IF EXISTS users_sync_name ON users;
DROP FUNCTION IF EXISTS sync_name();
ALTER TABLE users DROP COLUMN name;
