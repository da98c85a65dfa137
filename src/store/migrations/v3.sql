-- Schema version 2 -> 3: every workspace and account ID gets an integer key in the
-- dictionaries workspace_keys / account_keys (created empty by schema.sql), and each
-- table holding an ID is rebuilt with its key as the last column (see schema.sql).

INSERT INTO workspace_keys
SELECT row_number() OVER (ORDER BY workspace_id)::UINTEGER, workspace_id FROM (
    SELECT workspace_id FROM workspaces
    UNION SELECT workspace_id FROM account_workspaces
    UNION SELECT workspace_id FROM workspace_accounts
    UNION SELECT workspace_id FROM auth0_connection_workspaces
);

INSERT INTO account_keys
SELECT row_number() OVER (ORDER BY account_id)::UINTEGER, account_id FROM (
    SELECT account_id FROM accounts
    UNION SELECT account_id FROM account_workspaces
    UNION SELECT account_id FROM workspace_accounts
);

CREATE TABLE workspaces_v3 (
    snapshot_id    INTEGER NOT NULL,
    workspace_id   VARCHAR NOT NULL,
    workspace_name VARCHAR,
    users          BIGINT,
    line           BIGINT NOT NULL,
    flags_on       UBIGINT NOT NULL,
    flags_empty    UBIGINT NOT NULL,
    workspace_key  UINTEGER NOT NULL
);
INSERT INTO workspaces_v3 SELECT t.*, wk.workspace_key FROM workspaces t
JOIN workspace_keys wk ON wk.workspace_id = t.workspace_id;
DROP TABLE workspaces;
ALTER TABLE workspaces_v3 RENAME TO workspaces;

CREATE TABLE accounts_v3 (
    snapshot_id    INTEGER NOT NULL,
    account_id     VARCHAR NOT NULL,     -- 18-character form
    account_name   VARCHAR,
    parent_id      VARCHAR,
    arr            DECIMAL(18, 2),       -- NULL when the export left it empty
    original_arr   DECIMAL(18, 2),
    currency       VARCHAR NOT NULL,     -- of original_arr
    rate           VARCHAR,              -- applied rate as written in the config
    reporting      VARCHAR NOT NULL,     -- currency of arr
    first_line     BIGINT NOT NULL,
    account_key    UINTEGER NOT NULL
);
INSERT INTO accounts_v3 SELECT t.*, ak.account_key FROM accounts t
JOIN account_keys ak ON ak.account_id = t.account_id;
DROP TABLE accounts;
ALTER TABLE accounts_v3 RENAME TO accounts;

CREATE TABLE account_workspaces_v3 (
    snapshot_id   INTEGER NOT NULL,
    account_id    VARCHAR NOT NULL,
    workspace_id  VARCHAR NOT NULL,
    account_key   UINTEGER NOT NULL,
    workspace_key UINTEGER NOT NULL
);
INSERT INTO account_workspaces_v3 SELECT t.*, ak.account_key, wk.workspace_key FROM account_workspaces t
JOIN account_keys ak ON ak.account_id = t.account_id
JOIN workspace_keys wk ON wk.workspace_id = t.workspace_id;
DROP TABLE account_workspaces;
ALTER TABLE account_workspaces_v3 RENAME TO account_workspaces;

CREATE TABLE workspace_accounts_v3 (
    snapshot_id   INTEGER NOT NULL,
    workspace_id  VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,     -- 18-character form
    line          BIGINT NOT NULL,
    workspace_key UINTEGER NOT NULL,
    account_key   UINTEGER NOT NULL
);
INSERT INTO workspace_accounts_v3 SELECT t.*, wk.workspace_key, ak.account_key FROM workspace_accounts t
JOIN workspace_keys wk ON wk.workspace_id = t.workspace_id
JOIN account_keys ak ON ak.account_id = t.account_id;
DROP TABLE workspace_accounts;
ALTER TABLE workspace_accounts_v3 RENAME TO workspace_accounts;

CREATE TABLE auth0_connection_workspaces_v3 (
    snapshot_id   INTEGER NOT NULL,
    connection_id VARCHAR NOT NULL,
    workspace_id  VARCHAR NOT NULL,
    mapped_by     VARCHAR NOT NULL,
    workspace_key UINTEGER NOT NULL
);
INSERT INTO auth0_connection_workspaces_v3 SELECT t.*, wk.workspace_key FROM auth0_connection_workspaces t
JOIN workspace_keys wk ON wk.workspace_id = t.workspace_id;
DROP TABLE auth0_connection_workspaces;
ALTER TABLE auth0_connection_workspaces_v3 RENAME TO auth0_connection_workspaces;
