//! Plain numeric CSV files read fast: a header row, then rows of numbers
//! separated by commas, no quoting — the shape of point, origin, site and
//! link files that batch jobs read by the hundred thousand (the spatial join,
//! the site-assignment optimiser). The body is split at line ends into one
//! part per thread and parsed in parallel with the standard library's
//! correctly rounded number parsers; the named columns come back whole.
//! Every problem names the file, the line and the column.

use std::path::Path;

use crate::error::{FileError, Problems, RowError};

/// The largest numeric file read (bytes).
pub const MAX_NUMERIC_BYTES: u64 = 4 << 30;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whole numbers (identifiers, counts, costs).
    Int,
    /// Decimal numbers (coordinates, incomes).
    Float,
}

/// A column read.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Whole numbers.
    Int(Vec<i64>),
    /// Decimal numbers.
    Float(Vec<f64>),
}

impl Column {
    /// The whole numbers (empty for a decimal column).
    pub fn ints(&self) -> &[i64] {
        match self {
            Column::Int(v) => v,
            Column::Float(_) => &[],
        }
    }

    /// The decimal numbers (empty for a whole-number column).
    pub fn floats(&self) -> &[f64] {
        match self {
            Column::Float(v) => v,
            Column::Int(_) => &[],
        }
    }

    fn empty(kind: Kind, capacity: usize) -> Column {
        match kind {
            Kind::Int => Column::Int(Vec::with_capacity(capacity)),
            Kind::Float => Column::Float(Vec::with_capacity(capacity)),
        }
    }

    fn append(&mut self, other: Column) {
        match (self, other) {
            (Column::Int(a), Column::Int(mut b)) => a.append(&mut b),
            (Column::Float(a), Column::Float(mut b)) => a.append(&mut b),
            _ => {}
        }
    }
}

/// Reads the named columns of a numeric CSV file on `threads` threads.
pub fn read_numeric_csv(path: &Path, wanted: &[(&str, Kind)], threads: usize) -> Result<Vec<Column>, Problems> {
    let file = path.display().to_string();
    let size = std::fs::metadata(path).map_err(|e| FileError::new(&file, format!("cannot open: {e}")))?.len();
    if size > MAX_NUMERIC_BYTES {
        return Err(FileError::new(&file, format!("larger than {} GiB", MAX_NUMERIC_BYTES >> 30)).into());
    }
    let bytes = std::fs::read(path).map_err(|e| FileError::new(&file, format!("cannot read: {e}")))?;
    parse_numeric_csv(&file, &bytes, wanted, threads)
}

/// Parses a numeric CSV file's bytes (see [`read_numeric_csv`]).
pub fn parse_numeric_csv(
    file: &str,
    bytes: &[u8],
    wanted: &[(&str, Kind)],
    threads: usize,
) -> Result<Vec<Column>, Problems> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let header_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
    let header =
        std::str::from_utf8(&bytes[..header_end]).map_err(|_| FileError::new(file, "the header is not UTF-8 text"))?;
    let names: Vec<&str> = header.trim_end_matches('\r').split(',').map(str::trim).collect();
    let mut at = Vec::with_capacity(wanted.len());
    for (name, kind) in wanted {
        let index = names.iter().position(|n| n == name).ok_or_else(|| {
            FileError::new(file, format!("missing column '{name}' (the header has: {})", names.join(", ")))
        })?;
        at.push((index, *kind, *name));
    }
    let body = &bytes[(header_end + 1).min(bytes.len())..];
    let parts = split_lines(body, threads.max(1));
    // Line numbers: the header is line 1; each part knows its first line.
    let mut first_line = 2;
    let mut starts = Vec::with_capacity(parts.len());
    for part in &parts {
        starts.push(first_line);
        first_line += part.iter().filter(|&&b| b == b'\n').count() as u64;
    }
    let parsed: Vec<Result<Vec<Column>, RowError>> = std::thread::scope(|s| {
        let workers: Vec<_> = parts
            .iter()
            .zip(&starts)
            .map(|(part, start)| {
                let at = &at;
                s.spawn(move || parse_part(file, part, *start, at))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err(RowError::row(file, 0, "a parsing thread failed"))))
            .collect()
    });
    let mut columns: Vec<Column> = wanted.iter().map(|(_, kind)| Column::empty(*kind, 0)).collect();
    for part in parsed {
        for (column, more) in columns.iter_mut().zip(part?) {
            column.append(more);
        }
    }
    Ok(columns)
}

/// Parses whole lines starting at line `first`.
fn parse_part(file: &str, part: &[u8], first: u64, at: &[(usize, Kind, &str)]) -> Result<Vec<Column>, RowError> {
    let capacity = part.len() / 24;
    let mut columns: Vec<Column> = at.iter().map(|(_, kind, _)| Column::empty(*kind, capacity)).collect();
    let widest = at.iter().map(|(i, _, _)| *i).max().unwrap_or(0);
    let mut fields: Vec<&str> = Vec::with_capacity(widest + 1);
    for (n, line) in part.split(|&b| b == b'\n').enumerate() {
        let line_number = first + n as u64;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(line).map_err(|_| RowError::row(file, line_number, "not UTF-8 text"))?;
        fields.clear();
        fields.extend(text.split(',').take(widest + 1));
        for ((index, kind, name), column) in at.iter().zip(columns.iter_mut()) {
            let field = fields.get(*index).map(|f| f.trim()).unwrap_or("");
            let bad = |what: &str| RowError::cell(file, line_number, name, format!("'{field}' is not {what}"));
            match column {
                Column::Int(v) => v.push(field.parse().map_err(|_| bad("a whole number"))?),
                Column::Float(v) => {
                    let x: f64 = field.parse().map_err(|_| bad("a number"))?;
                    if !x.is_finite() {
                        return Err(bad("a finite number"));
                    }
                    v.push(x)
                }
            }
            debug_assert!(matches!((kind, &*column), (Kind::Int, Column::Int(_)) | (Kind::Float, Column::Float(_))));
        }
    }
    Ok(columns)
}

/// The body split at line ends into at most `parts` pieces of about equal
/// size.
fn split_lines(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(parts);
    let mut rest = body;
    for k in (1..=parts).rev() {
        if rest.is_empty() {
            break;
        }
        let target = rest.len() / k;
        let cut = if k == 1 {
            rest.len()
        } else {
            rest[target..].iter().position(|&b| b == b'\n').map_or(rest.len(), |p| target + p + 1)
        };
        let (head, tail) = rest.split_at(cut);
        out.push(head);
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: [(&str, Kind); 3] = [("point_id", Kind::Int), ("lon", Kind::Float), ("population", Kind::Int)];

    #[test]
    fn reads_named_columns_in_order_on_any_thread_count() {
        let mut text = String::from("\u{feff}point_id,lon,lat,population\r\n");
        for i in 0..1000 {
            text.push_str(&format!("{i},{}.5,30,{}\n", 100 + i % 7, i * 2));
        }
        for threads in [1, 2, 3, 8] {
            let cols = parse_numeric_csv("p.csv", text.as_bytes(), &WANTED, threads).unwrap();
            assert_eq!(cols[0].ints().len(), 1000);
            assert_eq!(cols[0].ints()[999], 999);
            assert_eq!(cols[1].floats()[8], 101.5);
            assert_eq!(cols[2].ints()[10], 20);
        }
    }

    #[test]
    fn names_the_file_line_and_column_of_a_problem() {
        let text = "point_id,lon,population\n1,100,5\n2,abc,5\n";
        let err = parse_numeric_csv("p.csv", text.as_bytes(), &WANTED, 2).unwrap_err().to_string();
        assert!(err.contains("p.csv") && err.contains('3') && err.contains("lon") && err.contains("abc"), "{err}");
        let missing = parse_numeric_csv("p.csv", b"point_id,lat\n1,2\n", &WANTED, 1).unwrap_err().to_string();
        assert!(missing.contains("missing column 'lon'"), "{missing}");
        let short = parse_numeric_csv("p.csv", b"point_id,lon,population\n1,2\n", &WANTED, 1).unwrap_err();
        assert!(short.to_string().contains("population"), "{short}");
        let inf = parse_numeric_csv("p.csv", b"point_id,lon,population\n1,inf,2\n", &WANTED, 1).unwrap_err();
        assert!(inf.to_string().contains("finite"), "{inf}");
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for bytes in
            [&b""[..], b"\n\n\n", b"point_id,lon,population", b"\xff\xfe,\n1,2,3", b"point_id,lon,population\n\xff"]
        {
            let _ = parse_numeric_csv("p.csv", bytes, &WANTED, 3);
        }
    }
}
