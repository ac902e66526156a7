-- An open application whose reply deadline needs a year's 节假日安排 that is not imported
-- yet: the year it needs (NULL otherwise). The queue sorts these first; importing the year
-- recomputes them (Store::recompute_deadlines).
ALTER TABLE applications ADD COLUMN due_missing_year INTEGER;
CREATE INDEX applications_due_missing ON applications (due_missing_year);
