-- A facility that a directory import no longer lists is kept, inactive, for
-- the cases that point at it; matching leaves it out.
ALTER TABLE facilities ADD COLUMN active boolean NOT NULL DEFAULT true;
