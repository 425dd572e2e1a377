-- expect: safe (constant default (no rewrite since Postgres 11))
SET lock_timeout = '3s';
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';
