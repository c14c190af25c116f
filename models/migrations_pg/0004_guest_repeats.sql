-- models/migrations/0023_guest_repeats.sql on PostgreSQL: a guest's last comments found
-- by their address, not among every guest's.
CREATE INDEX comments_guest ON comments (guest_email, created_at) WHERE user_id IS NULL;
