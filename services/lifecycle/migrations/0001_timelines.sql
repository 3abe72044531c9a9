-- Each plan's timeline as the lifecycle service keeps it: the dates that matter and its
-- entries (`body`, JSON), with the columns queries need beside it.
CREATE TABLE timelines (
  plan_id text PRIMARY KEY,
  region_code text NOT NULL,
  plan_state text NOT NULL,
  version bigint NOT NULL CHECK (version > 0),
  update_time timestamptz NOT NULL,
  body jsonb NOT NULL
);

-- Deadlines, a row each, numbered within their plan in the order they were opened.
CREATE TABLE deadlines (
  plan_id text NOT NULL REFERENCES timelines (plan_id),
  deadline_no integer NOT NULL,
  rule text NOT NULL,
  state text NOT NULL CHECK (state IN ('PENDING', 'MET', 'BREACHED', 'CANCELLED')),
  open_time timestamptz NOT NULL,
  due_time timestamptz NOT NULL,
  met_time timestamptz,
  breach_time timestamptz,
  cancel_time timestamptz,
  responsible_unit_hsa_id text NOT NULL,
  region_code text NOT NULL,
  policy_version text NOT NULL,
  opened_by text NOT NULL,
  PRIMARY KEY (plan_id, deadline_no)
);
-- The sweeper: pending deadlines by due time; its cost follows the due rows.
CREATE INDEX deadlines_due ON deadlines (due_time, plan_id) WHERE state = 'PENDING';
-- Work lists: a unit's deadlines by state, soonest due first.
CREATE INDEX deadlines_by_unit ON deadlines (responsible_unit_hsa_id, state, due_time, plan_id, deadline_no);

-- Closures the service asked for, each performed once through the plan service.
CREATE TABLE closure_requests (
  plan_id text PRIMARY KEY REFERENCES timelines (plan_id),
  cause text NOT NULL,
  request_time timestamptz NOT NULL,
  done_time timestamptz,
  attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX closure_requests_open ON closure_requests (request_time) WHERE done_time IS NULL;
