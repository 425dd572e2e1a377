-- expect: unsafe (checks every row under lock)
SET lock_timeout = '3s';
ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);
