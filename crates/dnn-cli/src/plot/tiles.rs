//! The picture grid: captioned pictures in rows under a title, the exercise's
//! "mislabelled images".

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use ndarray::Array3;
use plotters::coord::Shift;
use plotters::element::BitMapElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_err, render, text, title_band, Format, Painter, MIN_WIDTH, TITLE_BAND};

/// Pixels a tile occupies on its longer side in [`image_grid`].
const TILE_TARGET: u32 = 192;
/// At most this many tiles per row in [`image_grid`].
const TILE_COLUMNS: usize = 5;

/// One picture of [`image_grid`]: an RGB image and the caption shown under it.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The picture, shape `(height, width, 3)`, RGB.
    pub pixels: Array3<u8>,
    /// The caption; each `\n` starts a new line, e.g. `"Prediction: cat\nClass: non-cat"`.
    pub caption: String,
}

/// Draws pictures in a grid (up to five per row), each scaled up with its
/// caption under it and `title` on top — the exercise's "mislabelled images".
///
/// With no tiles the picture says "no mislabelled images". Every tile must have
/// shape `(h, w, 3)` with `h, w > 0`. The format (`.png` or `.svg`) follows
/// `path`'s extension; an SVG embeds the pictures as PNG data.
pub fn image_grid(path: &Path, tiles: &[Tile], title: &str) -> Result<()> {
    let format = Format::of(path)?;
    let scaled = tiles
        .iter()
        .enumerate()
        .map(|(k, t)| ScaledTile::new(t).with_context(|| format!("tile {k}")))
        .collect::<Result<Vec<_>>>()?;
    let plot = ImageGridPlot {
        layout: TileLayout::new(&scaled),
        tiles: scaled,
        title: title.to_string(),
    };
    render(path, format, plot.layout.size, &plot)
}

/// A tile scaled up for drawing, with its caption lines.
struct ScaledTile {
    /// RGB bytes, row-major, `size.0 * size.1 * 3` long.
    rgb: Vec<u8>,
    /// Width and height in pixels after scaling.
    size: (u32, u32),
    /// The caption, one entry per line.
    lines: Vec<String>,
}

impl ScaledTile {
    /// Scales `tile` by the integer factor that brings its longer side nearest
    /// to [`TILE_TARGET`] (at least 1), nearest neighbour.
    fn new(tile: &Tile) -> Result<Self> {
        let (h, w, c) = tile.pixels.dim();
        if c != 3 || h == 0 || w == 0 {
            bail!("picture must have shape (h, w, 3) with h, w > 0, got ({h}, {w}, {c})");
        }
        if h.max(w) > 4096 {
            bail!("picture of {h} x {w} pixels is too large for a grid tile");
        }
        let scale = (TILE_TARGET as usize / h.max(w)).max(1);
        let (sh, sw) = (h * scale, w * scale);
        let mut rgb = Vec::with_capacity(sh * sw * 3);
        for y in 0..sh {
            for x in 0..sw {
                for ch in 0..3 {
                    rgb.push(tile.pixels[[y / scale, x / scale, ch]]);
                }
            }
        }
        Ok(Self {
            rgb,
            size: (sw as u32, sh as u32),
            lines: tile.caption.lines().map(str::to_string).collect(),
        })
    }
}

/// Where the tiles of an image grid go.
struct TileLayout {
    /// Tiles per row.
    columns: usize,
    /// Width and height of one cell (tile, caption and padding).
    cell: (u32, u32),
    /// Height of one caption line.
    line_height: u32,
    /// Left edge of the first column (centres the tiles).
    left: u32,
    /// Size of the whole picture.
    size: (u32, u32),
}

impl TileLayout {
    /// The layout for `tiles`; a fixed small picture when there are none.
    fn new(tiles: &[ScaledTile]) -> Self {
        let line_height = 22;
        if tiles.is_empty() {
            return Self {
                columns: 1,
                cell: (0, 0),
                line_height,
                left: 0,
                size: (MIN_WIDTH, 240),
            };
        }
        let columns = tiles.len().min(TILE_COLUMNS);
        let rows = tiles.len().div_ceil(columns) as u32;
        let max_w = tiles.iter().map(|t| t.size.0).max().unwrap_or(0);
        let max_h = tiles.iter().map(|t| t.size.1).max().unwrap_or(0);
        let max_lines = tiles.iter().map(|t| t.lines.len()).max().unwrap_or(0) as u32;
        let cell = (
            (max_w + 30).max(210),
            max_h + 16 + max_lines * line_height + 14,
        );
        let used = cell.0 * columns as u32;
        let width = (used + 20).max(MIN_WIDTH);
        Self {
            columns,
            cell,
            line_height,
            left: (width - used) / 2,
            size: (width, cell.1 * rows + TITLE_BAND + 10),
        }
    }

    /// Top-left corner of cell `k` within the area below the title.
    fn origin(&self, k: usize) -> (i32, i32) {
        let (col, row) = ((k % self.columns) as u32, (k / self.columns) as u32);
        (
            (self.left + col * self.cell.0) as i32,
            (row * self.cell.1) as i32,
        )
    }
}

/// The grid of captioned pictures.
struct ImageGridPlot {
    /// The tiles, scaled.
    tiles: Vec<ScaledTile>,
    /// Where they go.
    layout: TileLayout,
    /// The picture's title.
    title: String,
}

impl ImageGridPlot {
    /// Draws tile `k` with its caption.
    fn draw_tile<DB>(
        &self,
        area: &DrawingArea<DB, Shift>,
        k: usize,
        tile: &ScaledTile,
    ) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let (x0, y0) = self.layout.origin(k);
        let centre = x0 + self.layout.cell.0 as i32 / 2;
        let left = centre - tile.size.0 as i32 / 2;
        let bitmap = BitMapElement::with_ref((left, y0 + 8), tile.size, &tile.rgb)
            .ok_or_else(|| anyhow!("tile {k}: pixel buffer does not match its size"))?;
        area.draw(&bitmap).map_err(draw_err)?;
        let style = text(16.0).pos(Pos::new(HPos::Center, VPos::Top));
        let mut y = y0 + 8 + tile.size.1 as i32 + 8;
        for line in &tile.lines {
            area.draw_text(line, &style, (centre, y))
                .map_err(draw_err)?;
            y += self.layout.line_height as i32;
        }
        Ok(())
    }
}

impl Painter for ImageGridPlot {
    fn paint<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let area = title_band(root, &self.title)?;
        if self.tiles.is_empty() {
            let (w, h) = area.dim_in_pixel();
            let style = text(20.0).pos(Pos::new(HPos::Center, VPos::Center));
            area.draw_text(
                "no mislabelled images",
                &style,
                (w as i32 / 2, h as i32 / 2),
            )
            .map_err(draw_err)?;
            return Ok(());
        }
        for (k, tile) in self.tiles.iter().enumerate() {
            self.draw_tile(&area, k, tile)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::test_support::*;

    #[test]
    fn image_grid_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("mislabelled.png");
        image_grid(&png, &tiles(7), "Mislabelled images").unwrap();
        let (w, h) = png_size(&png);
        assert!(w >= 5 * 192 && h >= 2 * 192, "{w}x{h}");
        let img = image::open(&png).unwrap().to_rgb8();
        // The first tile's picture is drawn 3x: its corner pixel is (0, 0, 128).
        let scaled: Vec<_> = tiles(7)
            .iter()
            .map(|t| ScaledTile::new(t).unwrap())
            .collect();
        let layout = TileLayout::new(&scaled);
        let (x0, y0) = layout.origin(0);
        let left = x0 as u32 + (layout.cell.0 - 192) / 2;
        let top = TITLE_BAND + y0 as u32 + 8;
        assert_eq!(img.get_pixel(left + 1, top + 1).0, [0, 0, 128]);
        keep_demo(&png);
        let single = dir.path().join("mislabelled-one.png");
        image_grid(
            &single,
            &tiles(1),
            "Mislabelled images (1 of 50 test images)",
        )
        .unwrap();
        assert_eq!(png_size(&single).0, MIN_WIDTH);
        keep_demo(&single);
        let svg = dir.path().join("mislabelled.svg");
        image_grid(&svg, &tiles(3), "Mislabelled images").unwrap();
        keep_demo(&svg);
        assert_svg(&svg);
        let body = fs::read_to_string(&svg).unwrap();
        assert_eq!(body.matches("href=\"data:image/png;base64,").count(), 3);
        assert!(!body.contains("data:png;"));
        assert!(body.contains("Prediction: non-cat"));
    }

    #[test]
    fn image_grid_without_tiles() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("none.png");
        image_grid(&png, &[], "Mislabelled images").unwrap();
        assert!(png_size(&png).0 > 0);
        keep_demo(&png);
        let svg = dir.path().join("none.svg");
        image_grid(&svg, &[], "Mislabelled images").unwrap();
        assert!(fs::read_to_string(&svg)
            .unwrap()
            .contains("no mislabelled images"));
    }
}
