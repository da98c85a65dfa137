-- features: the features reported for side `at_side`: those whose column the flags snapshot carried.
-- grain: one row per feature, in report order (built-in first, then the config's).
-- columns:
--   feature   VARCHAR  key, e.g. sso
--   label     VARCHAR  display name, e.g. SSO
--   requires  VARCHAR  prerequisite feature key, or NULL
--   position  INTEGER  report order
--   bit       UBIGINT  1 << position: the feature's bit in flags_on, flags_empty and features_on
SELECT f.feature, f.label, f.requires, f.position, 1::UBIGINT << f.position AS bit
FROM flag_features f
JOIN selection s ON s.snapshot_id = f.snapshot_id AND s.source = 'flags' AND s.side = at_side
ORDER BY f.position
