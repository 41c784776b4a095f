//! The cost curve: the cost against the iteration number, as the exercise
//! draws it after training.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_err, render, text, title_text, Format, Painter};

/// Size in pixels of a cost-curve picture.
pub(super) const COST_SIZE: (u32, u32) = (800, 500);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::test_support::*;

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
}
