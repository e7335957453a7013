-- The audit log: who viewed or changed which case, and who changed whose
-- role. Rows are added, never changed or removed: the triggers below refuse
-- UPDATE, DELETE and TRUNCATE for every role, the owner's and superusers'
-- included (only a superuser's session_replication_role = replica, or
-- dropping the trigger as the table's owner, gets past them). The columns
-- hold ids, fixed words and role names, never personal data.

CREATE TABLE audit_log (
    id       bigserial PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    actor    text NOT NULL,                -- tg:<telegram user id>, system (the bot's own jobs), cli
    action   text NOT NULL,                -- view, find, status, note, forget, purge, export, member_add, …
    case_id  bigint,                       -- the case; NULL for a role change. No foreign key: the
                                           -- log outlives anything done to cases.
    subject  bigint,                       -- a role change: the member's telegram user id
    detail   text NOT NULL DEFAULT '',     -- a status or a role name
    -- An update handled twice (a retry after a failure) records its
    -- entries once: the second insert finds the key taken.
    idem_key text UNIQUE
);

CREATE INDEX audit_log_case ON audit_log (case_id, id) WHERE case_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The application's role (the one running migrations) may add and read
-- rows only. A superuser ignores privileges; the triggers still hold it.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER;

-- Erasure (/forget and the retention purge) marks a case once its personal
-- fields are gone, so that it is erased, and audited, once.
ALTER TABLE cases ADD COLUMN erased_at timestamptz;

-- The retention purge looks for cases whose latest status is a closing one.
CREATE INDEX case_events_status ON case_events (case_id, id DESC) WHERE kind = 'status';
