-- Hot: built concurrently, the index blocks no write (and is checked valid afterwards).
CREATE INDEX CONCURRENTLY products_origin ON products (origin);
