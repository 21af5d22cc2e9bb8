//! Plain numeric CSV files (benchmark B2's survey sample and census): an
//! integer `domain` column and named float columns, read fast on several
//! threads over newline-aligned pieces of the file. No quoting, no text
//! cells: a file that is anything else is refused naming the line.

/// A numeric table: the `domain` of every row and the named columns,
/// row-major in the order they were asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumericTable {
    /// The `domain` column.
    pub domain: Vec<i64>,
    /// The asked-for columns, row-major.
    pub values: Vec<f64>,
}

/// Exact powers of ten: m / 10^k is then correctly rounded, as `str::parse`.
const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// A plain decimal (-ddd.ddd, at most 15 digits) fast; anything else via std.
fn parse_f64(s: &[u8]) -> Option<f64> {
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (mut m, mut digits, mut frac, mut dot) = (0u64, 0usize, 0usize, false);
    let mut plain = !body.is_empty();
    for &c in body {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
                frac += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => {
                plain = false;
                break;
            }
        }
    }
    if plain && digits > 0 && digits <= 15 {
        let v = m as f64 / POW10[frac];
        return Some(if neg { -v } else { v });
    }
    std::str::from_utf8(s).ok().and_then(|t| t.trim().parse::<f64>().ok()).filter(|v| v.is_finite())
}

/// Where a field goes.
#[derive(Clone, Copy)]
enum Col {
    Domain,
    Value(usize),
    Skip,
}

/// Parses the data lines of `body`; `first_line` numbers its first line.
fn parse_lines(body: &[u8], cols: &[Col], width: usize, first_line: usize) -> Result<NumericTable, String> {
    let mut t = NumericTable::default();
    let mut row = vec![0.0; width];
    for (i, line) in body.split(|&c| c == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let at = first_line + i;
        let mut n = 0;
        for (j, field) in line.split(|&c| c == b',').enumerate() {
            match cols.get(j) {
                Some(Col::Domain) => t.domain.push(
                    std::str::from_utf8(field)
                        .ok()
                        .and_then(|f| f.trim().parse().ok())
                        .ok_or_else(|| format!("line {at}: domain is not an integer"))?,
                ),
                Some(Col::Value(k)) => {
                    row[*k] = parse_f64(field).ok_or_else(|| format!("line {at}: field {} is not a number", j + 1))?
                }
                _ => {}
            }
            n = j + 1;
        }
        if n != cols.len() {
            return Err(format!("line {at} has {n} fields, the header {}", cols.len()));
        }
        t.values.extend_from_slice(&row);
    }
    Ok(t)
}

/// Reads `bytes` (a whole CSV file with a header), keeping `domain` and
/// `names` in that order, on `threads` threads.
pub fn parse_numeric_csv(bytes: &[u8], names: &[&str], threads: usize) -> Result<NumericTable, String> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let nl = bytes.iter().position(|&c| c == b'\n').unwrap_or(bytes.len());
    let header: Vec<&str> = std::str::from_utf8(&bytes[..nl])
        .map_err(|_| "the header is not UTF-8".to_string())?
        .trim_end()
        .split(',')
        .map(str::trim)
        .collect();
    for n in std::iter::once(&"domain").chain(names) {
        if !header.contains(n) {
            return Err(format!("no column {n}"));
        }
    }
    let cols: Vec<Col> = header
        .iter()
        .map(|h| match names.iter().position(|n| n == h) {
            _ if *h == "domain" => Col::Domain,
            Some(j) => Col::Value(j),
            None => Col::Skip,
        })
        .collect();
    let body = &bytes[(nl + 1).min(bytes.len())..];
    let threads = threads.max(1);
    let mut cuts = vec![0];
    for i in 1..threads {
        let at = (body.len() * i / threads).max(*cuts.last().unwrap_or(&0));
        let at = body[at..].iter().position(|&c| c == b'\n').map_or(body.len(), |p| at + p + 1);
        cuts.push(at);
    }
    cuts.push(body.len());
    // Line numbers of each piece's first line (the header is line 1).
    let firsts: Vec<usize> = cuts
        .windows(2)
        .scan(2, |line, w| {
            let first = *line;
            *line += body[w[0]..w[1]].iter().filter(|&&c| c == b'\n').count();
            Some(first)
        })
        .collect();
    let parts: Vec<Result<NumericTable, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = cuts
            .windows(2)
            .zip(&firsts)
            .map(|(w, &first)| {
                let c = &cols;
                s.spawn(move || parse_lines(&body[w[0]..w[1]], c, names.len(), first))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a parser thread panicked".into()))).collect()
    });
    let mut t = NumericTable::default();
    for p in parts {
        let p = p?;
        t.domain.extend(p.domain);
        t.values.extend(p.values);
    }
    Ok(t)
}

/// Reads the file at `path` (see [`parse_numeric_csv`]); errors name it.
pub fn read_numeric_csv(path: &std::path::Path, names: &[&str], threads: usize) -> Result<NumericTable, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_numeric_csv(&bytes, names, threads).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_columns_in_the_order_asked_on_any_number_of_threads() {
        let text = b"\xef\xbb\xbfx2,domain,y,x1\r\n1.5,3,10,-2\r\n2,1,1e3,0.25\n";
        for threads in [1, 2, 4] {
            let t = parse_numeric_csv(text, &["y", "x1", "x2"], threads).unwrap();
            assert_eq!(t.domain, [3, 1]);
            assert_eq!(t.values, [10.0, -2.0, 1.5, 1000.0, 0.25, 2.0]);
        }
    }

    #[test]
    fn refusals_name_the_column_or_line() {
        assert_eq!(parse_numeric_csv(b"domain,y\n1,2\n", &["x1"], 1).unwrap_err(), "no column x1");
        let e = parse_numeric_csv(b"domain,y\n1,2\n1,oops\n", &["y"], 2).unwrap_err();
        assert_eq!(e, "line 3: field 2 is not a number");
        assert!(parse_numeric_csv(b"domain,y\n1\n", &["y"], 1).unwrap_err().contains("line 2 has 1 fields"));
    }
}
