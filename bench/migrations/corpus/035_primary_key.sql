-- expect: unsafe (builds the index under ACCESS EXCLUSIVE)
SET lock_timeout = '3s';
ALTER TABLE events ADD PRIMARY KEY (id);
