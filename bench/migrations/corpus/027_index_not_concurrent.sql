-- expect: unsafe (blocks writes while it builds)
SET lock_timeout = '3s';
CREATE INDEX orders_created_at_idx ON orders (created_at);
