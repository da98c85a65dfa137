//! Template filters, all registered by `register`: markdown-safe cells,
//! compact money, percentages, counts and Mermaid-safe labels.

use minijinja::value::Value;
use minijinja::Environment;

pub(super) fn register(env: &mut Environment<'static>, currency: &str) {
    let currency = currency.to_string();
    env.add_filter("md_cell", md_cell);
    env.add_filter("money", move |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| compact_money(f, &currency))
    });
    env.add_filter("pct", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{:.1}%", f * 100.0))
    });
    env.add_filter("signed_pct", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{:+.1}%", f * 100.0))
    });
    env.add_filter("signed", |v: Value, places: usize| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{f:+.places$}"))
    });
    // `{{ n | num }} {{ n | plural("customer") }}`: 1 customer, 2 customers.
    env.add_filter("plural", |v: Value, word: String| -> String {
        if as_f64(&v) == Some(1.0) {
            word
        } else {
            format!("{word}s")
        }
    });
    env.add_filter("num", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| thousands(f.round() as i64))
    });
    env.add_filter("ratio", |v: Value| -> String {
        as_f64(&v).map_or_else(|| "n/a".into(), |f| format!("{f:.2}x"))
    });
    env.add_filter("fixed", |v: Value, places: usize| -> String {
        as_f64(&v).map_or_else(|| "null".into(), |f| format!("{f:.places$}"))
    });
    env.add_filter("mermaid_label", |s: String| -> String {
        // Mermaid quoted strings end at a double quote and break on newlines,
        // and Mermaid renders labels as HTML, so markup becomes entities.
        s.replace('"', "'")
            .replace(['\n', '\r'], " ")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    });
}

fn as_f64(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

/// Escapes a value for a markdown table cell: pipes, line breaks and HTML
/// would otherwise break the table or render as markup.
pub(super) fn md_cell(v: Value) -> String {
    let text = if v.is_none() { String::new() } else { v.to_string() };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn compact_money(amount: f64, currency: &str) -> String {
    let symbol = match currency {
        "USD" => "$".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        other => format!("{other} "),
    };
    let sign = if amount < 0.0 { "-" } else { "" };
    let a = amount.abs();
    // Pick the unit after rounding, so 999,950 prints as $1.0M, not $1000k.
    let body = if a >= 999_950_000.0 {
        format!("{:.1}B", a / 1e9)
    } else if a >= 999_950.0 {
        format!("{:.1}M", a / 1e6)
    } else if a >= 9_999.5 {
        format!("{:.0}k", a / 1e3)
    } else if a >= 999.95 {
        format!("{:.1}k", a / 1e3)
    } else {
        format!("{:.0}", a)
    };
    format!("{sign}{symbol}{body}")
}

pub(super) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_compact_and_rounds_into_the_next_unit() {
        assert_eq!(compact_money(60_000_000.0, "USD"), "$60.0M");
        assert_eq!(compact_money(850_000.0, "USD"), "$850k");
        assert_eq!(compact_money(999_950.0, "USD"), "$1.0M");
        assert_eq!(compact_money(12_400_000.0, "USD"), "$12.4M");
        assert_eq!(compact_money(1_234.0, "USD"), "$1.2k");
        assert_eq!(compact_money(420.0, "EUR"), "€420");
        assert_eq!(compact_money(2_500_000_000.0, "CHF"), "CHF 2.5B");
    }

    #[test]
    fn md_cell_keeps_tables_intact() {
        assert_eq!(md_cell(Value::from("a|b\nc")), "a\\|b c");
        assert_eq!(md_cell(Value::from("<b>x</b>")), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(md_cell(Value::from(())), "");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1000), "-1,000");
    }
}
