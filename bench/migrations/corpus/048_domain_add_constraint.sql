-- expect: unsafe (checks every column of the domain under lock)
SET lock_timeout = '3s';
ALTER DOMAIN email_address ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%');
