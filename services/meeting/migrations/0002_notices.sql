-- Notices to a unit ("kvittera"): a meeting it is invited to moved or was cancelled, an
-- invitation was forwarded to it, the plan closed. Written with the meeting change that
-- caused them; acknowledging sets who and when, the row stays (history).
CREATE TABLE meeting_notices (
  notice_id text PRIMARY KEY,
  unit_hsa_id text NOT NULL,
  kind text NOT NULL
    CHECK (kind IN ('RESCHEDULED', 'CANCELLED', 'FORWARDED_TO_YOU', 'PLAN_CLOSED')),
  plan_id text NOT NULL,
  meeting_id text NOT NULL REFERENCES meetings (meeting_id),
  invitation_id text NOT NULL,
  create_time timestamptz NOT NULL,
  version bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  acknowledged_unit text,
  acknowledged_user text,
  acknowledge_time timestamptz,
  CHECK ((acknowledge_time IS NULL) = (acknowledged_unit IS NULL))
);
-- The inbox's "to do" view: a unit's notices not yet acknowledged, newest first.
CREATE INDEX meeting_notices_to_do
  ON meeting_notices (unit_hsa_id, create_time DESC, notice_id DESC)
  WHERE acknowledge_time IS NULL;
-- The inbox's "all" view.
CREATE INDEX meeting_notices_by_unit
  ON meeting_notices (unit_hsa_id, create_time DESC, notice_id DESC);
