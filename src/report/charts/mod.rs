//! Charts: what a chart shows ([`Chart`]: a title, labelled axes and exact values),
//! drawn as a self-contained SVG by `svg` and rasterised to a 1600 px wide PNG by `png`
//! with the font shipped in `font/`, so that every machine draws the same pixels.
//!
//! Drawn by our own code rather than a charting crate: every coordinate, label and
//! colour is ours to decide, the output is byte-stable, each chart carries its text
//! alternative, and money stays exact `Money` until a value becomes a pixel. The heavy
//! crates (resvg for the PNG, skrifa for text widths) are named only in this module.

mod layout;
mod model;
mod png;
mod svg;
mod text;

use serde::Serialize;

pub(crate) use model::{Amount, Bars, Body, Chart, Lines, Series, Step, Table, Waterfall};
pub(crate) use png::render_png;

/// A chart ready for a page: its SVG, its text alternative and the table of its numbers.
#[derive(Debug, Serialize)]
pub(crate) struct Figure {
    pub name: String,
    /// `<report>-<name>`: the stem of its files, and the prefix of its element ids.
    pub file: String,
    pub title: String,
    pub description: String,
    pub svg: String,
    pub table: Table,
}

impl Chart {
    /// The chart as a figure of report `report`'s page.
    pub(crate) fn figure(&self, report: &str) -> Figure {
        let file = format!("{report}-{}", self.name);
        Figure {
            name: self.name.clone(),
            svg: svg::draw(self, &file),
            title: self.title.clone(),
            description: self.description(),
            table: self.table(),
            file,
        }
    }
}
