//! Chart images for slides: an SVG of ours rasterised at 1600 px wide by resvg, with
//! only the font shipped inside the binary (no system font is looked up), so the same
//! chart gives the same pixels, and the same PNG bytes, on every machine.

use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use resvg::{tiny_skia, usvg};

use super::svg::WIDTH;
use super::text::{FAMILY, FONT};

/// The width of every chart PNG, in pixels: a full-width slide image.
pub(crate) const PNG_WIDTH: u32 = 1600;

fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            db.set_sans_serif_family(FAMILY);
            Arc::new(db)
        })
        .clone()
}

/// The PNG of `svg` (a chart drawn by `svg::draw`), 1600 px wide.
pub(crate) fn render_png(svg: &str) -> Result<Vec<u8>> {
    let options = usvg::Options {
        font_family: FAMILY.to_string(),
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).context("a chart's SVG does not parse; please report it")?;
    let scale = PNG_WIDTH as f32 / WIDTH as f32;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .context("a chart is too large to draw")?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).context("a chart is too large to draw")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode a chart as PNG")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 800 100\" width=\"800\" height=\"100\">\
        <rect width=\"800\" height=\"100\" fill=\"#ffffff\"/>\
        <text x=\"10\" y=\"50\" font-size=\"20\" font-family=\"DejaVu Sans, sans-serif\">SSO 12.3%</text></svg>";

    #[test]
    fn charts_become_1600_px_pngs_with_the_shipped_font_the_same_every_time() {
        let png = render_png(SVG).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        // IHDR: width and height, big-endian, after the 8-byte signature and 8 bytes of header.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((width, height), (1600, 200));
        assert_eq!(png, render_png(SVG).unwrap());
        let blank = render_png(&SVG.replace("SSO 12.3%", "")).unwrap();
        assert_ne!(png, blank, "the text was drawn, so the font was found");
    }
}
