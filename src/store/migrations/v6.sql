-- Schema version 5 -> 6: the record of `featurearr refresh` runs (runs, run_steps,
-- run_sources). They are new tables, which schema.sql creates on every open of an
-- older store; nothing existing changes shape. The version moves so that an older
-- featurearr refuses a store whose runs it would not keep.
SELECT 1;
