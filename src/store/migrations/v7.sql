-- Schema version 6 -> 7: Auth0 verdicts decided at load (auth0_load_verdicts,
-- auth0_load_verdict_basis, auth0_load_rules), which reports reuse while the config and
-- classifier are those of the load. They are new tables, which schema.sql creates on
-- every open of an older store; the snapshots loaded before have no stored verdicts and
-- their reports classify them, as before. The version moves so that an older featurearr
-- refuses a store whose verdicts it would not replace with its snapshots.
SELECT 1;
