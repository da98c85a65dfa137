//! Text in charts: the font shipped inside the binary (DejaVu Sans, Bitstream Vera
//! licence in `font/`), the width a label takes in it, and escaping for SVG.

use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// DejaVu Sans 2.37, from Debian's fonts-dejavu-core: the PNGs draw every label with it,
/// and the SVGs ask for it first, so that layouts measured with it fit.
pub(super) const FONT: &[u8] = include_bytes!("font/DejaVuSans.ttf");
pub(super) const FAMILY: &str = "DejaVu Sans";

/// Advance widths of the font's glyphs at 1 px, by character, read once.
struct Metrics {
    font: FontRef<'static>,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| Metrics {
        font: FontRef::new(FONT).expect("the font shipped in src/report/charts/font parses"),
    })
}

/// The width of `text` at `size` px in the shipped font (kerning aside, which only
/// narrows it). A character the font lacks counts as a wide one.
pub(super) fn width(text: &str, size: f64) -> f64 {
    let font = &metrics().font;
    let charmap = font.charmap();
    let glyphs = font.glyph_metrics(Size::new(1.0), LocationRef::default());
    let em: f64 = text
        .chars()
        .map(|c| {
            charmap
                .map(c)
                .and_then(|glyph| glyphs.advance_width(glyph))
                .map_or(1.0, f64::from)
        })
        .sum();
    em * size
}

/// `text` cut to at most `max` px at `size`, with an ellipsis when cut.
pub(super) fn fit(text: &str, size: f64, max: f64) -> String {
    if width(text, size) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if width(&out, size) + width("…", size) > max {
            out.pop();
            break;
        }
    }
    format!("{}…", out.trim_end())
}

/// `text` safe inside an SVG element or a double-quoted attribute.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font() {
        // DejaVu Sans: "0" advances 1303 units of 2048.
        let zero = width("0", 2048.0);
        assert!((zero - 1303.0).abs() < 0.5, "{zero}");
        assert!(width("WWW", 12.0) > width("iii", 12.0));
        assert_eq!(width("", 12.0), 0.0);
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(fit("SSO", 13.0, 100.0), "SSO");
        let cut = fit("A very long identity provider name indeed", 13.0, 100.0);
        assert!(cut.ends_with('…') && width(&cut, 13.0) <= 100.0, "{cut}");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
