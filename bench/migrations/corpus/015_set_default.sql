-- expect: safe (a new default for new rows)
SET lock_timeout = '3s';
ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT 'trial';
