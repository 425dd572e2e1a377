-- expect: unsafe (rewrites the table)
SET lock_timeout = '3s';
ALTER TABLE users ADD COLUMN api_token uuid NOT NULL DEFAULT gen_random_uuid();
