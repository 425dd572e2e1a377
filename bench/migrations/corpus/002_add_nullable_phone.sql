-- expect: safe (nullable column)
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN phone text;
