-- expect: unsafe (a stored generated column rewrites the table)
SET lock_timeout = '3s';
ALTER TABLE orders ADD COLUMN total_with_tax bigint GENERATED ALWAYS AS (total_cents * 120 / 100) STORED;
