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

-- The audit log is a hash chain: each row keeps the SHA-256 of the hash of
-- the row before it and of its own fields, so that a row edited or deleted
-- (by a superuser, or by the owner with the triggers disabled) breaks the
-- chain, which `hotline audit verify` checks. Writers take turns on a
-- transaction-scoped lock and take the row's id inside their turn, so that
-- the chain follows the ids.
ALTER TABLE audit_log ADD COLUMN hash bytea;

-- audit_log_fields is a row's fields as the hash covers them, each as its
-- length in characters, a colon and its text; storage/audit.go writes
-- the same to verify.
CREATE FUNCTION audit_log_fields(r audit_log) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(string_agg(length(f) || ':' || f, '' ORDER BY n), 'UTF8')
    FROM unnest(ARRAY[
        r.id::text,
        to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        r.actor, r.action, coalesce(r.case_id::text, ''), coalesce(r.subject::text, ''), r.detail
    ]) WITH ORDINALITY AS t(f, n)
$$;

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(7523434985217094753); -- "hotline audit chain"
    NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    SELECT hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
    NEW.hash := sha256(coalesce(prev, ''::bytea) || audit_log_fields(NEW));
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- Rows written before the chain are chained now, in id order (the owner
-- lends itself UPDATE, which migration 006 took away, for this alone).
GRANT UPDATE ON audit_log TO CURRENT_USER;
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;
DO $$
DECLARE
    r audit_log;
    prev bytea := '';
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        prev := sha256(prev || audit_log_fields(r));
        UPDATE audit_log SET hash = prev WHERE id = r.id;
    END LOOP;
END
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;
REVOKE UPDATE ON audit_log FROM CURRENT_USER;

-- The facility typed by hand (not from the directory) is sealed like the
-- personal fields: a small county jail can point at the person. The Go
-- step of this migration (migrate008 in storage/seal.go) encrypts the
-- values, and binds each note's seal to its case and publicity, so that a
-- note moved to another case or made public without the key no longer
-- opens.
ALTER TABLE cases ALTER COLUMN facility_text DROP NOT NULL, ALTER COLUMN facility_text DROP DEFAULT;
ALTER TABLE cases ALTER COLUMN facility_text TYPE bytea USING convert_to(nullif(facility_text, ''), 'UTF8');
ALTER TABLE cases ADD CONSTRAINT cases_facility_sealed CHECK (is_sealed(facility_text)) NOT VALID;
