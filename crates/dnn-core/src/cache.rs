//! The size of the CPU's last-level cache, as the operating system reports it: what the
//! weight step may keep packed for all its blocks (see `train/weight_step.rs`).
//!
//! Linux describes each cache of a CPU in `/sys/devices/system/cpu/cpu0/cache/index*/`
//! (`level`, `type` and `size`, such as `32768K`), from the CPU's own description (`cpuid`),
//! as `lscpu` shows it. Elsewhere, or where those files are missing, the size is unknown.

use std::path::Path;
use std::sync::OnceLock;

/// Where Linux describes the first CPU's caches, one `index*` directory each.
const CACHES: &str = "/sys/devices/system/cpu/cpu0/cache";

/// The bytes of the highest-level data or unified cache of the first CPU, read once; `None`
/// where the system does not say.
pub(crate) fn last_level_bytes() -> Option<usize> {
    static BYTES: OnceLock<Option<usize>> = OnceLock::new();
    *BYTES.get_or_init(|| last_level_in(Path::new(CACHES)))
}

/// [`last_level_bytes`] from the `index*` directories under `caches`.
fn last_level_in(caches: &Path) -> Option<usize> {
    let read = |dir: &Path, name: &str| std::fs::read_to_string(dir.join(name)).ok();
    std::fs::read_dir(caches)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .filter(|dir| {
            dir.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("index"))
        })
        .filter(|dir| read(dir, "type").is_some_and(|t| t.trim() != "Instruction"))
        .filter_map(|dir| {
            let level: u32 = read(&dir, "level")?.trim().parse().ok()?;
            Some((level, parse_size(&read(&dir, "size")?)?))
        })
        .max()
        .map(|(_, bytes)| bytes)
}

/// Bytes from a size as Linux writes it: a number of bytes, or of KiB, MiB or GiB with the
/// suffix `K`, `M` or `G`; `None` for anything else (an empty file, say).
fn parse_size(text: &str) -> Option<usize> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().last()? {
        (i, 'K') => (&text[..i], 1 << 10),
        (i, 'M') => (&text[..i], 1 << 20),
        (i, 'G') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_as_linux_writes_them() {
        assert_eq!(parse_size("32768K\n"), Some(32 << 20));
        assert_eq!(parse_size("1024K"), Some(1 << 20));
        assert_eq!(parse_size("8M"), Some(8 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("512"), Some(512));
        for bad in [
            "",
            "\n",
            "K",
            "12 K",
            "-1K",
            "0x10K",
            "99999999999999999999999K",
        ] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_last_level_is_the_highest_data_or_unified_cache() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        for (index, level, kind, size) in [
            ("index0", "1", "Data", "48K"),
            ("index1", "1", "Instruction", "32K"),
            ("index2", "2", "Unified", "2048K"),
            ("index3", "3", "Unified", "105M"),
            ("index4", "4", "Instruction", "999M"),
        ] {
            let dir = root.join(index);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in [("level", level), ("type", kind), ("size", size)] {
                std::fs::write(dir.join(name), format!("{text}\n")).unwrap();
            }
        }
        // Not a cache's directory.
        std::fs::create_dir_all(root.join("uevent")).unwrap();
        assert_eq!(last_level_in(root), Some(105 << 20));
        std::fs::remove_dir_all(root.join("index3")).unwrap();
        assert_eq!(last_level_in(root), Some(2 << 20));
        assert_eq!(last_level_in(&root.join("missing")), None);
    }

    /// Linux on x86 always describes the caches (`lscpu` reads the same files).
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    #[test]
    fn this_machine_reports_a_last_level_cache() {
        let bytes = last_level_bytes().expect("a last-level cache in sysfs");
        assert!(bytes >= 256 << 10, "{bytes} bytes");
    }
}
