-- expect: safe (comments and grants)
COMMENT ON COLUMN users.phone IS 'E.164';
GRANT SELECT ON orders TO reporting;
