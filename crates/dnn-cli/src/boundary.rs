//! Decision-boundary panels of a trained 2-D classifier, shared by `dnn planar` and
//! `dnn toy`: the network's class on a grid around the points, drawn by
//! `plot::decision_boundaries`.

use dnn_core::Network;
use ndarray::Array2;

use crate::plot::{self, BoundaryPanel, Grid};

/// Cells per side of the decision-boundary grid.
const GRID_CELLS: usize = 300;

/// The panel of `net` on the points `x` (`(2, m)`) with labels `y`: the grid spans the
/// points' range plus a margin of 1 on every side, as the course's
/// `plot_decision_boundary` does.
pub fn panel(
    net: &Network<f64>,
    x: &Array2<f64>,
    y: &Array2<f64>,
    title: String,
) -> anyhow::Result<BoundaryPanel> {
    let (points, x_range, y_range) = plot::grid_points(x, GRID_CELLS, GRID_CELLS, 1.0);
    let classes = net
        .predict(&points)?
        .iter()
        .map(|&p| u8::from(p > 0.5))
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
