-- expect: safe (a trigger that writes both columns)
SET lock_timeout = '3s';
CREATE OR REPLACE FUNCTION sync_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.full_name := coalesce(NEW.full_name, NEW.name);
  RETURN NEW;
END $$;
CREATE TRIGGER users_sync_name BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION sync_name();
