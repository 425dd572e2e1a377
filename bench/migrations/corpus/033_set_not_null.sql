-- expect: unsafe (full scan under ACCESS EXCLUSIVE)
-- migration: contract after 12
SET lock_timeout = '3s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
