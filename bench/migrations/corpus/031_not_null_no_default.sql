-- expect: unsafe (old version's inserts fail)
SET lock_timeout = '3s';
ALTER TABLE orders ADD COLUMN currency text NOT NULL;
