-- expect: unsafe (SET LOCAL ends with the transaction; the second ALTER has no timeout)
BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN a text;
COMMIT;
ALTER TABLE users ADD COLUMN b text;
