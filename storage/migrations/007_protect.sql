-- Data protection, round 2.

-- An invite is used once. used_op is the update that used it, so that the
-- same update handled again gets the same answer; any other use is
-- refused. Removing a member revokes the invites they made and the one
-- they joined with.
ALTER TABLE volunteer_invites ADD COLUMN used_op text;
ALTER TABLE volunteer_invites ADD COLUMN revoked_at timestamptz;

-- Why a note's text is gone: "forget" (the reporter asked, /forget) or
-- "purge" (the case's retention period ended). Volunteers read that in
-- place of the note.
ALTER TABLE case_events ADD COLUMN note_erased text CHECK (note_erased IN ('forget', 'purge'));

-- After /forget nothing links the reporter's Telegram account to their
-- cases: the row stays, for the cases' foreign key, without the account.
ALTER TABLE reporters ALTER COLUMN telegram_user_id DROP NOT NULL;
