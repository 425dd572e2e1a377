-- expect: unsafe (the gate cannot tell when it is safe)
-- migration: contract
SET lock_timeout = '3s';
ALTER TABLE users DROP COLUMN legacy_code;
