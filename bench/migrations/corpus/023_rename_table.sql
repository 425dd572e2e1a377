-- expect: unsafe (rename breaks the old version)
SET lock_timeout = '3s';
ALTER TABLE accounts RENAME TO customers;
