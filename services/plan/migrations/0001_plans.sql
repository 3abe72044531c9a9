-- Plans (samordnad individuell plan). `body` is the whole plan as protobuf JSON
-- (sip.plan.v1.Plan, field names as in the .proto); the other columns copy what queries
-- and indexes need. personal_identity_number is NULL for protected identity.
CREATE TABLE plans (
  plan_id text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('INITIATED', 'ACTIVE', 'CLOSED')),
  personal_identity_number text CHECK (personal_identity_number ~ '^[0-9]{12}$'),
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  body jsonb NOT NULL
);
-- ListPlans by individual (optionally by state), most recently changed first.
CREATE INDEX plans_by_individual ON plans (personal_identity_number, update_time DESC, plan_id DESC)
  WHERE personal_identity_number IS NOT NULL;
-- ListPlans by state alone.
CREATE INDEX plans_by_state ON plans (state, update_time DESC, plan_id DESC);

-- The units taking part in each plan, rewritten with every change of the plan, so that
-- "which plans does my unit take part in / carry interventions of" is an index range
-- scan in the order the list returns (update_time is a copy of the plan's).
CREATE TABLE plan_units (
  plan_id text NOT NULL REFERENCES plans (plan_id),
  hsa_id text NOT NULL,
  responsible boolean NOT NULL,
  update_time timestamptz NOT NULL,
  PRIMARY KEY (plan_id, hsa_id)
);
CREATE INDEX plan_units_by_unit ON plan_units (hsa_id, update_time DESC, plan_id DESC);
CREATE INDEX plan_units_by_responsible_unit ON plan_units (hsa_id, update_time DESC, plan_id DESC)
  WHERE responsible;

-- Revisions: immutable snapshots, 1 at establishment, then one per revision.
CREATE TABLE plan_revisions (
  plan_id text NOT NULL REFERENCES plans (plan_id),
  revision integer NOT NULL CHECK (revision > 0),
  create_time timestamptz NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (plan_id, revision)
);

-- Follow-ups (uppföljning), newest first per plan.
CREATE TABLE plan_follow_ups (
  plan_id text NOT NULL REFERENCES plans (plan_id),
  follow_up_id text NOT NULL,
  create_time timestamptz NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (plan_id, follow_up_id)
);
CREATE INDEX plan_follow_ups_newest ON plan_follow_ups (plan_id, create_time DESC, follow_up_id DESC);

-- Changed circumstances (moved, changed health centre, …), as recorded.
CREATE TABLE plan_circumstances (
  plan_id text NOT NULL REFERENCES plans (plan_id),
  change_id text NOT NULL,
  record_time timestamptz NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (plan_id, change_id)
);

-- Revisions, follow-ups and recorded circumstances are history: never changed.
CREATE FUNCTION plan_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: plan history is never changed', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER plan_revisions_append_only BEFORE UPDATE OR DELETE ON plan_revisions
  FOR EACH ROW EXECUTE FUNCTION plan_history_append_only();
CREATE TRIGGER plan_follow_ups_append_only BEFORE UPDATE OR DELETE ON plan_follow_ups
  FOR EACH ROW EXECUTE FUNCTION plan_history_append_only();
CREATE TRIGGER plan_circumstances_append_only BEFORE UPDATE OR DELETE ON plan_circumstances
  FOR EACH ROW EXECUTE FUNCTION plan_history_append_only();
