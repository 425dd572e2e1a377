-- expect: safe (a view for the new name)
CREATE VIEW customers AS SELECT * FROM accounts;
