-- expect: unsafe (checks every row under lock)
SET lock_timeout = '3s';
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);
