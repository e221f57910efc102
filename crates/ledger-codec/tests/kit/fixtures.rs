//! Golden fixture files: compare bytes with a committed `.hex` file, or
//! rewrite it when `LEDGER_GOLDEN_BLESS=1` (a deliberate format change).
//!
//! A missing file fails like a mismatch (unless blessing), and so does a
//! file no case produces, so the fixtures and the cases stay one set.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The environment variable that rewrites fixtures instead of comparing.
pub const BLESS: &str = "LEDGER_GOLDEN_BLESS";

/// Hex digits per line of a fixture (32 bytes).
const LINE: usize = 64;

pub fn blessing() -> bool {
    std::env::var(BLESS).is_ok_and(|v| v == "1")
}

/// `tests/golden/<kind>` in this crate.
pub fn dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(kind)
}

/// Bytes as fixture text: lowercase hex, 32 bytes a line.
pub fn to_text(bytes: &[u8]) -> String {
    let hex = hex::encode(bytes);
    let mut out = String::new();
    for chunk in hex.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).expect("hex is ascii"));
        out.push('\n');
    }
    out
}

/// Fixture text back to bytes (lines joined, whitespace ignored).
pub fn from_text(text: &str) -> Vec<u8> {
    let hex: String = text.split_whitespace().collect();
    hex::decode(hex).expect("a fixture holds hex")
}

/// Where two byte strings first differ, with both lines there.
fn diff(expected: &[u8], actual: &[u8]) -> String {
    let at = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let line = at / (LINE / 2);
    let window = |bytes: &[u8]| {
        let start = (line * LINE / 2).min(bytes.len());
        let end = (start + LINE / 2).min(bytes.len());
        hex::encode(&bytes[start..end])
    };
    format!(
        "  {} bytes expected, {} actual; first difference at byte {at} (line {}):\n  - {}\n  + {}",
        expected.len(),
        actual.len(),
        line + 1,
        window(expected),
        window(actual),
    )
}

/// Compares `actual` with `<dir>/<name>.hex`; with blessing, writes it.
/// Returns the fixture's bytes (for round trips) or why it failed.
pub fn check(dir: &Path, name: &str, actual: &[u8]) -> Result<Vec<u8>, String> {
    let path = dir.join(format!("{name}.hex"));
    if blessing() {
        fs::create_dir_all(dir).expect("create the fixture directory");
        fs::write(&path, to_text(actual)).expect("write a fixture");
        return Ok(actual.to_vec());
    }
    let text = fs::read_to_string(&path).map_err(|e| {
        format!(
            "{name}: no golden file {} ({e}); a new case is pinned with {BLESS}=1",
            path.display()
        )
    })?;
    let expected = from_text(&text);
    if expected == actual {
        Ok(expected)
    } else {
        Err(format!(
            "{name}: bytes differ from {}\n{}",
            path.display(),
            diff(&expected, actual)
        ))
    }
}

/// The bytes of `<dir>/<name>.hex`.
pub fn read(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(format!("{name}.hex"));
    fs::read_to_string(&path)
        .map(|text| from_text(&text))
        .map_err(|e| format!("{name}: cannot read {} ({e})", path.display()))
}

/// Fixture files in `dir` that no case produced.
pub fn stale(dir: &Path, names: &BTreeSet<String>) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return vec![];
    };
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".hex").map(str::to_owned))
        .filter(|f| !names.contains(f))
        .collect();
    out.sort();
    out
}

/// Panics with every failure and how to accept a change on purpose.
pub fn report(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} {what} golden check(s) failed:\n\n{}\n\n\
         These bytes are the stored format: a change breaks every existing log \
         (or every stored command fingerprint). Do not edit the fixtures to make \
         this pass; bump a schema version or add a format byte. Only for a \
         deliberate change of a new, never-stored case, rerun with {BLESS}=1 to \
         rewrite tests/golden/ and review the diff.",
        failures.len(),
        failures.join("\n\n"),
    );
}
