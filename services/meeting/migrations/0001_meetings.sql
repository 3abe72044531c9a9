-- SIP meetings. `body` is the whole meeting as protobuf JSON (sip.meeting.v1.Meeting, with
-- its invitations); the other columns copy what queries and indexes need.
CREATE TABLE meetings (
  meeting_id text PRIMARY KEY,
  plan_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('SCHEDULED', 'HELD', 'CANCELLED')),
  start_time timestamptz NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  body jsonb NOT NULL
);
-- ListMeetings: a plan's meetings, soonest first.
CREATE INDEX meetings_by_plan ON meetings (plan_id, start_time, meeting_id);
-- A closing plan's meetings still scheduled (cancelled with it).
CREATE INDEX meetings_scheduled ON meetings (plan_id) WHERE state = 'SCHEDULED';

-- Each invitation to a unit, rewritten with its meeting, so a unit's inbox is an index
-- range scan: pending ones newest first, and all of them.
CREATE TABLE meeting_invitations (
  invitation_id text PRIMARY KEY,
  meeting_id text NOT NULL REFERENCES meetings (meeting_id),
  unit_hsa_id text NOT NULL,
  state text NOT NULL,
  send_time timestamptz NOT NULL
);
CREATE INDEX meeting_invitations_pending
  ON meeting_invitations (unit_hsa_id, send_time DESC, invitation_id DESC) WHERE state = 'PENDING';
CREATE INDEX meeting_invitations_by_unit
  ON meeting_invitations (unit_hsa_id, send_time DESC, invitation_id DESC);
CREATE INDEX meeting_invitations_by_meeting ON meeting_invitations (meeting_id);
