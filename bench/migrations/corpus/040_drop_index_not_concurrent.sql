-- expect: unsafe (ACCESS EXCLUSIVE on the table)
SET lock_timeout = '3s';
DROP INDEX users_legacy_idx;
