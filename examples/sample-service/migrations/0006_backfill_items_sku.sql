-- Backfill for rows written before 0005; new rows get a SKU from the app.
UPDATE items SET sku = 'SKU-' || lpad(id::text, 6, '0') WHERE sku IS NULL;
