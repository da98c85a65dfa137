//! Salesforce side of the demo: case-safe 18-character Account IDs, the ARR report in the
//! "Details Only" CSV export shape (all fields quoted, LF, footer), and the
//! `workspace_id,account_id` mapping file.
//! Renders the simulated world; decides nothing about who pays what.

use std::io::{self, Write};

use chrono::Datelike;

use super::model::{Account, Link, MoneyStyle, World};
use super::text::{write_csv_quoted, write_money, write_u64};

/// Salesforce's 15 → 18 character conversion: each 5-character chunk gives one suffix
/// character whose bit i is set when character i of the chunk is an upper-case letter.
pub(super) fn id18(id15: &[u8; 15]) -> [u8; 18] {
    const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = [0u8; 18];
    out[..15].copy_from_slice(id15);
    for (chunk_no, chunk) in id15.chunks(5).enumerate() {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |acc, (i, _)| acc | (1 << i));
        out[15 + chunk_no] = SUFFIX[bits];
    }
    out
}

const ARR_HEADER: &str = "\"Account ID\",\"Account Name\",\"Parent Account ID\",\"Annual Recurring Revenue\",\"Account Currency\",\"Workspace ID\",\"Last Modified Date\"\n";

/// The ARR report export of snapshot `q`.
pub(super) fn write_arr<W: Write>(w: &mut W, world: &World, q: usize) -> io::Result<()> {
    w.write_all(ARR_HEADER.as_bytes())?;
    let mut records: u64 = 0;
    let mut cell: Vec<&str> = Vec::with_capacity(8);
    for account in &world.accounts {
        let Some(cents) = account.arr_cents[q] else { continue };
        let alive = account
            .workspaces
            .iter()
            .enumerate()
            .map(|(nth, wi)| (nth, &world.workspaces[*wi as usize]))
            .filter(|(_, ws)| ws.alive(q));
        cell.clear();
        match account.link {
            Link::Rows => {
                let mut rows = 0;
                for (_, ws) in alive {
                    write_arr_row(w, world, account, q, cents, &[ws.id.as_str()])?;
                    rows += 1;
                }
                // An account whose workspaces are all gone still has its row.
                if rows == 0 {
                    write_arr_row(w, world, account, q, cents, &[])?;
                    rows = 1;
                }
                records += rows;
                continue;
            }
            Link::Cell => cell.extend(alive.map(|(_, ws)| ws.id.as_str())),
            Link::CellPartial(n) => {
                cell.extend(alive.filter(|(nth, _)| *nth < usize::from(n)).map(|(_, ws)| ws.id.as_str()));
            }
            Link::Mapping => {}
        }
        write_arr_row(w, world, account, q, cents, &cell)?;
        records += 1;
    }
    w.write_all(b"\n\"Grand Totals (")?;
    write_u64(w, records)?;
    w.write_all(b" records)\"\n\n\"Confidential Information - Do Not Distribute\"\n")?;
    w.write_all(b"\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n")
}

fn write_arr_row<W: Write>(
    w: &mut W,
    world: &World,
    account: &Account,
    q: usize,
    cents: i64,
    workspaces: &[&str],
) -> io::Result<()> {
    w.write_all(b"\"")?;
    w.write_all(&account.id15)?;
    w.write_all(b"\",")?;
    write_csv_quoted(w, &account.name)?;
    w.write_all(b",\"")?;
    if let Some(parent) = account.parent {
        w.write_all(&world.accounts[parent as usize].id15)?;
    }
    w.write_all(b"\",\"")?;
    match account.money {
        MoneyStyle::CodeGrouped => {
            w.write_all(account.currency.code().as_bytes())?;
            w.write_all(b" ")?;
            write_money(w, cents, true)?;
        }
        MoneyStyle::SymbolGrouped => {
            w.write_all(b"$")?;
            write_money(w, cents, true)?;
        }
        MoneyStyle::Plain => write_money(w, cents, false)?,
    }
    w.write_all(b"\",\"")?;
    w.write_all(account.currency.code().as_bytes())?;
    w.write_all(b"\",\"")?;
    for (i, id) in workspaces.iter().enumerate() {
        if i > 0 {
            w.write_all(b";")?;
        }
        w.write_all(id.as_bytes())?;
    }
    w.write_all(b"\",\"")?;
    let d = account.modified[q];
    write_u64(w, u64::from(d.month()))?;
    w.write_all(b"/")?;
    write_u64(w, u64::from(d.day()))?;
    w.write_all(b"/")?;
    write_u64(w, d.year() as u64)?;
    w.write_all(b"\"\n")
}

/// `workspace_id,account_id` for the workspaces the export's cell does not list, with
/// 18-character IDs as an API-based sync would write them. Workspaces of accounts that
/// have left Salesforce keep their rows: stale mappings are real.
pub(super) fn write_workspace_accounts<W: Write>(w: &mut W, world: &World, q: usize) -> io::Result<()> {
    w.write_all(b"workspace_id,account_id\n")?;
    for (wi, ws) in world.workspaces.iter().enumerate() {
        let Some(ai) = ws.account else { continue };
        if !ws.alive(q) {
            continue;
        }
        let account = &world.accounts[ai as usize];
        let in_mapping = match account.link {
            Link::Rows | Link::Cell => false,
            Link::Mapping => true,
            Link::CellPartial(n) => {
                let nth = account.workspaces.iter().position(|x| *x as usize == wi);
                nth.is_some_and(|nth| nth >= usize::from(n))
            }
        };
        if in_mapping {
            w.write_all(ws.id.as_bytes())?;
            w.write_all(b",")?;
            w.write_all(&id18(&account.id15))?;
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id18_reference_vectors() {
        let cases = [
            ("001D000000IRFma", "001D000000IRFmaIAH"),
            ("005R0000000Giwj", "005R0000000GiwjIAC"),
            ("003RO0000035WQg", "003RO0000035WQgYAM"),
            ("00558000001N0Ke", "00558000001N0KeAAK"),
            ("70130000001tcyI", "70130000001tcyIAAQ"),
            ("0015g00000Pq7Rs", "0015g00000Pq7RsAAJ"),
            ("0015g00000Pq7RS", "0015g00000Pq7RSAAZ"),
        ];
        for (short, long) in cases {
            let id: [u8; 15] = short.as_bytes().try_into().unwrap();
            assert_eq!(std::str::from_utf8(&id18(&id)).unwrap(), long);
        }
    }
}
