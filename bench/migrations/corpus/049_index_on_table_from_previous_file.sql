-- expect: safe (the table was created by the previous file of the same release and is still empty; the lint sees one file at a time)
-- migration: expand
SET lock_timeout = '3s';
CREATE INDEX payments_created_at_idx ON payments (created_at);
