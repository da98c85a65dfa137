-- Schema version 4 -> 5 (issue 14, account hierarchies): accounts.parent_key, the key
-- of the account's parent (parent_id), so that reports walk the parent links on
-- integer keys. A parent ID no load has seen as an account gets a new key, as a load
-- now gives it one. (Numbered 5 after issue 13's 4; each touches other tables.)

INSERT INTO account_keys
SELECT (SELECT coalesce(max(account_key), 0) FROM account_keys) + row_number() OVER (ORDER BY parent_id)::UINTEGER,
       parent_id
FROM (SELECT DISTINCT parent_id FROM accounts WHERE parent_id IS NOT NULL
      EXCEPT SELECT account_id FROM account_keys);

ALTER TABLE accounts ADD COLUMN parent_key UINTEGER;

UPDATE accounts SET parent_key = k.account_key
FROM account_keys k
WHERE k.account_id = accounts.parent_id;
