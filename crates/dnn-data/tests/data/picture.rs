//! User pictures: generated PNG (RGB, RGBA, grey, 16-bit) and JPEG files, and every error.

use std::path::{Path, PathBuf};

use dnn_data::image::{
    load_picture, load_picture_with, read_picture, read_picture_bytes, ImageLimits, PICTURE_SIZE,
};
use dnn_data::DataError;
use image::{GrayImage, ImageBuffer, Luma, Rgb, RgbImage, Rgba, RgbaImage};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn pattern(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 4 % 256) as u8,
            (y * 3 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    })
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid small PNG whose header then claims `w` x `h` pixels (CRC fixed up).
fn png_claiming(dir: &Path, w: u32, h: u32) -> PathBuf {
    let p = dir.join(format!("claims_{w}x{h}.png"));
    pattern(4, 4).save(&p).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_64x64_rgb_png_is_flattened_like_numpy() {
    let d = tmp();
    let p = d.path().join("pic.png");
    let img = pattern(64, 64);
    img.save(&p).unwrap();
    let x = load_picture::<f64>(&p).unwrap();
    assert_eq!(x.dim(), (12288, 1));
    for row in 0..64u32 {
        for col in 0..64u32 {
            for ch in 0..3usize {
                let f = ((row * 64 + col) * 3) as usize + ch;
                assert_eq!(x[[f, 0]], f64::from(img.get_pixel(col, row)[ch]) / 255.0);
            }
        }
    }
    let pixels = read_picture(&p, PICTURE_SIZE, &ImageLimits::default()).unwrap();
    assert_eq!(pixels.dim(), (64, 64, 3));
    assert_eq!(pixels[[10, 20, 1]], img.get_pixel(20, 10)[1]);
}

#[test]
fn rgba_png_of_another_size_drops_alpha_and_resizes() {
    let d = tmp();
    let rgb = pattern(100, 80);
    let rgba = RgbaImage::from_fn(100, 80, |x, y| {
        let p = rgb.get_pixel(x, y);
        Rgba([p[0], p[1], p[2], (x % 256) as u8])
    });
    let (p_rgba, p_rgb) = (d.path().join("a.png"), d.path().join("b.png"));
    rgba.save(&p_rgba).unwrap();
    rgb.save(&p_rgb).unwrap();
    let a = load_picture::<f64>(&p_rgba).unwrap();
    let b = load_picture::<f64>(&p_rgb).unwrap();
    assert_eq!(a.dim(), (12288, 1));
    assert_eq!(a, b);
    assert!(a.iter().all(|&v| (0.0..=1.0).contains(&v)));
}

#[test]
fn uniform_picture_stays_uniform_after_resize() {
    let d = tmp();
    let p = d.path().join("u.png");
    RgbImage::from_pixel(300, 170, Rgb([10, 200, 77]))
        .save(&p)
        .unwrap();
    let x = load_picture::<f32>(&p).unwrap();
    for f in 0..12288 {
        let want = [10u8, 200, 77][f % 3];
        assert_eq!(x[[f, 0]], (f64::from(want) / 255.0) as f32, "feature {f}");
    }
}

#[test]
fn grayscale_png_becomes_three_equal_channels() {
    let d = tmp();
    let p = d.path().join("g.png");
    let g = GrayImage::from_fn(64, 64, |x, y| Luma([((x * 3 + y * 5) % 256) as u8]));
    g.save(&p).unwrap();
    let x = load_picture::<f64>(&p).unwrap();
    for row in 0..64u32 {
        for col in 0..64u32 {
            let v = f64::from(g.get_pixel(col, row)[0]) / 255.0;
            let f = ((row * 64 + col) * 3) as usize;
            assert_eq!([x[[f, 0]], x[[f + 1, 0]], x[[f + 2, 0]]], [v, v, v]);
        }
    }
    // 16-bit grey, another size.
    let p16 = d.path().join("g16.png");
    let g16: ImageBuffer<Luma<u16>, Vec<u16>> = ImageBuffer::from_pixel(90, 30, Luma([65535]));
    g16.save(&p16).unwrap();
    let x = load_picture::<f64>(&p16).unwrap();
    assert!(x.iter().all(|&v| v == 1.0));
}

#[test]
fn jpeg_loads() {
    let d = tmp();
    let p = d.path().join("c.jpg");
    RgbImage::from_pixel(200, 150, Rgb([120, 60, 200]))
        .save(&p)
        .unwrap();
    let x = load_picture::<f64>(&p).unwrap();
    assert_eq!(x.dim(), (12288, 1));
    for f in 0..12288 {
        let want = f64::from([120u8, 60, 200][f % 3]) / 255.0;
        assert!(
            (x[[f, 0]] - want).abs() <= 3.0 / 255.0,
            "feature {f}: {}",
            x[[f, 0]]
        );
    }
    // A grey JPEG too.
    let pg = d.path().join("g.jpg");
    GrayImage::from_pixel(65, 65, Luma([128]))
        .save(&pg)
        .unwrap();
    let x = load_picture::<f64>(&pg).unwrap();
    assert!(x.iter().all(|&v| (v - 128.0 / 255.0).abs() <= 2.0 / 255.0));
}

#[test]
fn an_8000x8000_jpeg_loads_within_the_default_budget() {
    let d = tmp();
    let p = d.path().join("big.jpg");
    GrayImage::from_fn(8000, 8000, |x, _| Luma([if x < 4000 { 0 } else { 255 }]))
        .save(&p)
        .unwrap();
    let x = load_picture::<f64>(&p).unwrap();
    assert_eq!(x.dim(), (12288, 1));
    // Left half dark, right half light.
    assert!(x[[0, 0]] < 0.05);
    assert!(x[[63 * 3, 0]] > 0.95);
}

#[test]
fn missing_empty_and_non_image_files() {
    let d = tmp();
    let missing = d.path().join("nope.png");
    let e = load_picture::<f64>(&missing).unwrap_err();
    assert!(matches!(e, DataError::FileNotFound { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("{}: file not found", missing.display())
    );

    let empty = d.path().join("empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let e = load_picture::<f64>(&empty).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: the file is empty (0 bytes), not an image",
            empty.display()
        )
    );

    let text = d.path().join("notes.png");
    std::fs::write(&text, b"hello, world").unwrap();
    let e = load_picture::<f64>(&text).unwrap_err();
    assert!(matches!(e, DataError::NotAnImage { len: 12, .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not a JPEG or PNG image (12 bytes; first bytes [68, 65, 6c, 6c, 6f, 2c, 20, 77])",
            text.display()
        )
    );

    // A GIF is an image, but not one we decode.
    let gif = d.path().join("a.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    let e = load_picture::<f64>(&gif).unwrap_err();
    assert!(matches!(e, DataError::NotAnImage { .. }), "{e:?}");

    let e = load_picture::<f64>(d.path()).unwrap_err();
    assert!(matches!(e, DataError::Io { .. }), "{e:?}");
}

#[test]
fn truncated_and_corrupt_files_are_decode_errors() {
    let d = tmp();
    let p = d.path().join("t.png");
    pattern(64, 64).save(&p).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    for cut in [8, 20, 40, bytes.len() / 2, bytes.len() - 20] {
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let e = load_picture::<f64>(&p).unwrap_err();
        assert!(
            matches!(e, DataError::ImageDecode { .. }),
            "cut {cut}: {e:?}"
        );
        let says = e.to_string();
        assert!(
            says.starts_with(&format!(
                "{}: cannot decode the PNG image: the file is damaged (the decoder says: ",
                p.display()
            )) && says.ends_with("); copy or export it again, or remove it"),
            "{e}"
        );
        assert!(!says.contains('\n'), "{e}");
    }
    let j = d.path().join("t.jpg");
    std::fs::write(&j, [0xff, 0xd8, 0xff, 0xe0, 0, 0, 1, 2, 3]).unwrap();
    let e = load_picture::<f64>(&j).unwrap_err();
    assert!(matches!(e, DataError::ImageDecode { .. }), "{e:?}");
    assert!(
        e.to_string().contains("cannot decode the JPEG image"),
        "{e}"
    );
}

#[test]
fn oversized_headers_are_refused_before_decoding() {
    let d = tmp();
    // Beyond the pixel limits.
    let p = png_claiming(d.path(), 20000, 20000);
    let e = load_picture::<f64>(&p).unwrap_err();
    assert!(
        matches!(
            e,
            DataError::ImageTooLarge {
                width: 20000,
                height: 20000,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "{}: image too large: 20000x20000 pixels (1200000000 bytes once decoded); the limits are 16384x16384 pixels and 536870912 bytes of decoded data",
            p.display()
        )
    );
    // Within the pixel limits, beyond the memory budget: 16000*16000*3 bytes.
    let p = png_claiming(d.path(), 16000, 16000);
    let e = load_picture::<f64>(&p).unwrap_err();
    assert!(
        matches!(
            e,
            DataError::ImageTooLarge {
                decoded_bytes: Some(768_000_000),
                ..
            }
        ),
        "{e:?}"
    );

    // A JPEG whose frame header claims 60000 x 60000.
    let j = d.path().join("huge.jpg");
    pattern(16, 16).save(&j).unwrap();
    let mut bytes = std::fs::read(&j).unwrap();
    let sof = bytes.windows(2).position(|w| w == [0xff, 0xc0]).unwrap();
    bytes[sof + 5..sof + 7].copy_from_slice(&60000u16.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&60000u16.to_be_bytes());
    std::fs::write(&j, bytes).unwrap();
    let e = load_picture::<f64>(&j).unwrap_err();
    assert!(
        matches!(
            e,
            DataError::ImageTooLarge {
                width: 60000,
                height: 60000,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn custom_limits_and_sizes() {
    let d = tmp();
    let p = d.path().join("p.png");
    pattern(100, 80).save(&p).unwrap();
    let small = ImageLimits {
        max_width: 50,
        max_height: 50,
        ..ImageLimits::default()
    };
    let e = load_picture_with::<f64>(&p, 64, &small).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: image too large: 100x80 pixels (24000 bytes once decoded); the limits are 50x50 pixels and 536870912 bytes of decoded data",
            p.display()
        )
    );
    let tight = ImageLimits {
        max_alloc: 23999,
        ..ImageLimits::default()
    };
    assert!(matches!(
        load_picture_with::<f64>(&p, 64, &tight),
        Err(DataError::ImageTooLarge { .. })
    ));
    let x = load_picture_with::<f64>(&p, 32, &ImageLimits::default()).unwrap();
    assert_eq!(x.dim(), (32 * 32 * 3, 1));
}

#[test]
fn pictures_in_memory_decode_as_the_same_files_do() {
    let d = tmp();
    let limits = ImageLimits::default();
    let rgba = RgbaImage::from_fn(90, 70, |x, y| Rgba([(x * 2) as u8, (y * 3) as u8, 7, 200]));
    let png = d.path().join("pic.png");
    rgba.save(&png).unwrap();
    let jpeg = d.path().join("pic.jpg");
    image::DynamicImage::ImageRgba8(rgba)
        .to_rgb8()
        .save(&jpeg)
        .unwrap();
    for path in [&png, &jpeg] {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(
            read_picture_bytes(&bytes, "upload", PICTURE_SIZE, PICTURE_SIZE, 3, &limits).unwrap(),
            read_picture(path, PICTURE_SIZE, &limits).unwrap(),
            "{}",
            path.display()
        );
    }
    let err = |bytes: &[u8], limits: &ImageLimits| {
        read_picture_bytes(bytes, "upload", PICTURE_SIZE, PICTURE_SIZE, 3, limits)
            .unwrap_err()
            .to_string()
    };
    assert!(
        err(b"", &limits).starts_with("upload: "),
        "{}",
        err(b"", &limits)
    );
    assert!(err(b"a,b\n1,2\n", &limits).contains("not a JPEG or PNG image"));
    let png_bytes = std::fs::read(&png).unwrap();
    assert!(matches!(
        read_picture_bytes(
            &png_bytes[..png_bytes.len() / 2],
            "upload",
            PICTURE_SIZE,
            PICTURE_SIZE,
            3,
            &limits
        ),
        Err(DataError::ImageDecode { .. })
    ));
    let tiny = ImageLimits {
        max_width: 50,
        ..limits
    };
    assert!(matches!(
        read_picture_bytes(&png_bytes, "upload", PICTURE_SIZE, PICTURE_SIZE, 3, &tiny),
        Err(DataError::ImageTooLarge { width: 90, .. })
    ));
}
