"""Pure domain logic: SM-2, planner, mastery, exam manifests. No I/O, no clock, no Qt."""
