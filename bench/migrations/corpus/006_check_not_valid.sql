-- expect: safe (check NOT VALID)
SET lock_timeout = '3s';
ALTER TABLE orders ADD CONSTRAINT total_non_negative CHECK (total_cents >= 0) NOT VALID;
