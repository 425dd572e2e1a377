-- expect: unsafe (waits for its lock with no timeout, queueing every query)
ALTER TABLE users ADD COLUMN referral_code text;
