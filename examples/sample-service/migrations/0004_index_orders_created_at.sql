-- glidepath:no-transaction
-- Built without blocking writes to orders, so the live version keeps taking orders.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);
