-- expect: unsafe (ACCESS EXCLUSIVE held for the whole backfill)
BEGIN;
SET LOCAL lock_timeout = '2s';
LOCK TABLE users IN ACCESS EXCLUSIVE MODE;
UPDATE users SET email_address = email;
COMMIT;
