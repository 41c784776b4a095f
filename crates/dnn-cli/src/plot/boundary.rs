//! Decision boundaries of 2-D classifiers: the class predicted over a grid of
//! the plane (its geometry in [`grid_points`] and [`Grid`]), a trained network's
//! panel ([`BoundaryPanel::of_network`]), and the panels drawn side by side
//! with the points on top.

use std::path::Path;

use anyhow::{bail, Context, Result};
use dnn_core::Network;
use ndarray::Array2;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_err, render, text, title_band, Format, Painter, MIN_WIDTH, TITLE_BAND};

/// At most this many panels per row in [`decision_boundaries`].
const PANEL_COLUMNS: usize = 4;
/// Size in pixels of one decision-boundary panel.
const PANEL_SIZE: (u32, u32) = (420, 420);
/// Cells per side of the decision-boundary grid of [`BoundaryPanel::of_network`].
const GRID_CELLS: usize = 300;

/// Background of the regions predicted as class 0 (light red).
const REGION_0: RGBColor = RGBColor(250, 190, 175);
/// Background of the regions predicted as class 1 (light blue).
const REGION_1: RGBColor = RGBColor(180, 205, 245);
/// Points whose true class is 0 (dark red).
const POINT_0: RGBColor = RGBColor(200, 30, 35);
/// Points whose true class is 1 (dark blue).
const POINT_1: RGBColor = RGBColor(35, 80, 190);

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

impl BoundaryPanel {
    /// The panel of `net` on the points `x` (`(2, m)`) with labels `y`: the network's
    /// class on a grid of 300 × 300 cells spanning the points' range plus a margin of 1
    /// on every side, as the course's `plot_decision_boundary` does. Shared by
    /// `dnn planar` and `dnn toy`.
    pub fn of_network(
        net: &Network<f64>,
        x: &Array2<f64>,
        y: &Array2<f64>,
        title: String,
    ) -> Result<BoundaryPanel> {
        let (points, x_range, y_range) = grid_points(x, GRID_CELLS, GRID_CELLS, 1.0);
        let classes = net
            .predict_classes(&points)?
            .into_iter()
            .map(|k| u8::try_from(k).unwrap_or(u8::MAX))
            .collect();
        Ok(BoundaryPanel {
            title,
            x: x.clone(),
            y: y.clone(),
            grid: Grid {
                x_range,
                y_range,
                nx: GRID_CELLS,
                ny: GRID_CELLS,
                classes,
            },
        })
    }
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
    use crate::plot::test_support::*;

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

    /// A grid whose bottom-left quarter is class 0 and the rest class 1, and one point of
    /// each class, drawn: the pixels of the regions' colours must lie where their cells are
    /// (y upwards), a quarter and three quarters of the plot, with each point in its colour.
    #[test]
    fn regions_and_points_are_drawn_in_their_class_colours_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("quarters.png");
        let panel = BoundaryPanel {
            title: "quarters".into(),
            x: ndarray::array![[-0.5, 0.5], [-0.5, 0.5]],
            y: ndarray::array![[0.0, 1.0]],
            grid: Grid {
                x_range: (-1.0, 1.0),
                y_range: (-1.0, 1.0),
                nx: 2,
                ny: 2,
                classes: vec![0, 1, 1, 1],
            },
        };
        decision_boundaries(&png, &[panel], "t").unwrap();
        let img = image::open(&png).unwrap().to_rgb8();
        // Bounding box (left, top, right, bottom) and count of the pixels of one colour.
        let of = |c: RGBColor| {
            let mut b = (u32::MAX, u32::MAX, 0, 0, 0usize);
            for (x, y, p) in img.enumerate_pixels() {
                if p.0 == [c.0, c.1, c.2] {
                    b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y), b.4 + 1);
                }
            }
            b
        };
        let (zero, one) = (of(REGION_0), of(REGION_1));
        let plot = (zero.0.min(one.0), zero.1.min(one.1), one.2, one.3);
        let (mid_x, mid_y) = ((plot.0 + plot.2) / 2, (plot.1 + plot.3) / 2);
        assert!(
            zero.0 == plot.0 && zero.2 <= mid_x + 1,
            "{zero:?} in {plot:?}"
        );
        assert!(
            zero.1 >= mid_y - 1 && zero.3 == plot.3,
            "{zero:?} in {plot:?}"
        );
        let share = zero.4 as f64 / (zero.4 + one.4) as f64;
        assert!((share - 0.25).abs() < 0.02, "class 0's share {share}");
        let (p0, p1) = (of(POINT_0), of(POINT_1));
        assert!(p0.4 > 10 && p1.4 > 10, "{p0:?} {p1:?}");
        // The class-0 point at (-0.5, -0.5) in the bottom-left quarter, the other top-right.
        assert!(p0.2 < mid_x && p0.1 > mid_y, "{p0:?}");
        assert!(p1.0 > mid_x && p1.3 < mid_y, "{p1:?}");
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
