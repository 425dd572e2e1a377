-- expect: unsafe (drop a table in an unmarked file)
SET lock_timeout = '3s';
DROP TABLE audit_log;
