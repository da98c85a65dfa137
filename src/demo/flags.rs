//! The workspace-flags CSV of the demo (SPEC 2.1): one row per live workspace.
//! Owns the column layout and the boolean spellings a hand-maintained export drifts into;
//! the flag values themselves come from the simulated world.

use std::io::{self, Write};

use super::model::{World, IP_ALLOWLIST, MFA, SCIM, SSO};
use super::text::{write_csv_field, write_u64};

const HEADER: &[u8] =
    b"workspace_id,workspace_name,users,sso_enabled,scim_enabled,mfa_enforced,ip_allowlist_enabled\n";

/// (true, false) per `Workspace::spelling`; all parse under SPEC 2.1.
const SPELLINGS: [(&[u8], &[u8]); 6] = [
    (b"true", b"false"),
    (b"TRUE", b"FALSE"),
    (b"yes", b"no"),
    (b"1", b"0"),
    (b"Y", b"N"),
    (b"t", b"f"),
];

pub(super) fn write_flags<W: Write>(w: &mut W, world: &World, q: usize) -> io::Result<()> {
    w.write_all(HEADER)?;
    for ws in world.workspaces.iter().filter(|ws| ws.alive(q)) {
        w.write_all(ws.id.as_bytes())?;
        w.write_all(b",")?;
        write_csv_field(w, &ws.name)?;
        w.write_all(b",")?;
        write_u64(w, u64::from(ws.users[q]))?;
        let (yes, no) = SPELLINGS[usize::from(ws.spelling)];
        let flags = ws.flags[q];
        for bit in [SSO, SCIM, MFA, IP_ALLOWLIST] {
            w.write_all(b",")?;
            if bit == IP_ALLOWLIST && ws.blank_ip && flags & bit == 0 {
                continue;
            }
            w.write_all(if flags & bit != 0 { yes } else { no })?;
        }
        w.write_all(b"\n")?;
    }
    Ok(())
}
