INSERT INTO items (name, price_cents) VALUES
  ('glider', 129900),
  ('harness', 24900),
  ('helmet', 8900);
