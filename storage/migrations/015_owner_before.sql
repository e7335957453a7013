-- The owner a case had before the hand-over that owner_op accepted, so
-- that the accept, handled again after it failed past the change, still
-- tells the colleague who gave the case away. Read only with owner_op.
ALTER TABLE cases ADD COLUMN owner_before bigint;
