-- expect: unsafe (deletes data the live version reads)
TRUNCATE sessions CASCADE;
