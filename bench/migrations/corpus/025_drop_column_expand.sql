-- expect: unsafe (drop in an expand file: the live version still reads it)
SET lock_timeout = '3s';
ALTER TABLE users DROP COLUMN nickname;
