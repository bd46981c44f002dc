-- The products table, with 200,000 rows so the later patches take a visible time.
CREATE TABLE products (code text PRIMARY KEY, name text NOT NULL, stock int);
INSERT INTO products SELECT lpad(g::text, 13, '0'), 'Product ' || g, g % 500 FROM generate_series(1, 200000) g;
