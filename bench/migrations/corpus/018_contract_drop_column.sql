-- expect: safe (drop a column in a contract file that names its schema)
-- migration: contract after 41
SET lock_timeout = '3s';
ALTER TABLE users DROP COLUMN email;
