-- expect: unsafe (a rename breaks the old version even in a contract file)
-- migration: contract after 3
SET lock_timeout = '3s';
ALTER TABLE orders RENAME COLUMN total TO total_cents;
