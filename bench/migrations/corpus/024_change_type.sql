-- expect: unsafe (type change rewrites the table and breaks readers)
SET lock_timeout = '3s';
ALTER TABLE orders ALTER COLUMN total_cents TYPE numeric(12,2);
