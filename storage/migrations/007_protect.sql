-- Data protection, round 2.

-- An invite is used once. used_op is the update that used it, so that the
-- same update handled again gets the same answer; any other use is
-- refused. Removing a member revokes the invites they made and the one
-- they joined with.
ALTER TABLE volunteer_invites ADD COLUMN used_op text;
ALTER TABLE volunteer_invites ADD COLUMN revoked_at timestamptz;
