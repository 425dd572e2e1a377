-- expect: unsafe (rename breaks the old version)
SET lock_timeout = '3s';
ALTER TABLE users RENAME COLUMN email TO email_address;
