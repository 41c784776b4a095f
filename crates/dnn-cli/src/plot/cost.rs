//! The cost curve: the cost against the iteration number, as the exercise
//! draws it after training; with a validation part, its cost beside it, a
//! legend, and early stopping's best iteration marked.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{draw_err, render, text, title_text, Format, Painter};

/// Size in pixels of a cost-curve picture.
pub(super) const COST_SIZE: (u32, u32) = (800, 500);
/// The training curve's colour.
const TRAINING: RGBColor = BLUE;
/// The validation curve's colour (matplotlib's second colour, orange).
const VALIDATION: RGBColor = RGBColor(255, 127, 14);
/// The colour of early stopping's best-iteration marker.
const MARKER: RGBColor = RGBColor(96, 96, 96);

/// The validation part's costs, drawn beside the training costs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationCurve {
    /// `(iteration, cost)` pairs at the training curve's iterations.
    pub costs: Vec<(usize, f64)>,
    /// Early stopping's best iteration (from 0) and its validation cost, marked on the
    /// chart; `None` without early stopping.
    pub best: Option<(usize, f64)>,
}

impl ValidationCurve {
    /// The validation costs `seen` recorded at the iterations of `costs` (the training
    /// curve's points, as the report lists them), and, with early stopping, its best
    /// iteration.
    pub fn of(seen: &dnn_core::ValidationHistory, costs: &[(usize, f64)]) -> Self {
        ValidationCurve {
            costs: crate::validation::costs_at(seen, costs.iter().map(|&(i, _)| i)),
            best: seen.early_stopping().and(seen.best()),
        }
    }
}

/// Draws the cost against the iteration number, as the exercise does after training.
///
/// `costs` holds `(iteration, cost)` pairs; non-finite costs are left out. The
/// title reads `Learning rate = {learning_rate}`. With `validation`, its costs are
/// drawn too, in a second colour, with a legend, and early stopping's best
/// iteration is marked by a dashed vertical line labelled `best epoch N`. Without
/// it the picture is the training curve alone. The format (`.png` or `.svg`)
/// follows `path`'s extension.
pub fn cost_curve(
    path: &Path,
    costs: &[(usize, f64)],
    learning_rate: f64,
    unit: &str,
    validation: Option<&ValidationCurve>,
) -> Result<()> {
    let format = Format::of(path)?;
    let plot = CostPlot {
        costs: finite(costs),
        validation: validation.map(|v| Validation {
            costs: finite(&v.costs),
            best: v
                .best
                .filter(|(_, c)| c.is_finite())
                .map(|(i, c)| (i as f64, c, format!("best {unit} {i}"))),
        }),
        title: format!("Learning rate = {}", crate::metrics::exact(learning_rate)),
        x_label: format!("{unit}s"),
    };
    render(path, format, COST_SIZE, &plot)
}

/// The finite `(iteration, cost)` points of `costs`, as chart coordinates.
fn finite(costs: &[(usize, f64)]) -> Vec<(f64, f64)> {
    costs
        .iter()
        .filter(|(_, c)| c.is_finite())
        .map(|&(i, c)| (i as f64, c))
        .collect()
}

/// The cost curve.
struct CostPlot {
    /// `(iteration, cost)` points, all finite.
    costs: Vec<(f64, f64)>,
    /// The validation curve, when there is a validation part.
    validation: Option<Validation>,
    /// The chart's title.
    title: String,
    /// The x axis's label: `iterations` or `epochs`.
    x_label: String,
}

/// The validation curve as drawn.
struct Validation {
    /// `(iteration, cost)` points, all finite.
    costs: Vec<(f64, f64)>,
    /// Early stopping's best iteration, its (finite) cost and the marker's label.
    best: Option<(f64, f64, String)>,
}

impl CostPlot {
    /// Every point the chart must show: the training costs, then the validation
    /// costs and the best iteration's.
    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let validation = self.validation.iter().flat_map(|v| {
            v.costs
                .iter()
                .copied()
                .chain(v.best.iter().map(|&(i, c, _)| (i, c)))
        });
        self.costs.iter().copied().chain(validation)
    }

    /// The x range: from 0 to the last iteration.
    fn x_range(&self) -> (f64, f64) {
        let hi = self.points().map(|p| p.0).fold(0.0, f64::max);
        (0.0, if hi > 0.0 { hi } else { 1.0 })
    }

    /// The y range: the costs' span with 5 % head room either side.
    fn y_range(&self) -> (f64, f64) {
        let (lo, hi) = self
            .points()
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

/// How many labels the x axis may have over `span` iterations: plotters' default of 10,
/// but at most one per whole iteration, so that a short run is labelled `0 1 2`, never
/// `0 0 0 1 1` (fractional steps printed as whole numbers).
fn x_labels(span: f64) -> usize {
    (span.round() as usize + 1).clamp(2, 10)
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
            .x_desc(&self.x_label)
            .y_desc("cost")
            .axis_desc_style(text(20.0))
            .label_style(text(16.0))
            .x_labels(x_labels(x1 - x0))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_err)?;
        let line = ShapeStyle::from(&TRAINING).stroke_width(2);
        let series = chart
            .draw_series(LineSeries::new(self.costs.iter().copied(), line))
            .map_err(draw_err)?;
        if self.validation.is_some() {
            series
                .label("training")
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], line));
        }
        chart
            .draw_series(
                self.costs
                    .iter()
                    .map(|&p| Circle::new(p, 3, ShapeStyle::from(&TRAINING).filled())),
            )
            .map_err(draw_err)?;
        let Some(validation) = &self.validation else {
            return Ok(());
        };
        let line = ShapeStyle::from(&VALIDATION).stroke_width(2);
        chart
            .draw_series(LineSeries::new(validation.costs.iter().copied(), line))
            .map_err(draw_err)?
            .label("validation")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], line));
        chart
            .draw_series(
                validation
                    .costs
                    .iter()
                    .map(|&p| Circle::new(p, 3, ShapeStyle::from(&VALIDATION).filled())),
            )
            .map_err(draw_err)?;
        if let Some((best, cost, label)) = &validation.best {
            let (best, cost) = (*best, *cost);
            chart
                .draw_series(DashedLineSeries::new(
                    [(best, y0), (best, y1)],
                    8,
                    6,
                    ShapeStyle::from(&MARKER).stroke_width(2),
                ))
                .map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (best, cost),
                    6,
                    ShapeStyle::from(&VALIDATION).stroke_width(2),
                )))
                .map_err(draw_err)?;
            // Half-way up, where a falling curve leaves room: left of the line, unless the
            // line is in the chart's first quarter.
            let (dx, pos) = if best - x0 < 0.25 * (x1 - x0) {
                (8, Pos::new(HPos::Left, VPos::Center))
            } else {
                (-8, Pos::new(HPos::Right, VPos::Center))
            };
            let style = text(16.0).color(&MARKER).pos(pos);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((best, 0.5 * (y0 + y1)))
                        + Text::new(label.clone(), (dx, 0), style),
                ))
                .map_err(draw_err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .label_font(text(16.0))
            .background_style(WHITE.filled())
            .border_style(BLACK)
            .draw()
            .map_err(draw_err)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::test_support::*;

    /// The SVG of [`costs`] without a validation part, as drawn before validation curves
    /// existed: that picture must not change.
    const NO_VALIDATION_SVG: &str = include_str!("testdata/cost.svg");

    /// A validation curve at [`costs`]' iterations: above the training cost, lowest at
    /// iteration 1300, rising after it, as early stopping sees it.
    fn validation() -> ValidationCurve {
        let costs: Vec<(usize, f64)> = (0..25_usize)
            .map(|k| {
                let rise = 0.01 * k.saturating_sub(13) as f64;
                (k * 100, 0.14 + 0.8 * (-(k as f64) / 4.0).exp() + rise)
            })
            .collect();
        let best = costs
            .iter()
            .copied()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert_eq!(best.0, 1300);
        ValidationCurve {
            costs,
            best: Some(best),
        }
    }

    /// The points of the SVG's polylines stroked in `colour` (`#RRGGBB`).
    fn polylines(svg: &str, colour: &str) -> Vec<Vec<(f64, f64)>> {
        let stroke = format!("stroke=\"{colour}\"");
        svg.split("<polyline")
            .skip(1)
            .map(|el| &el[..el.find("/>").expect("closed polyline")])
            .filter(|el| el.contains(&stroke))
            .map(|el| {
                let from = el.find("points=\"").expect("points") + "points=\"".len();
                el[from..from + el[from..].find('"').expect("end of points")]
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').expect("x,y");
                        (x.parse().expect("x"), y.parse().expect("y"))
                    })
                    .collect()
            })
            .collect()
    }

    /// The texts of the SVG's `<text>` elements, trimmed.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text")
            .skip(1)
            .map(|el| {
                let from = el.find('>').expect("text body") + 1;
                el[from..from + el[from..].find("</text>").expect("closed text")].trim()
            })
            .collect()
    }

    /// The pixel map `value -> a + b * value` through two `(value, pixel)` pairs.
    fn affine((v0, p0): (f64, f64), (v1, p1): (f64, f64)) -> impl Fn(f64) -> f64 {
        let b = (p1 - p0) / (v1 - v0);
        move |v| p0 + b * (v - v0)
    }

    fn svg_of(validation: Option<&ValidationCurve>) -> String {
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("cost.svg");
        // Without a validation part, the published set-up's full-batch iterations; with one,
        // a mini-batch run's epochs.
        let unit = if validation.is_some() {
            "epoch"
        } else {
            "iteration"
        };
        cost_curve(&svg, &costs(), 0.0075, unit, validation).unwrap();
        assert_svg(&svg);
        fs::read_to_string(&svg).unwrap()
    }

    #[test]
    fn a_short_run_is_labelled_at_whole_iterations_each_once() {
        let dir = tempfile::tempdir().unwrap();
        let svg = dir.path().join("short.svg");
        for last in [0_usize, 1, 3, 7, 12] {
            let costs: Vec<(usize, f64)> = (0..=last).map(|i| (i, 0.7 - 0.01 * i as f64)).collect();
            cost_curve(&svg, &costs, 0.0075, "iteration", None).unwrap();
            let text = fs::read_to_string(&svg).unwrap();
            // The y labels are costs (0.60, ...): the whole numbers are the x labels.
            let whole: Vec<usize> = texts(&text)
                .into_iter()
                .filter_map(|t| t.parse().ok())
                .collect();
            let step = if last >= 10 { 2 } else { 1 };
            let want: Vec<usize> = (0..=last.max(1)).step_by(step).collect();
            assert_eq!(whole, want, "{last}: {:?}", texts(&text));
        }
    }

    #[test]
    fn cost_curve_png_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("cost.png");
        cost_curve(&png, &costs(), 0.0075, "iteration", None).unwrap();
        assert_eq!(png_size(&png), COST_SIZE);
        keep_demo(&png);
        let svg = dir.path().join("cost.svg");
        cost_curve(&svg, &costs(), 0.0075, "iteration", None).unwrap();
        keep_demo(&svg);
        assert_svg(&svg);
        assert!(fs::read_to_string(&svg)
            .unwrap()
            .contains("Learning rate = 0.0075"));
        assert_eq!(names(dir.path()), ["cost.png", "cost.svg"]);
    }

    #[test]
    fn cost_curve_without_validation_is_unchanged() {
        assert_eq!(svg_of(None), NO_VALIDATION_SVG);
    }

    #[test]
    fn validation_curve_legend_and_best_epoch_marker() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("cost-validation.png");
        cost_curve(&png, &costs(), 0.0075, "iteration", Some(&validation())).unwrap();
        assert_eq!(png_size(&png), COST_SIZE);
        keep_demo(&png);

        let svg = svg_of(Some(&validation()));
        // Each curve is one polyline through its points; the legend adds a 2-point swatch.
        let series = |colour: &str| -> (Vec<(f64, f64)>, usize) {
            let mut lines = polylines(&svg, colour);
            let swatches = lines.iter().filter(|l| l.len() == 2).count();
            lines.retain(|l| l.len() > 2);
            assert_eq!(lines.len(), 1, "one {colour} curve");
            (lines.remove(0), swatches)
        };
        let (training, training_swatches) = series("#0000FF");
        let (val, val_swatches) = series("#FF7F0E");
        assert_eq!((training_swatches, val_swatches), (1, 1), "legend swatches");
        assert_eq!(training.len(), costs().len());
        assert_eq!(val.len(), validation().costs.len());

        // The pixel map, from the training curve's first and last points.
        let (first, last) = (costs()[0], *costs().last().unwrap());
        let x_px = affine(
            (first.0 as f64, training[0].0),
            (last.0 as f64, training[24].0),
        );
        let y_px = affine((first.1, training[0].1), (last.1, training[24].1));
        for (k, (&(i, c), &(x, y))) in costs().iter().zip(&training).enumerate() {
            assert!((x_px(i as f64) - x).abs() <= 1.0, "training point {k} x");
            assert!((y_px(c) - y).abs() <= 1.0, "training point {k} y");
        }
        for (k, (&(i, c), &(x, y))) in validation().costs.iter().zip(&val).enumerate() {
            assert!(
                (x_px(i as f64) - x).abs() <= 1.0,
                "validation point {k}: x {x}"
            );
            assert!((y_px(c) - y).abs() <= 1.0, "validation point {k}: y {y}");
        }
        // Validation above training everywhere: up in the picture is down in pixels.
        assert!(val.iter().zip(&training).all(|(v, t)| v.1 < t.1));

        let labels = texts(&svg);
        for want in ["training", "validation", "best epoch 1300", "epochs"] {
            assert!(labels.contains(&want), "{want:?} not among {labels:?}");
        }
        // The marker: a dashed vertical line at iteration 1300, over most of the chart's
        // height, and a ring around the best validation cost.
        let dashes = polylines(&svg, "#606060");
        assert!(dashes.len() >= 10, "{dashes:?}");
        let best_x = x_px(1300.0);
        for dash in &dashes {
            assert!(dash.iter().all(|p| (p.0 - best_x).abs() <= 1.0), "{dash:?}");
        }
        let (top, bottom) = dashes
            .iter()
            .flatten()
            .fold((f64::INFINITY, 0.0_f64), |(t, b), p| {
                (t.min(p.1), b.max(p.1))
            });
        assert!(bottom - top > 300.0, "marker from {top} to {bottom}");
        // `<circle cx=".." cy=".." r="6" .. fill="none" stroke="#FF7F0E" ..>`
        let attr = |el: &str, name: &str| -> f64 {
            let from = el.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
            el[from..from + el[from..].find('"').unwrap()]
                .parse()
                .unwrap()
        };
        let rings: Vec<(f64, f64)> = svg
            .split("<circle")
            .skip(1)
            .filter(|c| {
                c.contains(" r=\"6\"")
                    && c.contains("stroke=\"#FF7F0E\"")
                    && c.contains("fill=\"none\"")
            })
            .map(|c| (attr(c, "cx"), attr(c, "cy")))
            .collect();
        let best_y = y_px(validation().best.unwrap().1);
        assert_eq!(rings.len(), 1, "{rings:?}");
        assert!(
            (rings[0].0 - best_x).abs() <= 1.0 && (rings[0].1 - best_y).abs() <= 1.0,
            "ring at {:?}, best at ({best_x}, {best_y})",
            rings[0]
        );
    }

    #[test]
    fn validation_without_early_stopping_has_no_marker() {
        let plain = ValidationCurve {
            best: None,
            ..validation()
        };
        let svg = svg_of(Some(&plain));
        assert_eq!(polylines(&svg, "#FF7F0E").len(), 2, "curve and swatch");
        assert!(polylines(&svg, "#606060").is_empty());
        let labels = texts(&svg);
        assert!(labels.contains(&"validation"), "{labels:?}");
        assert!(!labels.iter().any(|t| t.starts_with("best")), "{labels:?}");
    }

    #[test]
    fn cost_curve_tolerates_empty_and_non_finite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.png");
        cost_curve(&p, &[], 0.1, "iteration", None).unwrap();
        cost_curve(&p, &[(0, f64::NAN), (100, 0.5)], 0.1, "iteration", None).unwrap();
        cost_curve(&p, &[(0, 0.5)], 0.1, "iteration", None).unwrap();
        let odd = ValidationCurve {
            costs: vec![(0, f64::INFINITY), (100, 0.7)],
            best: Some((100, f64::NAN)),
        };
        cost_curve(&p, &[(0, 0.5)], 0.1, "iteration", Some(&odd)).unwrap();
        let empty = ValidationCurve {
            costs: vec![],
            best: None,
        };
        cost_curve(&p, &[], 0.1, "iteration", Some(&empty)).unwrap();
        assert_eq!(png_size(&p), COST_SIZE);
    }
}
