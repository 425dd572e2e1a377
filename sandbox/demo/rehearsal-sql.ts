/** The migrations of the rename rehearsal (users.email → users.email_address), as a team would commit them. */

export const SEED_SQL = `CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
INSERT INTO users (email) SELECT 'seed-' || n || '@example.com' FROM generate_series(1, 50) AS n;`;

/** Expand: the new column, both columns kept equal by a trigger whichever version writes, and the backfill. */
export const EXPAND_SQL = `-- migration: expand
-- users.email is renamed to users.email_address in two phases; this is the expand half.
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN email_address text;
CREATE FUNCTION users_sync_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.email_address IS NULL THEN NEW.email_address := NEW.email; END IF;
  IF NEW.email IS NULL THEN NEW.email := NEW.email_address; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_sync_email BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_sync_email();
UPDATE users SET email_address = email WHERE email_address IS NULL;
`;

/** Contract: once no version reading users.email can serve, the trigger and the old column go. */
export const CONTRACT_SQL = `-- migration: contract after 1
-- The contract half: schema 1 (users.email) ends here.
SET lock_timeout = '2s';
DROP TRIGGER users_sync_email ON users;
DROP FUNCTION users_sync_email();
ALTER TABLE users DROP COLUMN email;
`;

/** The same rename in one step, as it is often written. */
export const ONE_STEP_SQL = `SET lock_timeout = '2s';
ALTER TABLE users RENAME COLUMN email TO email_address;
`;
