//! The exercise's pictures: the cost curve, the mislabelled images and the
//! decision boundaries of the flower networks.
//!
//! Every function writes a `.png` (bitmap) or `.svg` (vector) file, chosen by
//! the path's extension. Text is drawn with DejaVu Sans, embedded in the binary
//! (crate `dejavu`), so no system font or fontconfig is needed. A picture is
//! rendered and encoded in memory, then written by the one atomic writer
//! ([`dnn_data::atomic::write_atomically`]), so a failed render or write never
//! leaves a partial file and never touches an existing one.

use std::fmt::Display;
use std::path::Path;
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};
use ndarray::{Array2, Array3};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::BitMapElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

/// Font family name under which the embedded font is registered.
const FONT: &str = "sans-serif";
/// Size in pixels of a cost-curve picture.
const COST_SIZE: (u32, u32) = (800, 500);
/// Pixels a tile occupies on its longer side in [`image_grid`].
const TILE_TARGET: u32 = 192;
/// At most this many tiles per row in [`image_grid`].
const TILE_COLUMNS: usize = 5;
/// At most this many panels per row in [`decision_boundaries`].
const PANEL_COLUMNS: usize = 4;
/// Size in pixels of one decision-boundary panel.
const PANEL_SIZE: (u32, u32) = (420, 420);
/// Height in pixels of a picture's title band.
const TITLE_BAND: u32 = 50;
/// Smallest width in pixels of a picture with a title band, so the title fits.
const MIN_WIDTH: u32 = 640;

/// Background of the regions predicted as class 0 (light red).
const REGION_0: RGBColor = RGBColor(250, 190, 175);
/// Background of the regions predicted as class 1 (light blue).
const REGION_1: RGBColor = RGBColor(180, 205, 245);
/// Points whose true class is 0 (dark red).
const POINT_0: RGBColor = RGBColor(200, 30, 35);
/// Points whose true class is 1 (dark blue).
const POINT_1: RGBColor = RGBColor(35, 80, 190);

/// One picture of [`image_grid`]: an RGB image and the caption shown under it.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The picture, shape `(height, width, 3)`, RGB.
    pub pixels: Array3<u8>,
    /// The caption; each `\n` starts a new line, e.g. `"Prediction: cat\nClass: non-cat"`.
    pub caption: String,
}

/// The predicted classes over a regular grid of the plane, for [`decision_boundaries`].
///
/// The rectangle `x_range` × `y_range` is cut into `nx` × `ny` equal cells; the
/// class of cell `(i, j)` (x index `i`, y index `j`) is `classes[j * nx + i]` and
/// is the prediction at the cell's centre, which is what [`grid_points`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The covered x interval `(low, high)`.
    pub x_range: (f64, f64),
    /// The covered y interval `(low, high)`.
    pub y_range: (f64, f64),
    /// Number of cells along x.
    pub nx: usize,
    /// Number of cells along y.
    pub ny: usize,
    /// Predicted class (0 or 1; anything non-zero counts as 1) of each cell,
    /// row-major: y index outer, x index inner.
    pub classes: Vec<u8>,
}

/// One panel of [`decision_boundaries`]: a data set and a model's predictions.
#[derive(Debug, Clone)]
pub struct BoundaryPanel {
    /// The panel's title, e.g. `"Hidden layer of size 4 — 90.50 %"`.
    pub title: String,
    /// The points, shape `(2, m)`: one column per point.
    pub x: Array2<f64>,
    /// The true labels, shape `(1, m)`, 0 or 1 (anything above 0.5 counts as 1).
    pub y: Array2<f64>,
    /// The model's predictions over the plane.
    pub grid: Grid,
}

/// Checks that `path` names a picture format these functions write (`.png` or
/// `.svg`, any case), so a command can refuse a bad path before a long training.
pub fn check_extension(path: &Path) -> Result<()> {
    Format::of(path).map(|_| ())
}

/// Draws the cost against the iteration number, as the exercise does after training.
///
/// `costs` holds `(iteration, cost)` pairs; non-finite costs are left out. The
/// title reads `Learning rate = {learning_rate}`. The format (`.png` or `.svg`)
/// follows `path`'s extension.
pub fn cost_curve(path: &Path, costs: &[(usize, f64)], learning_rate: f64) -> Result<()> {
    let format = Format::of(path)?;
    let plot = CostPlot {
        costs: costs
            .iter()
            .filter(|(_, c)| c.is_finite())
            .map(|&(i, c)| (i as f64, c))
            .collect(),
        title: format!("Learning rate = {learning_rate}"),
    };
    render(path, format, COST_SIZE, &plot)
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

/// Draws one or more decision-boundary panels (up to four per row) under `title`.
///
/// Each panel fills its grid cells with the predicted class (light red for 0,
/// light blue for 1) and draws the points on top in their true class's colour
/// (dark red / dark blue, black outline); axes are labelled `x1` and `x2`.
/// Every panel is checked (shapes, grid size, ranges) before anything is written.
pub fn decision_boundaries(path: &Path, panels: &[BoundaryPanel], title: &str) -> Result<()> {
    let format = Format::of(path)?;
    if panels.is_empty() {
        bail!("no panels to draw");
    }
    for (k, panel) in panels.iter().enumerate() {
        check_panel(panel).with_context(|| format!("panel {k} ({:?})", panel.title))?;
    }
    let columns = panels.len().min(PANEL_COLUMNS);
    let rows = panels.len().div_ceil(columns);
    let size = (
        (PANEL_SIZE.0 * columns as u32).max(MIN_WIDTH),
        PANEL_SIZE.1 * rows as u32 + TITLE_BAND,
    );
    let plot = BoundaryPlot {
        panels,
        title,
        columns,
        rows,
    };
    render(path, format, size, &plot)
}

/// The points at which to predict for a decision-boundary [`Grid`].
///
/// Covers the bounding box of `x` (shape `(2, m)`, non-finite values ignored)
/// widened by `margin` on every side, cut into `nx` × `ny` cells. Returns the
/// cell centres, shape `(2, nx * ny)`, in the order of [`Grid::classes`]
/// (y index outer, x index inner), then the x and y ranges to put in the
/// [`Grid`]. A degenerate box (no points, or one value only) is widened so that
/// both ranges have a positive length. `nx` or `ny` of zero gives no points.
pub fn grid_points(
    x: &Array2<f64>,
    nx: usize,
    ny: usize,
    margin: f64,
) -> (Array2<f64>, (f64, f64), (f64, f64)) {
    let margin = if margin.is_finite() {
        margin.abs()
    } else {
        0.0
    };
    let x_range = widen(row_bounds(x, 0), margin);
    let y_range = widen(row_bounds(x, 1), margin);
    let mut points = Array2::zeros((2, nx * ny));
    for j in 0..ny {
        for i in 0..nx {
            let k = j * nx + i;
            points[[0, k]] = cell_centre(x_range, nx, i);
            points[[1, k]] = cell_centre(y_range, ny, j);
        }
    }
    (points, x_range, y_range)
}

/// The smallest and largest finite values of row `row` of `x`, if any.
fn row_bounds(x: &Array2<f64>, row: usize) -> Option<(f64, f64)> {
    if row >= x.nrows() {
        return None;
    }
    x.row(row)
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `bounds` widened by `margin` on both sides, and to a positive length.
fn widen(bounds: Option<(f64, f64)>, margin: f64) -> (f64, f64) {
    let (lo, hi) = bounds.unwrap_or((0.0, 0.0));
    let (lo, hi) = (lo - margin, hi + margin);
    if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    }
}

/// The centre of cell `i` of `n` equal cells covering `range`.
fn cell_centre(range: (f64, f64), n: usize, i: usize) -> f64 {
    range.0 + (i as f64 + 0.5) * (range.1 - range.0) / n as f64
}

/// Checks a panel's shapes, grid and ranges.
fn check_panel(panel: &BoundaryPanel) -> Result<()> {
    let (rows, m) = panel.x.dim();
    if rows != 2 {
        bail!("points must have shape (2, m), got ({rows}, {m})");
    }
    if panel.y.dim() != (1, m) {
        let (r, c) = panel.y.dim();
        bail!("labels must have shape (1, {m}) to match the points, got ({r}, {c})");
    }
    let grid = &panel.grid;
    if grid.nx == 0 || grid.ny == 0 {
        bail!(
            "grid must have at least one cell, got {} x {}",
            grid.nx,
            grid.ny
        );
    }
    let cells = grid.nx.checked_mul(grid.ny);
    if cells != Some(grid.classes.len()) {
        bail!(
            "grid of {} x {} cells needs {} classes, got {}",
            grid.nx,
            grid.ny,
            grid.nx.saturating_mul(grid.ny),
            grid.classes.len()
        );
    }
    check_range("x", grid.x_range)?;
    check_range("y", grid.y_range)
}

/// Checks that a range is finite and of positive length.
fn check_range(name: &str, (lo, hi): (f64, f64)) -> Result<()> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        bail!("grid {name} range must be finite with low < high, got ({lo}, {hi})");
    }
    Ok(())
}

/// The output formats, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// A PNG bitmap.
    Png,
    /// An SVG drawing.
    Svg,
}

impl Format {
    /// The format named by `path`'s extension (case-insensitive).
    fn of(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => bail!(
                "cannot write {}: unsupported picture format (supported extensions: .png, .svg)",
                path.display()
            ),
        }
    }
}

/// Something that draws itself on any plotters backend.
trait Painter {
    /// Draws the whole picture on `root`.
    fn paint<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static;
}

/// Renders `painter` in `format` at `size` pixels into memory, then writes the file with
/// the one atomic writer.
fn render(path: &Path, format: Format, size: (u32, u32), painter: &impl Painter) -> Result<()> {
    register_font()?;
    let bytes =
        encode(format, size, painter).with_context(|| format!("cannot draw {}", path.display()))?;
    dnn_data::atomic::write_atomically(path, &bytes)?;
    Ok(())
}

/// The picture's file content: PNG bytes of an RGB buffer, or the SVG text.
fn encode(format: Format, size: (u32, u32), painter: &impl Painter) -> Result<Vec<u8>> {
    match format {
        Format::Png => {
            let (w, h) = size;
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            finish(
                BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area(),
                painter,
            )?;
            let mut png = Vec::new();
            PngEncoder::new(&mut png)
                .write_image(&rgb, w, h, ColorType::Rgb8)
                .context("cannot encode the PNG")?;
            Ok(png)
        }
        Format::Svg => {
            let mut svg = String::new();
            finish(
                SVGBackend::with_string(&mut svg, size).into_drawing_area(),
                painter,
            )?;
            Ok(fix_svg_images(&svg).into_bytes())
        }
    }
}

/// Gives embedded bitmaps their proper media type: plotters writes
/// `data:png;base64,`, which strict SVG viewers refuse; `image/png` is the valid one.
fn fix_svg_images(svg: &str) -> String {
    svg.replace("href=\"data:png;base64,", "href=\"data:image/png;base64,")
}

/// Paints on `root` and flushes it to its file.
fn finish<DB>(root: DrawingArea<DB, Shift>, painter: &impl Painter) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(draw_err)?;
    painter.paint(&root)?;
    root.present().map_err(draw_err)
}

/// Turns a plotters error into an `anyhow` one.
fn draw_err(e: impl Display) -> anyhow::Error {
    anyhow!("plotting failed: {e}")
}

/// Registers the embedded DejaVu Sans as [`FONT`], once per process.
fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        let regular =
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let bold = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
        regular.is_ok() && bold.is_ok()
    });
    if !ok {
        bail!("the embedded font could not be loaded");
    }
    Ok(())
}

/// A text style of the embedded font.
///
/// Use even sizes only: plotters' ab_glyph renderer truncates half a pixel
/// differently for glyphs above and below the middle line at odd sizes, which
/// lifts the dot of "0.5" visibly off the baseline in PNGs.
fn text(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// A bold text style of the embedded font, for titles.
fn title_text(size: f64) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&BLACK)
}

/// Draws `title` centred in a band at the top of `root`; returns the area below it.
fn title_band<DB>(root: &DrawingArea<DB, Shift>, title: &str) -> Result<DrawingArea<DB, Shift>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (band, rest) = root.split_vertically(TITLE_BAND);
    let (w, h) = band.dim_in_pixel();
    let style = fitting_title(&band, title, w.saturating_sub(20))?
        .pos(Pos::new(HPos::Center, VPos::Center));
    band.draw_text(title, &style, (w as i32 / 2, h as i32 / 2))
        .map_err(draw_err)?;
    Ok(rest)
}

/// The largest title style (24 px down to 12 px) in which `title` fits in `width` pixels.
fn fitting_title<DB>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    width: u32,
) -> Result<TextStyle<'static>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    for size in (12..=24).rev().step_by(2) {
        let style = title_text(f64::from(size));
        let (w, _) = area.estimate_text_size(title, &style).map_err(draw_err)?;
        if w <= width {
            return Ok(style);
        }
    }
    Ok(title_text(12.0))
}

/// The cost curve.
struct CostPlot {
    /// `(iteration, cost)` points, all finite.
    costs: Vec<(f64, f64)>,
    /// The chart's title.
    title: String,
}

impl CostPlot {
    /// The x range: from 0 to the last iteration.
    fn x_range(&self) -> (f64, f64) {
        let hi = self.costs.iter().map(|p| p.0).fold(0.0, f64::max);
        (0.0, if hi > 0.0 { hi } else { 1.0 })
    }

    /// The y range: the costs' span with 5 % head room either side.
    fn y_range(&self) -> (f64, f64) {
        let (lo, hi) = self
            .costs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        if lo > hi {
            return (0.0, 1.0);
        }
        let pad = if hi > lo {
            0.05 * (hi - lo)
        } else {
            0.1 * lo.abs().max(1.0)
        };
        (lo - pad, hi + pad)
    }
}

impl Painter for CostPlot {
    fn paint<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let (x0, x1) = self.x_range();
        let (y0, y1) = self.y_range();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_text(24.0))
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_desc("iterations")
            .y_desc("cost")
            .axis_desc_style(text(20.0))
            .label_style(text(16.0))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_err)?;
        let line = ShapeStyle::from(&BLUE).stroke_width(2);
        chart
            .draw_series(LineSeries::new(self.costs.iter().copied(), line))
            .map_err(draw_err)?;
        chart
            .draw_series(
                self.costs
                    .iter()
                    .map(|&p| Circle::new(p, 3, ShapeStyle::from(&BLUE).filled())),
            )
            .map_err(draw_err)?;
        Ok(())
    }
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

/// The decision-boundary panels (already checked).
struct BoundaryPlot<'a> {
    /// The panels.
    panels: &'a [BoundaryPanel],
    /// The picture's title.
    title: &'a str,
    /// Panels per row.
    columns: usize,
    /// Rows of panels.
    rows: usize,
}

impl Painter for BoundaryPlot<'_> {
    fn paint<DB>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let area = title_band(root, self.title)?;
        let cells = area.split_evenly((self.rows, self.columns));
        for (panel, cell) in self.panels.iter().zip(&cells) {
            draw_panel(cell, panel)?;
        }
        Ok(())
    }
}

/// Draws one decision-boundary panel on `area`.
fn draw_panel<DB>(area: &DrawingArea<DB, Shift>, panel: &BoundaryPanel) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let g = &panel.grid;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, text(18.0))
        .margin(10)
        .x_label_area_size(45)
        .y_label_area_size(50)
        .build_cartesian_2d(g.x_range.0..g.x_range.1, g.y_range.0..g.y_range.1)
        .map_err(draw_err)?;
    chart
        .draw_series(region_runs(g).map(|(class, corners)| {
            let colour = if class { REGION_1 } else { REGION_0 };
            Rectangle::new(corners, colour.filled())
        }))
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .axis_desc_style(text(16.0))
        .label_style(text(14.0))
        .draw()
        .map_err(draw_err)?;
    draw_points(&mut chart, panel)
}

/// The grid as filled rectangles: each row's runs of cells of one class merged
/// (class as `true` for 1), with their corners in data coordinates.
fn region_runs(g: &Grid) -> impl Iterator<Item = (bool, [(f64, f64); 2])> + '_ {
    let dx = (g.x_range.1 - g.x_range.0) / g.nx as f64;
    let dy = (g.y_range.1 - g.y_range.0) / g.ny as f64;
    g.classes
        .chunks(g.nx)
        .enumerate()
        .flat_map(move |(j, row)| {
            let y0 = g.y_range.0 + j as f64 * dy;
            runs(row).map(move |(start, end, class)| {
                let x0 = g.x_range.0 + start as f64 * dx;
                let x1 = g.x_range.0 + end as f64 * dx;
                (class, [(x0, y0), (x1, y0 + dy)])
            })
        })
}

/// Maximal runs `[start, end)` of equal class (non-zero as `true`) in `row`.
fn runs(row: &[u8]) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= row.len() {
            return None;
        }
        let class = row[start] != 0;
        let len = row[start..]
            .iter()
            .take_while(|&&c| (c != 0) == class)
            .count();
        let run = (start, start + len, class);
        start += len;
        Some(run)
    })
}

/// Draws the panel's points, coloured by true class, with a black outline.
fn draw_points<DB>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    panel: &BoundaryPanel,
) -> Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let points = || {
        panel
            .x
            .columns()
            .into_iter()
            .zip(panel.y.iter())
            .map(|(c, &label)| ((c[0], c[1]), label > 0.5))
            .filter(|((a, b), _)| a.is_finite() && b.is_finite())
    };
    chart
        .draw_series(points().map(|(p, class)| {
            let colour = if class { POINT_1 } else { POINT_0 };
            Circle::new(p, 4, colour.filled())
        }))
        .map_err(draw_err)?;
    chart
        .draw_series(points().map(|(p, _)| Circle::new(p, 4, BLACK.stroke_width(1))))
        .map_err(draw_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;
    use std::fs;
    use std::path::PathBuf;

    /// Where the demo pictures go when `DNN_PLOT_DEMO_DIR` is set.
    fn demo_dir() -> Option<PathBuf> {
        std::env::var_os("DNN_PLOT_DEMO_DIR").map(PathBuf::from)
    }

    /// Copies a rendered picture to the demo directory, if one is set.
    fn keep_demo(path: &Path) {
        if let (Some(dir), Some(name)) = (demo_dir(), path.file_name()) {
            fs::create_dir_all(&dir).unwrap();
            fs::copy(path, dir.join(name)).unwrap();
        }
    }

    /// Decodes a PNG file and returns its size.
    fn png_size(path: &Path) -> (u32, u32) {
        let img = image::open(path).unwrap();
        (img.width(), img.height())
    }

    /// Checks that `path` is a non-empty SVG document.
    fn assert_svg(path: &Path) {
        let body = fs::read_to_string(path).unwrap();
        assert!(body.contains("<svg"), "not an SVG: {}", path.display());
        assert!(body.trim_end().ends_with("</svg>"));
    }

    /// The names in `dir`, to check that no temporary file was left.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn costs() -> Vec<(usize, f64)> {
        (0..25)
            .map(|k| (k * 100, 0.09 + 0.68 * (-(k as f64) / 4.0).exp()))
            .collect()
    }

    /// A synthetic 64x64 picture: a gradient with a coloured square.
    fn picture(seed: u8) -> Array3<u8> {
        Array::from_shape_fn((64, 64, 3), |(y, x, c)| {
            let inside = (16..48).contains(&y) && (16..48).contains(&x);
            match (inside, c) {
                (true, 0) => 40u8.wrapping_mul(seed).wrapping_add(100),
                (true, 1) => 200,
                (true, _) => 30,
                (false, 0) => (x * 4) as u8,
                (false, 1) => (y * 4) as u8,
                (false, _) => 128u8.wrapping_add(seed * 20),
            }
        })
    }

    fn tiles(n: usize) -> Vec<Tile> {
        (0..n)
            .map(|k| Tile {
                pixels: picture(k as u8),
                caption: if k % 2 == 0 {
                    "Prediction: cat\nClass: non-cat".into()
                } else {
                    "Prediction: non-cat\nClass: cat".into()
                },
            })
            .collect()
    }

    /// A two-petal flower-like data set and a classifier by angle.
    fn panel(title: &str, n: usize) -> BoundaryPanel {
        let m = 200;
        let x = Array::from_shape_fn((2, m), |(r, j)| {
            let t = j as f64 * 0.1;
            let radius = 3.0 * (2.0 * t).sin() + 0.3 * ((j * 7) % 5) as f64 / 5.0;
            if r == 0 {
                radius * t.sin()
            } else {
                radius * t.cos()
            }
        });
        let y = Array::from_shape_fn((1, m), |(_, j)| ((j / 16) % 2) as f64);
        let (pts, x_range, y_range) = grid_points(&x, n, n, 1.0);
        let classes = pts
            .columns()
            .into_iter()
            .map(|c| u8::from(c[1] > 1.5 * (1.3 * c[0]).sin()))
            .collect();
        BoundaryPanel {
            title: title.into(),
            x,
            y,
            grid: Grid {
                x_range,
                y_range,
                nx: n,
                ny: n,
                classes,
            },
        }
    }

    #[test]
    fn cost_curve_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("cost.png");
        cost_curve(&png, &costs(), 0.0075).unwrap();
        assert_eq!(png_size(&png), COST_SIZE);
        keep_demo(&png);
        let svg = dir.path().join("cost.svg");
        cost_curve(&svg, &costs(), 0.0075).unwrap();
        keep_demo(&svg);
        assert_svg(&svg);
        assert!(fs::read_to_string(&svg)
            .unwrap()
            .contains("Learning rate = 0.0075"));
        assert_eq!(names(dir.path()), ["cost.png", "cost.svg"]);
    }

    #[test]
    fn cost_curve_tolerates_empty_and_non_finite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.png");
        cost_curve(&p, &[], 0.1).unwrap();
        cost_curve(&p, &[(0, f64::NAN), (100, 0.5)], 0.1).unwrap();
        cost_curve(&p, &[(0, 0.5)], 0.1).unwrap();
        assert_eq!(png_size(&p), COST_SIZE);
    }

    #[test]
    fn unsupported_extension_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["cost.jpg", "cost", "cost.pdf"] {
            let p = dir.path().join(name);
            let err = cost_curve(&p, &costs(), 0.0075).unwrap_err().to_string();
            assert!(err.contains(".png") && err.contains(".svg"), "{err}");
            assert!(image_grid(&p, &tiles(1), "t").is_err());
            assert!(decision_boundaries(&p, &[panel("p", 10)], "t").is_err());
        }
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn check_extension_accepts_png_and_svg_only() {
        for ok in ["a.png", "dir/b.SVG", "c.Png"] {
            check_extension(Path::new(ok)).unwrap();
        }
        for bad in ["a.jpg", "b", "c.png.txt", "/"] {
            let err = check_extension(Path::new(bad)).unwrap_err().to_string();
            assert!(err.contains("supported extensions: .png, .svg"), "{err}");
        }
    }

    #[test]
    fn failure_leaves_existing_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let old = b"previous picture".to_vec();
        let jpg = dir.path().join("keep.jpg");
        fs::write(&jpg, &old).unwrap();
        assert!(cost_curve(&jpg, &costs(), 0.1).is_err());
        assert_eq!(fs::read(&jpg).unwrap(), old);

        let png = dir.path().join("keep.png");
        fs::write(&png, &old).unwrap();
        let mut bad = panel("bad", 10);
        bad.grid.classes.pop();
        let err = decision_boundaries(&png, &[panel("ok", 10), bad], "t").unwrap_err();
        assert!(
            format!("{err:#}").contains("needs 100 classes, got 99"),
            "{err:#}"
        );
        let bad_tile = Tile {
            pixels: Array3::zeros((64, 64, 4)),
            caption: String::new(),
        };
        assert!(image_grid(&png, &[bad_tile], "t").is_err());
        assert_eq!(fs::read(&png).unwrap(), old);
        assert_eq!(names(dir.path()), ["keep.jpg", "keep.png"]);
    }

    #[test]
    fn render_failure_removes_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: rendering succeeds, the rename fails.
        let target = dir.path().join("taken.png");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
        assert!(cost_curve(&target, &costs(), 0.1).is_err());
        assert_eq!(names(dir.path()), ["taken.png"]);
        assert!(target.join("inside").exists());
    }

    #[test]
    fn success_replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cost.png");
        fs::write(&p, b"old").unwrap();
        cost_curve(&p, &costs(), 0.0075).unwrap();
        assert_eq!(png_size(&p), COST_SIZE);
    }

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

    #[test]
    fn decision_boundaries_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let panels: Vec<_> = [1, 2, 3, 4, 5, 20]
            .iter()
            .map(|h| panel(&format!("Hidden layer of size {h} — 90.50 %"), 120))
            .collect();
        let png = dir.path().join("boundaries.png");
        decision_boundaries(&png, &panels, "Decision boundaries").unwrap();
        assert_eq!(
            png_size(&png),
            (4 * PANEL_SIZE.0, 2 * PANEL_SIZE.1 + TITLE_BAND)
        );
        keep_demo(&png);
        let one = dir.path().join("boundary.png");
        decision_boundaries(
            &one,
            &panels[3..4],
            "Decision boundary for hidden layer size 4",
        )
        .unwrap();
        keep_demo(&one);
        let svg = dir.path().join("boundaries.svg");
        decision_boundaries(&svg, &panels, "Decision boundaries").unwrap();
        keep_demo(&svg);
        assert_svg(&svg);
        let body = fs::read_to_string(&svg).unwrap();
        assert!(body.lines().any(|l| l.trim() == "x2"));
    }

    #[test]
    fn decision_boundaries_rejects_bad_panels() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.png");
        assert!(decision_boundaries(&p, &[], "t").is_err());
        let mut wrong_x = panel("p", 10);
        wrong_x.x = Array2::zeros((3, 200));
        assert!(decision_boundaries(&p, &[wrong_x], "t").is_err());
        let mut wrong_y = panel("p", 10);
        wrong_y.y = Array2::zeros((1, 199));
        assert!(decision_boundaries(&p, &[wrong_y], "t").is_err());
        let mut empty = panel("p", 10);
        empty.grid.nx = 0;
        empty.grid.classes.clear();
        assert!(decision_boundaries(&p, &[empty], "t").is_err());
        let mut range = panel("p", 10);
        range.grid.x_range = (1.0, 1.0);
        assert!(decision_boundaries(&p, &[range], "t").is_err());
        let mut huge = panel("p", 10);
        huge.grid.nx = usize::MAX;
        huge.grid.ny = 2;
        assert!(decision_boundaries(&p, &[huge], "t").is_err());
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn grid_points_cover_the_data_with_margin() {
        let x = ndarray::array![[0.0, 2.0, 1.0], [-1.0, 1.0, 0.0]];
        let (pts, xr, yr) = grid_points(&x, 4, 2, 1.0);
        assert_eq!(xr, (-1.0, 3.0));
        assert_eq!(yr, (-2.0, 2.0));
        assert_eq!(pts.dim(), (2, 8));
        // y index outer, x index inner; cell centres.
        assert_eq!(pts.column(0).to_vec(), [-0.5, -1.0]);
        assert_eq!(pts.column(1).to_vec(), [0.5, -1.0]);
        assert_eq!(pts.column(4).to_vec(), [-0.5, 1.0]);
        assert_eq!(pts.column(7).to_vec(), [2.5, 1.0]);
    }

    #[test]
    fn grid_points_degenerate_inputs() {
        let (pts, xr, yr) = grid_points(&Array2::zeros((2, 0)), 3, 3, 0.0);
        assert_eq!(pts.dim(), (2, 9));
        assert!(xr.0 < xr.1 && yr.0 < yr.1);
        let one = ndarray::array![[5.0], [f64::NAN]];
        let (_, xr, yr) = grid_points(&one, 2, 2, 0.0);
        assert_eq!(xr, (4.0, 6.0));
        assert!(yr.0 < yr.1);
        assert_eq!(grid_points(&one, 0, 5, 1.0).0.dim(), (2, 0));
    }

    #[test]
    fn runs_merge_equal_classes() {
        let r: Vec<_> = runs(&[0, 0, 1, 2, 0]).collect();
        assert_eq!(r, [(0, 2, false), (2, 4, true), (4, 5, false)]);
        assert_eq!(runs(&[]).count(), 0);
    }
}
