-- ListChangedCircumstances: a plan's recorded changes of circumstances, newest first, read
-- as an index range. From this release the body is sip.plan.v1.ChangedCircumstance as
-- protobuf JSON. Rows of the earlier, service-private form are not converted: the
-- contract is unpublished and no deployment holds any (local clusters are made anew).
CREATE INDEX plan_circumstances_newest
  ON plan_circumstances (plan_id, record_time DESC, change_id DESC);
