-- expect: safe (relax NOT NULL on a column the new code stopped writing, in a contract)
-- migration: contract after 7
SET lock_timeout = '3s';
ALTER TABLE users ALTER COLUMN legacy_code DROP NOT NULL;
