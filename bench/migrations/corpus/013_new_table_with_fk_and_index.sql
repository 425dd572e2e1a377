-- expect: safe (constraints on a table created in the same file)
CREATE TABLE payments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL, amount_cents bigint NOT NULL);
ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);
CREATE INDEX payments_order_id_idx ON payments (order_id);
