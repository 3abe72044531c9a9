-- The facts each timeline is the fold of (issue 22): every fact learnt from the plan,
-- consent and meeting services' events, and the lifecycle's own (a later meeting agreed),
-- once each by its source ("<service>/<sequence>"). A timeline is rebuilt from all of its
-- plan's facts in time order whenever one is added, so facts that arrive late, out of
-- order or from two consumers at once give the same timeline as the happy order.
-- Timelines written before this migration have no facts here: the suite had no
-- production data then; a deployment that has must rebuild them from the sources' events.
CREATE TABLE timeline_facts (
  plan_id text NOT NULL REFERENCES timelines (plan_id),
  source text NOT NULL,
  fact_time timestamptz NOT NULL,
  body jsonb NOT NULL,
  PRIMARY KEY (plan_id, source)
);
