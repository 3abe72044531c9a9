-- Consents (samtycke) and refusals, one row each. `body` holds the whole consent as a
-- JSON document except its scope history; the other columns copy the fields queries and
-- indexes need.
CREATE TABLE consents (
  plan_id text NOT NULL,
  consent_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('GIVEN', 'REFUSED')),
  decision_time timestamptz NOT NULL,
  valid_until timestamptz,
  withdraw_time timestamptz,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  body jsonb NOT NULL,
  PRIMARY KEY (plan_id, consent_id)
);
-- ListConsents: a plan's consents, newest first, paged by (create_time, consent_id).
CREATE INDEX consents_by_plan_newest ON consents (plan_id, create_time DESC, consent_id DESC);

-- Every scope a consent has had. Append-only: history is never overwritten.
CREATE TABLE consent_scope_changes (
  plan_id text NOT NULL,
  consent_id text NOT NULL,
  scope_version integer NOT NULL CHECK (scope_version > 0),
  change_time timestamptz NOT NULL,
  change jsonb NOT NULL,
  PRIMARY KEY (plan_id, consent_id, scope_version),
  FOREIGN KEY (plan_id, consent_id) REFERENCES consents (plan_id, consent_id)
);

CREATE FUNCTION consent_scope_changes_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_scope_changes is append-only: scope history is never changed'
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER consent_scope_changes_append_only
  BEFORE UPDATE OR DELETE ON consent_scope_changes
  FOR EACH ROW EXECUTE FUNCTION consent_scope_changes_append_only();
