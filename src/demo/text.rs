//! Low-level byte writers shared by the demo's file writers: integers, CSV fields, JSON
//! strings, money and dates.
//! Exists so that writing a million rows allocates nothing per row; knows no file layout.

use std::io::{self, Write};

pub(super) fn write_u64<W: Write>(w: &mut W, mut n: u64) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.write_all(&buf[i..])
}

/// `n` as exactly `width` digits, zero-padded (the caller guarantees it fits).
pub(super) fn write_padded<W: Write>(w: &mut W, mut n: u64, width: usize) -> io::Result<()> {
    let mut buf = [b'0'; 20];
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    w.write_all(&buf[..width])
}

/// A CSV field quoted only when it must be (RFC 4180), as most product exports do.
pub(super) fn write_csv_field<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        write_csv_quoted(w, s)
    } else {
        w.write_all(s.as_bytes())
    }
}

/// A CSV field always quoted, embedded quotes doubled: the Salesforce report-export form.
pub(super) fn write_csv_quoted<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let mut rest = s;
    while let Some(pos) = rest.find('"') {
        w.write_all(&rest.as_bytes()[..=pos])?;
        w.write_all(b"\"")?;
        rest = &rest[pos + 1..];
    }
    w.write_all(rest.as_bytes())?;
    w.write_all(b"\"")
}

/// A JSON string literal, quotes included.
pub(super) fn write_json_str<W: Write>(w: &mut W, s: &str) -> io::Result<()> {
    w.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                w.write_all(&bytes[start..i])?;
                write!(w, "\\u{:04x}", b)?;
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        w.write_all(&bytes[start..i])?;
        w.write_all(escaped)?;
        start = i + 1;
    }
    w.write_all(&bytes[start..])?;
    w.write_all(b"\"")
}

/// Money from cents: `1234567` becomes `12,345.67` when grouped, `12345.67` otherwise.
pub(super) fn write_money<W: Write>(w: &mut W, cents: i64, grouped: bool) -> io::Result<()> {
    if cents < 0 {
        w.write_all(b"-")?;
    }
    let cents = cents.unsigned_abs();
    let units = cents / 100;
    if grouped {
        write_grouped(w, units)?;
    } else {
        write_u64(w, units)?;
    }
    w.write_all(b".")?;
    write_padded(w, cents % 100, 2)
}

fn write_grouped<W: Write>(w: &mut W, n: u64) -> io::Result<()> {
    if n < 1000 {
        return write_u64(w, n);
    }
    write_grouped(w, n / 1000)?;
    w.write_all(b",")?;
    write_padded(w, n % 1000, 3)
}

/// ISO-8601 UTC timestamp with milliseconds, as Auth0 writes log dates.
pub(super) fn write_iso_millis<W: Write>(w: &mut W, t: chrono::NaiveDateTime) -> io::Result<()> {
    use chrono::{Datelike, Timelike};
    write_padded(w, t.year() as u64, 4)?;
    w.write_all(b"-")?;
    write_padded(w, u64::from(t.month()), 2)?;
    w.write_all(b"-")?;
    write_padded(w, u64::from(t.day()), 2)?;
    w.write_all(b"T")?;
    write_padded(w, u64::from(t.hour()), 2)?;
    w.write_all(b":")?;
    write_padded(w, u64::from(t.minute()), 2)?;
    w.write_all(b":")?;
    write_padded(w, u64::from(t.second()), 2)?;
    w.write_all(b".")?;
    write_padded(w, u64::from(t.and_utc().timestamp_subsec_millis()), 3)?;
    w.write_all(b"Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut v = Vec::new();
        f(&mut v).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn money_grouping_and_cents() {
        assert_eq!(s(|w| write_money(w, 12_000_000, true)), "120,000.00");
        assert_eq!(s(|w| write_money(w, 12_000_005, false)), "120000.05");
        assert_eq!(s(|w| write_money(w, 100_000_000_000, true)), "1,000,000,000.00");
        assert_eq!(s(|w| write_money(w, 0, true)), "0.00");
        assert_eq!(s(|w| write_money(w, 99_900, true)), "999.00");
    }

    #[test]
    fn csv_and_json_escaping() {
        assert_eq!(s(|w| write_csv_field(w, "a,b")), "\"a,b\"");
        assert_eq!(s(|w| write_csv_field(w, "plain <b>x</b> | y")), "plain <b>x</b> | y");
        assert_eq!(s(|w| write_csv_quoted(w, "Pq \"North\"")), "\"Pq \"\"North\"\"\"");
        assert_eq!(s(|w| write_json_str(w, "a\"b\\c\u{1}é")), "\"a\\\"b\\\\c\\u0001é\"");
        assert_eq!(s(|w| write_u64(w, 0)), "0");
        assert_eq!(s(|w| write_u64(w, u64::MAX)), u64::MAX.to_string());
    }
}
