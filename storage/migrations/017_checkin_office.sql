-- The ICE office of the check-in where the person was detained, as the
-- case's card names it ("Chicago, IL"): where volunteers look first. An
-- office of the list, not what was typed, so it is kept in clear.
ALTER TABLE cases ADD COLUMN checkin_office text;
