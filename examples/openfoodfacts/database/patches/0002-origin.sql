-- Hot: a new column without a default changes only the catalogue.
ALTER TABLE products ADD COLUMN origin text;
