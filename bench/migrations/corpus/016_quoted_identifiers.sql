-- expect: safe (quoted identifiers, nullable column)
SET lock_timeout = '3s';
ALTER TABLE "UserProfiles" ADD COLUMN "displayName" text;
