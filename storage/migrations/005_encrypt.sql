-- Personal data is encrypted in the application (storage/keys.go): its
-- columns become bytea holding version | key id | nonce | AES-256-GCM
-- ciphertext, NULL when there is no answer, and an A-number is found by its
-- blind index. This file turns the columns into bytea still holding the
-- plaintext; the Go step of this migration (sealPlaintext in
-- storage/seal.go) encrypts every value in the same transaction, so no
-- plaintext is left once it commits.
--
-- Kept in clear: ids, codes, dates of detention and hearings, categories,
-- the directory facility and the facility text (a place, shown to people
-- with the code when the reporter allowed it), statuses and flags.

-- An A-number is looked up by its blind index: the plaintext check and
-- index have nothing left to work on.
ALTER TABLE cases DROP CONSTRAINT cases_a_number_check;
DROP INDEX cases_a_number;

ALTER TABLE cases
    ALTER COLUMN name_latin DROP NOT NULL, ALTER COLUMN name_latin DROP DEFAULT,
    ALTER COLUMN name_cyrillic DROP NOT NULL, ALTER COLUMN name_cyrillic DROP DEFAULT,
    ALTER COLUMN birth_country DROP NOT NULL, ALTER COLUMN birth_country DROP DEFAULT,
    ALTER COLUMN citizenship DROP NOT NULL, ALTER COLUMN citizenship DROP DEFAULT,
    ALTER COLUMN circumstance_note DROP NOT NULL, ALTER COLUMN circumstance_note DROP DEFAULT,
    ALTER COLUMN lawyer_name DROP NOT NULL, ALTER COLUMN lawyer_name DROP DEFAULT,
    ALTER COLUMN lawyer_phone DROP NOT NULL, ALTER COLUMN lawyer_phone DROP DEFAULT,
    ALTER COLUMN appeals DROP NOT NULL, ALTER COLUMN appeals DROP DEFAULT,
    ALTER COLUMN reporter_name DROP NOT NULL, ALTER COLUMN reporter_name DROP DEFAULT,
    ALTER COLUMN relationship DROP NOT NULL, ALTER COLUMN relationship DROP DEFAULT,
    ALTER COLUMN reporter_contact DROP NOT NULL, ALTER COLUMN reporter_contact DROP DEFAULT;

ALTER TABLE cases
    ALTER COLUMN name_latin TYPE bytea USING convert_to(nullif(name_latin, ''), 'UTF8'),
    ALTER COLUMN name_cyrillic TYPE bytea USING convert_to(nullif(name_cyrillic, ''), 'UTF8'),
    ALTER COLUMN birth_date TYPE bytea USING convert_to(to_char(birth_date, 'YYYY-MM-DD'), 'UTF8'),
    ALTER COLUMN birth_country TYPE bytea USING convert_to(nullif(birth_country, ''), 'UTF8'),
    ALTER COLUMN citizenship TYPE bytea USING convert_to(nullif(citizenship, ''), 'UTF8'),
    ALTER COLUMN a_number TYPE bytea USING convert_to(nullif(a_number, ''), 'UTF8'),
    ALTER COLUMN circumstance_note TYPE bytea USING convert_to(nullif(circumstance_note, ''), 'UTF8'),
    ALTER COLUMN lawyer_name TYPE bytea USING convert_to(nullif(lawyer_name, ''), 'UTF8'),
    ALTER COLUMN lawyer_phone TYPE bytea USING convert_to(nullif(lawyer_phone, ''), 'UTF8'),
    ALTER COLUMN appeals TYPE bytea USING convert_to(nullif(appeals, ''), 'UTF8'),
    ALTER COLUMN reporter_name TYPE bytea USING convert_to(nullif(reporter_name, ''), 'UTF8'),
    ALTER COLUMN relationship TYPE bytea USING convert_to(nullif(relationship, ''), 'UTF8'),
    ALTER COLUMN reporter_contact TYPE bytea USING convert_to(nullif(reporter_contact, ''), 'UTF8'),
    -- version | key id | HMAC-SHA256 of the nine digits
    ADD COLUMN a_number_index bytea;

CREATE INDEX cases_a_number_index ON cases (a_number_index) WHERE a_number_index IS NOT NULL;

ALTER TABLE reporters
    ALTER COLUMN name DROP NOT NULL, ALTER COLUMN name DROP DEFAULT,
    ALTER COLUMN relationship DROP NOT NULL, ALTER COLUMN relationship DROP DEFAULT,
    ALTER COLUMN contact DROP NOT NULL, ALTER COLUMN contact DROP DEFAULT;

ALTER TABLE reporters
    ALTER COLUMN name TYPE bytea USING convert_to(nullif(name, ''), 'UTF8'),
    ALTER COLUMN relationship TYPE bytea USING convert_to(nullif(relationship, ''), 'UTF8'),
    ALTER COLUMN contact TYPE bytea USING convert_to(nullif(contact, ''), 'UTF8');

-- Notes are free text volunteers write about a case: they name people, so
-- they are encrypted like the report's free text.
ALTER TABLE case_events ALTER COLUMN note DROP NOT NULL, ALTER COLUMN note DROP DEFAULT;
ALTER TABLE case_events ALTER COLUMN note TYPE bytea USING convert_to(nullif(note, ''), 'UTF8');

-- Postgres refuses plaintext in these columns: a value is NULL or has the
-- shape of a sealed one. The constraints hold for every row written from
-- now on; the Go step validates them for the rows it encrypted.
CREATE FUNCTION is_sealed(v bytea) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN v IS NULL OR (octet_length(v) >= 37 AND substring(v FROM 1 FOR 1) = '\x01'::bytea);

ALTER TABLE cases ADD CONSTRAINT cases_personal_sealed CHECK (
    is_sealed(name_latin) AND is_sealed(name_cyrillic) AND is_sealed(birth_date)
    AND is_sealed(birth_country) AND is_sealed(citizenship) AND is_sealed(a_number)
    AND is_sealed(a_number_index) AND is_sealed(circumstance_note) AND is_sealed(lawyer_name)
    AND is_sealed(lawyer_phone) AND is_sealed(appeals) AND is_sealed(reporter_name)
    AND is_sealed(relationship) AND is_sealed(reporter_contact)) NOT VALID;
ALTER TABLE reporters ADD CONSTRAINT reporters_personal_sealed CHECK (
    is_sealed(name) AND is_sealed(relationship) AND is_sealed(contact)) NOT VALID;
ALTER TABLE case_events ADD CONSTRAINT case_events_note_sealed CHECK (is_sealed(note)) NOT VALID;
