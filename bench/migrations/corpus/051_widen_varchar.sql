-- expect: safe (widening varchar needs no rewrite and old code reads it the same; in a contract file)
-- migration: contract after 9
SET lock_timeout = '3s';
ALTER TABLE users ALTER COLUMN name TYPE varchar(200);
