-- expect: safe (a new enum value)
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'refunded';
