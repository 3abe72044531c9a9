-- A later day for the initial meeting agreed for the person's sake (AgreeLaterMeeting).
ALTER TABLE deadlines
  ADD COLUMN by_agreement boolean NOT NULL DEFAULT false,
  ADD COLUMN agreement_reason text NOT NULL DEFAULT '';
