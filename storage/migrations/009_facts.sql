-- The facts that decide whether a deportation can still be stopped (the
-- stage of the case, what is known of a flight, transfers, how the person
-- entered, calls, the family's consent to a congressional inquiry and to
-- publicity), as one sealed JSON value: personal data, encrypted like the
-- other personal fields and erased with them.
ALTER TABLE cases ADD COLUMN facts bytea;

-- Whether people with the case code may see a deportation date: the
-- reporter's choice, kept in clear beside facility_share for the public
-- status view, which reads no sealed column.
ALTER TABLE cases ADD COLUMN dates_share boolean NOT NULL DEFAULT false;
