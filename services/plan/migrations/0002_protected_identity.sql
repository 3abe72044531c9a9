-- Protected identity (skyddade personuppgifter) after the fact: when a plan switches, the
-- identifying details leave every earlier revision too. That is the only change ever made
-- to a revision, and it is recorded: identity_removed_time says when.
ALTER TABLE plan_revisions ADD COLUMN identity_removed_time timestamptz;

-- Revisions stay append-only except for that one change: the same row, only the snapshot's
-- individual replaced by a protected one, once.
CREATE FUNCTION plan_revisions_only_identity_removal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.identity_removed_time IS NULL
     AND NEW.identity_removed_time IS NOT NULL
     AND NEW.plan_id = OLD.plan_id AND NEW.revision = OLD.revision
     AND NEW.create_time = OLD.create_time
     AND (NEW.body #- '{snapshot,individual}') = (OLD.body #- '{snapshot,individual}')
     AND (NEW.body #>> '{snapshot,individual,protected_identity}') = 'true'
     AND NOT (NEW.body #> '{snapshot,individual}') ?| ARRAY['personal_identity_number', 'name', 'address', 'phone']
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: plan history is never changed', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER plan_revisions_append_only ON plan_revisions;
CREATE TRIGGER plan_revisions_append_only BEFORE UPDATE OR DELETE ON plan_revisions
  FOR EACH ROW EXECUTE FUNCTION plan_revisions_only_identity_removal();
