-- Schema version 1 -> 2: flag values move from workspace_flags, one row per
-- (workspace, feature), into bits of workspaces.flags_on / flags_empty (see schema.sql).
-- Runs inside one transaction with the version bump; every snapshot keeps its numbers.

CREATE TABLE workspaces_v2 (
    snapshot_id    INTEGER NOT NULL,
    workspace_id   VARCHAR NOT NULL,
    workspace_name VARCHAR,
    users          BIGINT,
    line           BIGINT NOT NULL,
    flags_on       UBIGINT NOT NULL,
    flags_empty    UBIGINT NOT NULL
);

INSERT INTO workspaces_v2
SELECT w.snapshot_id, w.workspace_id, w.workspace_name, w.users, w.line,
       coalesce(b.flags_on, 0), coalesce(b.flags_empty, 0)
FROM workspaces w
LEFT JOIN (
    SELECT wf.snapshot_id, wf.workspace_id,
           bit_or(CASE WHEN wf.enabled THEN 1::UBIGINT << f.position ELSE 0::UBIGINT END) AS flags_on,
           bit_or(CASE WHEN wf.enabled IS NULL THEN 1::UBIGINT << f.position ELSE 0::UBIGINT END) AS flags_empty
    FROM workspace_flags wf
    JOIN flag_features f ON f.snapshot_id = wf.snapshot_id AND f.feature = wf.feature
    GROUP BY wf.snapshot_id, wf.workspace_id
) b ON b.snapshot_id = w.snapshot_id AND b.workspace_id = w.workspace_id;

DROP TABLE workspace_flags;
DROP TABLE workspaces;
ALTER TABLE workspaces_v2 RENAME TO workspaces;
