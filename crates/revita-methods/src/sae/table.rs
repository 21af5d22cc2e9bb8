//! Plain numeric CSV, the form of the unit-level inputs (a survey sample and
//! a census of covariates, as in benchmark B2's `sample.csv` and
//! `population.csv`): UTF-8, comma separated, one header row, `\n` or `\r\n`
//! line ends, no quoting, every kept field a number. The caller reads the
//! file; this parses its bytes, on several threads over newline-aligned
//! chunks.
//!
//! Speed matters (a census has millions of rows), so:
//! - the lines of each chunk are counted first and the output is allocated
//!   once at its final size, each thread writing its own part (no growing
//!   vectors, no concatenation);
//! - each field is parsed in place from its bytes. A plain decimal
//!   `-ddd.ddd` whose digits m (point removed) are at most 2⁵³ and which has
//!   at most 22 digits after the point is m / 10ᵏ: both are exact doubles, so
//!   the one IEEE division is correctly rounded, exactly what `str::parse`
//!   returns (Clinger 1990's fast path). Anything else (exponents, a leading
//!   '+', longer mantissas, `inf`) goes to `str::parse`, so every value is the
//!   double nearest its decimal text.

use std::ops::Range;

/// The kept columns of a numeric CSV: one integer key column and `width`
/// float columns, row-major, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericTable {
    /// The key column (e.g. a domain code) of each row.
    pub keys: Vec<i64>,
    /// The float columns of each row, `width` per row, in the order asked for.
    pub values: Vec<f64>,
    /// Float columns per row.
    pub width: usize,
}

impl NumericTable {
    /// Data rows.
    pub fn rows(&self) -> usize {
        self.keys.len()
    }
}

/// Why a numeric CSV cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// The header row is not UTF-8.
    #[error("the header is not UTF-8")]
    Header,
    /// A column asked for is not in the header.
    #[error("no column {0}")]
    MissingColumn(String),
    /// A data line is malformed (line numbers count the header as line 1).
    #[error("line {line}: {what}")]
    Line {
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong.
        what: String,
    },
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Key,
    Value(usize),
    Skip,
}

/// Parses `bytes`, keeping the integer column `key` and the float columns
/// `names` (in that order), on `threads` threads (at least one is used).
/// Blank lines are skipped; other columns are ignored unparsed.
pub fn parse_numeric_csv(bytes: &[u8], key: &str, names: &[&str], threads: usize) -> Result<NumericTable, TableError> {
    let nl = bytes.iter().position(|&c| c == b'\n').unwrap_or(bytes.len());
    let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| TableError::Header)?;
    let header: Vec<&str> = header.strip_suffix('\r').unwrap_or(header).split(',').collect();
    let mut cols = vec![Col::Skip; header.len()];
    for (want, col) in
        std::iter::once((key, Col::Key)).chain(names.iter().enumerate().map(|(j, n)| (*n, Col::Value(j))))
    {
        // The first column of that name; a name asked for twice is an error.
        match header.iter().position(|h| *h == want) {
            Some(i) if cols[i] == Col::Skip => cols[i] = col,
            _ => return Err(TableError::MissingColumn(want.to_string())),
        }
    }
    let width = names.len();
    let body = &bytes[(nl + 1).min(bytes.len())..];

    // Chunks end just after a newline, so no line is split.
    let threads = threads.max(1);
    let mut cuts = vec![0];
    for i in 1..threads {
        let at = (body.len() * i / threads).max(cuts[cuts.len() - 1]);
        let at = body[at..].iter().position(|&c| c == b'\n').map_or(body.len(), |p| at + p + 1);
        cuts.push(at);
    }
    cuts.push(body.len());
    let chunks: Vec<Range<usize>> = cuts.windows(2).map(|w| w[0]..w[1]).collect();

    // Lines per chunk (an upper bound on its rows: blank lines are skipped).
    let lines: Vec<usize> = run_parallel(chunks.iter().map(|r| &body[r.clone()]).collect(), |chunk| {
        chunk.iter().filter(|&&c| c == b'\n').count() + usize::from(chunk.last().is_some_and(|&c| c != b'\n'))
    });
    let total: usize = lines.iter().sum();
    let mut keys = vec![0i64; total];
    let mut values = vec![0.0f64; total * width];

    // Each chunk parses into its own slots.
    let mut jobs = Vec::with_capacity(chunks.len());
    let (mut key_rest, mut value_rest) = (keys.as_mut_slice(), values.as_mut_slice());
    let mut first_line = 2;
    for (r, &n) in chunks.iter().zip(&lines) {
        let (k, kr) = std::mem::take(&mut key_rest).split_at_mut(n);
        let (v, vr) = std::mem::take(&mut value_rest).split_at_mut(n * width);
        (key_rest, value_rest) = (kr, vr);
        jobs.push((&body[r.clone()], first_line, k, v));
        first_line += n;
    }
    let parsed = run_parallel(jobs, |(chunk, first_line, k, v)| parse_chunk(chunk, first_line, &cols, width, k, v));

    // Close the gaps that skipped blank lines left.
    let mut rows = 0;
    let mut slot = 0;
    for (got, n) in parsed.into_iter().zip(lines) {
        let got = got?;
        if rows != slot {
            keys.copy_within(slot..slot + got, rows);
            values.copy_within(slot * width..(slot + got) * width, rows * width);
        }
        rows += got;
        slot += n;
    }
    keys.truncate(rows);
    values.truncate(rows * width);
    Ok(NumericTable { keys, values, width })
}

/// f(job) for every job, one thread each (the first on the calling thread).
fn run_parallel<J: Send, T: Send>(jobs: Vec<J>, f: impl Fn(J) -> T + Sync) -> Vec<T> {
    if jobs.len() <= 1 {
        return jobs.into_iter().map(f).collect();
    }
    std::thread::scope(|s| {
        let mut jobs = jobs.into_iter();
        let first = jobs.next();
        let f = &f;
        let handles: Vec<_> = jobs.map(|j| s.spawn(move || f(j))).collect();
        let mut out: Vec<T> = first.into_iter().map(f).collect();
        // A worker can only panic on a bug here; pass it on.
        out.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
        out
    })
}

/// Parses the lines of `chunk` (line `first_line` onwards) into the slots
/// `keys` and `values`; returns the rows written.
fn parse_chunk(
    chunk: &[u8],
    first_line: usize,
    cols: &[Col],
    width: usize,
    keys: &mut [i64],
    values: &mut [f64],
) -> Result<usize, TableError> {
    let (mut at, mut line, mut row) = (0, first_line, 0);
    let last = cols.len() - 1;
    let err = |line: usize, what: String| TableError::Line { line, what };
    while at < chunk.len() {
        // Slots are one per line, so a row always has one.
        let (Some(key), Some(vals)) = (keys.get_mut(row), values.get_mut(row * width..(row + 1) * width)) else {
            return Err(err(line, "more rows than lines".into()));
        };
        if let Some(used) = fast_line(&chunk[at..], cols, key, vals) {
            at += used;
            row += 1;
            line += 1;
            continue;
        }
        let end = chunk[at..].iter().position(|&c| c == b'\n').map_or(chunk.len(), |p| at + p);
        let text = &chunk[at..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        at = end + 1;
        if text.is_empty() {
            line += 1;
            continue;
        }
        let mut fields = text.split(|&c| c == b',');
        for (i, col) in cols.iter().enumerate() {
            let Some(f) = fields.next() else {
                return Err(err(line, format!("{i} fields, the header has {}", cols.len())));
            };
            match *col {
                Col::Key => {
                    *key = parse_i64(f).ok_or_else(|| err(line, format!("not an integer: {:?}", lossy(f))))?;
                }
                Col::Value(j) => {
                    vals[j] = parse_f64(f).ok_or_else(|| err(line, format!("not a number: {:?}", lossy(f))))?;
                }
                Col::Skip => {}
            }
            if i == last && fields.next().is_some() {
                return Err(err(line, format!("more fields than the header's {}", cols.len())));
            }
        }
        row += 1;
        line += 1;
    }
    Ok(row)
}

/// One pass over the line at the start of `text`, when it is plain: an
/// integer key and decimals `-ddd.ddd` within the exact fast path of
/// [`parse_f64`], ended by `\n` or the end of `text`. Writes the key and
/// values and returns the bytes used (the newline included), or returns
/// `None`, having maybe written some of them, at anything else (then the
/// line is parsed field by field, which also words the errors). The values
/// are those of [`parse_i64`] and [`parse_f64`].
#[inline]
fn fast_line(text: &[u8], cols: &[Col], key: &mut i64, vals: &mut [f64]) -> Option<usize> {
    let mut at = 0;
    let n = text.len();
    for (i, col) in cols.iter().enumerate() {
        // One field: an optional '-', digits with at most one '.'.
        let neg = text.get(at) == Some(&b'-');
        at += usize::from(neg);
        let (mut m, mut digits, mut frac, mut dot) = (0u64, 0usize, 0usize, false);
        let mut end = b'\n';
        while at < n {
            let c = text[at];
            match c {
                b'0'..=b'9' => {
                    m = m.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
                    digits += 1;
                    frac += usize::from(dot);
                }
                b'.' if !dot => dot = true,
                b',' | b'\n' => {
                    end = c;
                    break;
                }
                _ => return None,
            }
            at += 1;
        }
        // A comma after every field but the last, which ends the line.
        let last = i + 1 == cols.len();
        if digits == 0 || digits > 18 || (end == b'\n') != last {
            return None;
        }
        at += 1;
        match *col {
            Col::Key => {
                if dot {
                    return None;
                }
                // At most 18 digits: no overflow.
                *key = if neg { -(m as i64) } else { m as i64 };
            }
            Col::Value(j) => {
                if m > 1 << 53 || frac >= POW10.len() {
                    return None;
                }
                let v = m as f64 / POW10[frac];
                *vals.get_mut(j)? = if neg { -v } else { v };
            }
            Col::Skip => {}
        }
    }
    Some(at.min(n))
}

fn lossy(f: &[u8]) -> String {
    String::from_utf8_lossy(f).into_owned()
}

/// Exact powers of ten, 10⁰ … 10²² (10²³ is not a double).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// A float field: the double nearest its decimal value, as `str::parse`
/// (see the module notes); `None` when it is not a number. Surrounding
/// ASCII spaces are tolerated.
pub fn parse_f64(f: &[u8]) -> Option<f64> {
    let (neg, body) = match f.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, f),
    };
    let (mut m, mut digits, mut frac, mut dot) = (0u64, 0usize, 0usize, false);
    for &c in body {
        match c {
            // 19 digits cannot overflow a u64.
            b'0'..=b'9' if digits < 19 => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
                frac += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return parse_f64_std(f),
        }
    }
    if digits == 0 || m > 1 << 53 || frac >= POW10.len() {
        return parse_f64_std(f);
    }
    // m and 10^frac are exact doubles: one correctly rounded division.
    let v = m as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

fn parse_f64_std(f: &[u8]) -> Option<f64> {
    std::str::from_utf8(f).ok()?.trim_matches(' ').parse().ok()
}

/// An integer field (`None` when it is not an i64). Surrounding ASCII spaces
/// are tolerated.
pub fn parse_i64(f: &[u8]) -> Option<i64> {
    let (neg, body) = match f.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, f),
    };
    // 18 digits cannot overflow an i64.
    if !body.is_empty() && body.len() <= 18 && body.iter().all(u8::is_ascii_digit) {
        let v = body.iter().fold(0i64, |v, &c| v * 10 + i64::from(c - b'0'));
        return Some(if neg { -v } else { v });
    }
    std::str::from_utf8(f).ok()?.trim_matches(' ').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a small deterministic source of test cases.
    struct Gen(u64);
    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn same(s: &str) {
        let want: Option<f64> = s.trim_matches(' ').parse().ok();
        let got = parse_f64(s.as_bytes());
        assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{s:?}: {got:?} vs {want:?}");
    }

    #[test]
    fn floats_equal_std_parse_on_many_values() {
        let mut g = Gen(1);
        for _ in 0..40_000 {
            // A random decimal: up to 24 digits, the point anywhere (or nowhere), maybe negative.
            let n = 1 + g.below(24) as usize;
            let mut s = String::new();
            if g.below(4) == 0 {
                s.push('-');
            }
            let dot = g.below(n as u64 + 2) as usize;
            for i in 0..n {
                if i == dot {
                    s.push('.');
                }
                // Many zeros and nines: the rounding-boundary cases.
                let d = match g.below(4) {
                    0 => 0,
                    1 => 9,
                    _ => g.below(10),
                };
                s.push(char::from(b'0' + d as u8));
            }
            same(&s);
            // Random doubles printed shortest, fixed and with exponents.
            let x = f64::from_bits(g.next());
            if x.is_finite() {
                same(&format!("{x}"));
                same(&format!("{x:e}"));
                same(&format!("{:.*}", g.below(20) as usize, x));
            }
            // Money-like amounts and census covariates.
            let v = g.below(10_000_000_000) as f64 / 100.0;
            same(&format!("{v:.2}"));
            same(&format!("{:.4}", g.below(100_000) as f64 / 1e4));
        }
    }

    #[test]
    fn float_edge_cases() {
        for s in [
            "0",
            "-0",
            "0.0",
            "1.",
            ".5",
            "-.5",
            "007",
            "0.1",
            "0.3",
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0",
            "0.9007199254740993",
            "123456789012345678901234567890",
            "1e22",
            "1e23",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "4.9406564584124654e-324",
            "1.7976931348623157e308",
            "+1.5",
            " 2.5",
            "2.5 ",
            "inf",
            "NaN",
            "1e400",
        ] {
            same(s);
        }
        assert_eq!(parse_f64(b"-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
    }

    #[test]
    fn bad_numbers_are_none() {
        for s in [
            &b""[..],
            b"-",
            b".",
            b"-.",
            b"1.2.3",
            b"1,2",
            b"abc",
            b"1e",
            b"--1",
            b"0x10",
            b"1_000",
            b"\xff",
            b"1\xff",
            b"\xff1",
            b"12345678901234567890123\xff",
        ] {
            assert_eq!(parse_f64(s), None, "{s:?}");
        }
        for s in [&b""[..], b"-", b"1.5", b"1e3", b"99999999999999999999", b"\xff", b"--1", b"12a"] {
            assert_eq!(parse_i64(s), None, "{s:?}");
        }
    }

    #[test]
    fn integers_equal_std_parse() {
        let mut g = Gen(2);
        for _ in 0..100_000 {
            let v = g.next() as i64 >> g.below(64);
            for s in [v.to_string(), format!("+{v}")] {
                assert_eq!(parse_i64(s.as_bytes()), s.parse().ok(), "{s}");
            }
        }
        for s in ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "000000000000000000001"] {
            assert_eq!(parse_i64(s.as_bytes()), s.parse().ok(), "{s}");
        }
    }

    const CSV: &str = "domain,y,x1,x2\n7,1.5,2,0.25\n3,-4,5.5,6\n7,8,9,10\n";

    #[test]
    fn keeps_the_columns_asked_for_in_that_order() {
        let t = parse_numeric_csv(CSV.as_bytes(), "domain", &["x2", "y"], 1).unwrap();
        assert_eq!(t.keys, [7, 3, 7]);
        assert_eq!(t.values, [0.25, 1.5, 6.0, -4.0, 10.0, 8.0]);
        assert_eq!((t.rows(), t.width), (3, 2));
    }

    #[test]
    fn threads_blank_lines_and_line_ends_do_not_change_the_result() {
        let one = parse_numeric_csv(CSV.as_bytes(), "domain", &["y", "x1"], 1).unwrap();
        let crlf = CSV.replace('\n', "\r\n");
        let blank = "domain,y,x1,x2\n\n7,1.5,2,0.25\n\n\n3,-4,5.5,6\r\n\n7,8,9,10";
        for text in [CSV, crlf.as_str(), blank] {
            for threads in 1..6 {
                assert_eq!(parse_numeric_csv(text.as_bytes(), "domain", &["y", "x1"], threads).unwrap(), one);
            }
        }
        // Many rows over several threads.
        let mut big = String::from("x1,domain\n");
        for i in 0..5000 {
            big.push_str(&format!("{}.{},{}\n", i, i % 7, i / 10));
        }
        let t1 = parse_numeric_csv(big.as_bytes(), "domain", &["x1"], 1).unwrap();
        assert_eq!(t1.rows(), 5000);
        for threads in [2, 3, 8] {
            assert_eq!(parse_numeric_csv(big.as_bytes(), "domain", &["x1"], threads).unwrap(), t1);
        }
        let empty = parse_numeric_csv(b"domain,y\n", "domain", &["y"], 2).unwrap();
        assert_eq!(empty.rows(), 0);
        assert_eq!(parse_numeric_csv(b"domain,y", "domain", &["y"], 2).unwrap().rows(), 0);
    }

    #[test]
    fn the_one_pass_line_parser_equals_field_by_field_parsing() {
        // Lines mixing plain fields (the one-pass path) with everything it
        // hands back to the field-by-field path: exponents, long mantissas,
        // '+', spaces, text in skipped columns, CR line ends, blank lines.
        let mut g = Gen(5);
        let mut text = String::from("domain,a,skip,b\n");
        let mut want_keys = Vec::new();
        let mut want_vals = Vec::new();
        let odd = ["1e3", "+2.5", " 7", "12345678901234567890", "0.00000000000000000000001", "-0", "5.", ".5", "-.25"];
        for _ in 0..3000 {
            let key = g.below(2_000_000) as i64 - 1_000_000;
            let field = |g: &mut Gen| match g.below(12) {
                0 => odd[g.below(odd.len() as u64) as usize].to_string(),
                1 => format!("{}", f64::from_bits(g.next() >> 2)),
                _ => format!("{:.*}", g.below(6) as usize, (g.below(2_000_000) as f64 - 1e6) / 997.0),
            };
            let (a, b) = (field(&mut g), field(&mut g));
            let skip = if g.below(10) == 0 { "n/a".to_string() } else { field(&mut g) };
            let end = match g.below(20) {
                0 => "\r\n",
                1 => "\n\n",
                _ => "\n",
            };
            text.push_str(&format!("{key},{a},{skip},{b}{end}"));
            want_keys.push(key);
            want_vals.push(parse_f64(a.as_bytes()).unwrap());
            want_vals.push(parse_f64(b.as_bytes()).unwrap());
        }
        for threads in [1, 3] {
            let t = parse_numeric_csv(text.as_bytes(), "domain", &["a", "b"], threads).unwrap();
            assert_eq!(t.keys, want_keys);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&t.values), bits(&want_vals));
        }
    }

    #[test]
    fn malformed_files_are_errors_with_the_line() {
        let p = |s: &str| parse_numeric_csv(s.as_bytes(), "domain", &["y"], 2);
        assert_eq!(p("dom,y\n1,2\n"), Err(TableError::MissingColumn("domain".into())));
        assert_eq!(p(""), Err(TableError::MissingColumn("domain".into())));
        assert_eq!(
            parse_numeric_csv(b"domain,y\n1,2\n", "domain", &["y", "y"], 1).unwrap_err(),
            TableError::MissingColumn("y".into())
        );
        assert_eq!(parse_numeric_csv(b"\xffdomain,y\n", "domain", &["y"], 1).unwrap_err(), TableError::Header);
        let line = |r: Result<NumericTable, TableError>| match r {
            Err(TableError::Line { line, .. }) => line,
            other => panic!("expected a line error, got {other:?}"),
        };
        assert_eq!(line(p("domain,y\n1,2\n3\n")), 3);
        assert_eq!(line(p("domain,y\n1,2\n3,4,5\n")), 3);
        assert_eq!(line(p("domain,y\n1,2\n\n3,x\n")), 4);
        assert_eq!(line(p("domain,y\n1.5,2\n")), 2);
        assert_eq!(line(p("domain,y\n1,\n")), 2);
        assert_eq!(line(p("domain,y\n1,\"2\"\n")), 2);
    }

    #[test]
    fn garbage_never_panics() {
        let mut g = Gen(3);
        let alphabet = b"0123456789.,-+e\n\r x\xff";
        for _ in 0..5_000 {
            let n = g.below(60) as usize;
            let mut s = b"domain,y,x1\n".to_vec();
            s.extend((0..n).map(|_| alphabet[g.below(alphabet.len() as u64) as usize]));
            for threads in [1, 3] {
                let _ = parse_numeric_csv(&s, "domain", &["x1", "y"], threads);
            }
            let _ = parse_numeric_csv(&s[12..], "domain", &["y"], 2);
        }
    }
}
