-- Cold: a new type rewrites every row under ACCESS EXCLUSIVE, so it runs in the window
-- (the app hosts answer 503 with Retry-After while it lasts).
ALTER TABLE products ALTER COLUMN stock TYPE bigint;
