//! The exercise's pictures: the cost curve ([`cost`]), the mislabelled images
//! ([`tiles`]) and the decision boundaries of the 2-D networks ([`boundary`]).
//!
//! Every picture is a `.png` (bitmap) or `.svg` (vector) file, chosen by the
//! path's extension. Text is drawn with DejaVu Sans, embedded in the binary
//! (crate `dejavu`), so no system font or fontconfig is needed. A picture is
//! rendered and encoded in memory, then written by the one atomic writer
//! ([`dnn_data::atomic::write_atomically`]), so a failed render or write never
//! leaves a partial file and never touches an existing one. This module holds
//! what the three kinds share: formats, rendering, fonts and title bands.

mod boundary;
mod cost;
mod tiles;

pub use boundary::{decision_boundaries, grid_points, BoundaryPanel};
pub use cost::{cost_curve, ValidationCurve};
pub use tiles::{image_grid, Tile};

use std::fmt::Display;
use std::path::Path;
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use image::codecs::png::PngEncoder;
use image::{ColorType, ImageEncoder};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

/// Font family name under which the embedded font is registered.
const FONT: &str = "sans-serif";
/// Height in pixels of a picture's title band.
const TITLE_BAND: u32 = 50;
/// Smallest width in pixels of a picture with a title band, so the title fits.
const MIN_WIDTH: u32 = 640;

/// Checks that `path` names a picture format these functions write (`.png` or
/// `.svg`, any case), so a command can refuse a bad path before a long training.
pub fn check_extension(path: &Path) -> Result<()> {
    Format::of(path).map(|_| ())
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

/// Helpers and fixtures for the tests of every kind of picture.
#[cfg(test)]
mod test_support {
    pub(super) use super::boundary::{grid_points, Grid};
    pub(super) use super::*;
    pub(super) use ndarray::{Array, Array3};
    pub(super) use std::fs;
    pub(super) use std::path::PathBuf;

    /// Where the demo pictures go when `DNN_PLOT_DEMO_DIR` is set.
    fn demo_dir() -> Option<PathBuf> {
        std::env::var_os("DNN_PLOT_DEMO_DIR").map(PathBuf::from)
    }

    /// Copies a rendered picture to the demo directory, if one is set.
    pub(super) fn keep_demo(path: &Path) {
        if let (Some(dir), Some(name)) = (demo_dir(), path.file_name()) {
            fs::create_dir_all(&dir).unwrap();
            fs::copy(path, dir.join(name)).unwrap();
        }
    }

    /// Decodes a PNG file and returns its size.
    pub(super) fn png_size(path: &Path) -> (u32, u32) {
        let img = image::open(path).unwrap();
        (img.width(), img.height())
    }

    /// Checks that `path` is a non-empty SVG document.
    pub(super) fn assert_svg(path: &Path) {
        let body = fs::read_to_string(path).unwrap();
        assert!(body.contains("<svg"), "not an SVG: {}", path.display());
        assert!(body.trim_end().ends_with("</svg>"));
    }

    /// The names in `dir`, to check that no temporary file was left.
    pub(super) fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    pub(super) fn costs() -> Vec<(usize, f64)> {
        (0..25)
            .map(|k| (k * 100, 0.09 + 0.68 * (-(k as f64) / 4.0).exp()))
            .collect()
    }

    /// A synthetic 64x64 picture: a gradient with a coloured square.
    pub(super) fn picture(seed: u8) -> Array3<u8> {
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

    pub(super) fn tiles(n: usize) -> Vec<Tile> {
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
    pub(super) fn panel(title: &str, n: usize) -> BoundaryPanel {
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
}

#[cfg(test)]
mod tests {
    use super::cost::COST_SIZE;
    use super::test_support::*;

    #[test]
    fn unsupported_extension_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["cost.jpg", "cost", "cost.pdf"] {
            let p = dir.path().join(name);
            let err = cost_curve(&p, &costs(), 0.0075, "iteration", None)
                .unwrap_err()
                .to_string();
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
        assert!(cost_curve(&jpg, &costs(), 0.1, "iteration", None).is_err());
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
        assert!(cost_curve(&target, &costs(), 0.1, "iteration", None).is_err());
        assert_eq!(names(dir.path()), ["taken.png"]);
        assert!(target.join("inside").exists());
    }

    #[test]
    fn success_replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cost.png");
        fs::write(&p, b"old").unwrap();
        cost_curve(&p, &costs(), 0.0075, "iteration", None).unwrap();
        assert_eq!(png_size(&p), COST_SIZE);
    }
}
