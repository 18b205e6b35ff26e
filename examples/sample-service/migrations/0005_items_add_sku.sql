-- Expand: a nullable column the previous version of the app simply ignores.
SET lock_timeout = '5s';
ALTER TABLE items ADD COLUMN sku text;
