-- expect: safe (SET LOCAL inside the transaction)
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN locale text;
ALTER TABLE users ADD COLUMN time_zone text;
COMMIT;
