-- expect: unsafe (builds the index under ACCESS EXCLUSIVE)
SET lock_timeout = '3s';
ALTER TABLE users ADD CONSTRAINT users_username_key UNIQUE (username);
