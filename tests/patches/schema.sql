-- The table the golden statements act on (t, 10,000 rows), one it references (r), and what
-- some statements name: an index, a unique index, a NOT VALID check and a trigger function.
CREATE TABLE r (id int PRIMARY KEY);
INSERT INTO r SELECT g FROM generate_series(1, 100) g;
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c varchar(20), r_id int);
INSERT INTO t SELECT g, g, 'x', 'y', 1 + g % 100 FROM generate_series(1, 10000) g;
CREATE INDEX t_a ON t (a);
CREATE UNIQUE INDEX t_id_b ON t (id, b);
ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
