-- expect: unsafe (blocks writes while it builds)
SET lock_timeout = '3s';
CREATE UNIQUE INDEX users_phone_key ON users (phone);
