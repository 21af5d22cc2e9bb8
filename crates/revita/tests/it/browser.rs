//! User journeys in real headless Chromium, driven over WebDriver
//! (chromedriver) against the real binary serving the demo data.
//!
//! The WebDriver client is the dozen commands these journeys need, over
//! std's TCP stream: no browser-automation dependency to build. Each journey
//! saves a screenshot under `target/tmp/screenshots/`. Without Chromium the
//! test is skipped with a message, except under CI (`CI` set), where it fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub(crate) struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 request to chromedriver; returns the JSON `value`.
fn call(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    // chromedriver keeps the connection open: read the head, then exactly
    // Content-Length bytes of body.
    let mut reader = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let text = String::from_utf8_lossy(&body);
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad WebDriver reply to {path}: {e}: {text}"));
    assert!(value["value"]["error"].is_null(), "{method} {path}: {}", value["value"]);
    value["value"].clone()
}

struct Browser {
    port: u16,
    session: String,
    _driver: Killed,
}

impl Browser {
    fn start(profile: &Path) -> Browser {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = Killed(driver);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
            "--lang=zh-CN",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args, "prefs": {"intl.accept_languages": "zh-CN,zh"}}}}});
        let session = call(port, "POST", "/session", Some(caps))["sessionId"].as_str().unwrap().to_string();
        Browser { port, session, _driver: driver }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        call(self.port, method, &format!("/session/{}{path}", self.session), body)
    }

    fn go(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        v[ELEMENT].as_str().unwrap().to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.cmd("GET", &format!("/element/{id}/text"), None).as_str().unwrap_or("").to_string()
    }

    fn script(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    /// Polls until `css`'s text contains `needle`.
    fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let found =
                self.script(&format!("const e = document.querySelector({css:?}); return e ? e.textContent : '';"));
            let text = found.as_str().unwrap_or("").to_string();
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} never showed {needle:?}; last: {text:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, name: &str) -> PathBuf {
        let png = decode_base64(self.cmd("GET", "/screenshot", None).as_str().unwrap());
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| call(self.port, "DELETE", &format!("/session/{}", self.session), None));
    }
}

/// Renders the PDF's first two pages to PNG (next to the screenshots) and
/// checks its text layer holds `needles` (poppler-utils: pdftoppm,
/// pdftotext; required under CI).
fn check_pdf(pdf: &[u8], needles: &[&str]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("5c-plan.pdf");
    std::fs::write(&path, pdf).unwrap();
    let Ok(render) = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "2"])
        .arg(&path)
        .arg(dir.join("5c-plan-page"))
        .status()
    else {
        assert!(std::env::var_os("CI").is_none(), "CI needs poppler-utils (pdftoppm, pdftotext)");
        return;
    };
    assert!(render.success(), "pdftoppm renders the document");
    let first = dir.join("5c-plan-page-1.png");
    assert!(std::fs::metadata(&first).map(|m| m.len() > 2000).unwrap_or(false), "{} is a real page", first.display());
    let text = std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in needles {
        assert!(text.contains(needle), "the PDF's text lacks {needle:?}:\n{text}");
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| *c != b'=' && !c.is_ascii_whitespace()).map(value).collect();
    bytes
        .chunks(4)
        .flat_map(|c| {
            let n = c.iter().enumerate().fold(0u32, |n, (i, v)| n | (u32::from(*v) << (18 - 6 * i)));
            let out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.into_iter().take(c.len().saturating_sub(1))
        })
        .collect()
}

/// Starts `revita serve --demo` in `dir`; returns the server and its URL.
fn serve_demo(dir: &Path) -> (Killed, String) {
    let uploads = dir.join("uploads");
    serve(&["--demo", "--upload-dir", uploads.to_str().unwrap()], dir)
}

/// Starts `revita serve` on a free port with `args` in `dir`; returns the
/// server (stopped when dropped) and its URL once it is ready.
pub(crate) fn serve(args: &[&str], dir: &Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_revita"))
        .args(["serve", "--port", "0"])
        .args(args)
        .current_dir(dir)
        .env_remove("REVITA_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Killed(child);
    let url = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("revita is ready at ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    (server, url)
}

#[test]
fn browser_journeys() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        assert!(std::env::var_os("CI").is_none(), "CI is set but Chromium or chromedriver is missing");
        eprintln!("skipping browser journeys: install the Debian packages chromium and chromium-driver");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = serve_demo(dir.path());
    let browser = Browser::start(&dir.path().join("chromium-profile"));

    // 0. Anonymous visitors are sent to log in; the national administrator logs in.
    browser.go(&format!("{url}/"));
    browser.wait_for_text("h1", "登录");
    browser.type_into("#name", "admin");
    browser.type_into("#password", "national-view-2020");
    browser.click("#log-in");

    // 1. Open the map and change its indicator.
    browser.wait_for_text("h1", "常住人口");
    assert!(browser.script("return document.querySelectorAll('#map a.region').length").as_u64().unwrap() >= 30);
    browser.click("select[name=theme] option[value='indicator:urbanization_rate_pct']");
    browser.wait_for_text("h1", "城镇化率");
    // The year shown by default is the census year every province reports,
    // with its coverage beside the map.
    assert!(browser.text("h1").contains("2020"), "{}", browser.text("h1"));
    assert!(browser.text("main").contains("有数据的地区"));
    // A national map as official maps of China draw it: Taiwan on it, the
    // South China Sea islands and the dashed boundary line in an inset.
    assert!(browser.script("return document.querySelector('#map [data-code=\"710000\"]') !== null").as_bool().unwrap());
    assert!(browser.text("#map .inset").contains("南海诸岛"));
    assert!(
        browser.script("return document.querySelectorAll('#map .inset .boundary-line').length").as_u64() == Some(1)
    );
    browser.screenshot("1-map-urbanization");

    // 2a. Pinyin as place names read: changsha finds 长沙 (the city before
    //     its county), xizang finds 西藏.
    browser.type_into("#site-search", "changsha");
    browser.click("header form.search button");
    let found = browser.wait_for_text("ul.results", "长沙市");
    assert!(found.find("长沙市").unwrap() < found.find("长沙县").unwrap(), "{found}");
    browser.go(&format!("{url}/regions?q=xizang"));
    browser.wait_for_text("h1", "西藏自治区");

    // 2. Search for a county and open it.
    browser.type_into("#site-search", "七星关");
    browser.click("header form.search button");
    browser.wait_for_text("h1", "七星关区");
    assert!(browser.text(".crumbs").contains("毕节市"));
    browser.screenshot("2-county-profile");

    // 3. Switch the language.
    browser.click("#switch-language");
    browser.wait_for_text("#designations", "Designations");
    assert_eq!(browser.script("return document.documentElement.lang").as_str(), Some("en"));
    browser.screenshot("3-english");

    // 4. Upload an import with an error and read the row-level report.
    let bad = dir.path().join("bad-observations.csv");
    std::fs::write(&bad, "region_code,indicator,period,value\n520502,pop_total,2020,12x\n").unwrap();
    browser.go(&format!("{url}/import"));
    browser.type_into("#file", bad.to_str().unwrap());
    browser.click("#check-file");
    let report = browser.wait_for_text("#problems", "is not a number");
    assert!(report.contains('2') && report.contains("value"), "{report}");
    browser.screenshot("4-import-report");

    // 5. Run the shipped designation example: ranked table, class map, histogram.
    browser.go(&format!("{url}/designate"));
    browser.wait_for_text("h1", "Designation runs");
    browser.click("#run-spec");
    browser.wait_for_text("#run-heading", "2020");
    let rows = browser.script("return document.querySelectorAll('.run-table tbody tr').length").as_u64().unwrap();
    assert!(rows > 2000, "every county with data is ranked: {rows}");
    assert!(
        browser
            .script("return document.querySelectorAll('figure.map a.region, figure.map path').length")
            .as_u64()
            .unwrap()
            > 100
    );
    assert!(browser.text(".run-table tbody tr:first-child").contains("distressed"));
    assert!(browser.script("return document.querySelector('figure.chart svg') !== null").as_bool().unwrap());
    browser.screenshot("5-designation-run");
    // The same run compared with itself: everything on the diagonal.
    let search = browser.script("return location.search.replace('against_year=', 'against_year=2020')");
    browser.go(&format!("{url}/designate{}", search.as_str().unwrap()));
    browser.wait_for_text("#compare-heading", "→");
    assert!(browser.text(".transition-matrix").contains("distressed"));
    assert!(browser.script("return document.querySelector('.change-map svg') !== null").as_bool().unwrap());

    // The distressed counties become an official list.
    browser.click("details.commit summary");
    browser.type_into("#category", "education_lag");
    browser.type_into("#basis_title", "关于认定教育薄弱县的通知");
    browser.script("document.querySelector('#effective').value = '2021-01-01'; return true");
    browser.click("#commit");
    // Issue 13: what the list changes is shown before anything is written.
    let preview = browser.wait_for_text("#list-preview", "284");
    assert!(preview.contains("custom:education_lag"), "{preview}");
    browser.screenshot("5a-list-preview");
    browser.click("#confirm-commit");
    let notice = browser.wait_for_text("#committed", "SHA-256");
    assert!(notice.contains("custom:education_lag") && notice.contains("284"), "{notice}");
    browser.screenshot("5a-list-committed");

    // 5b. Allocate the shipped example fund over Guizhou's counties.
    browser.go(&format!("{url}/allocate"));
    browser.wait_for_text("h1", "Fund allocation");
    browser.click("#run-spec");
    browser.wait_for_text("#allocation-heading", "2020");
    let rows =
        browser.script("return document.querySelectorAll('.allocation-table tbody tr').length").as_u64().unwrap();
    assert_eq!(rows, 88, "Guizhou's counties");
    assert!(browser.text("main").contains("200,000.00 万元 (2,000,000,000 yuan)"), "amounts in 万元");
    assert!(browser.text(".allocation-table tfoot").contains("200,000.00"), "the totals add up to the fund");
    browser.screenshot("5b-allocation");

    // 5d. No JSON by hand: a rule built with the spec form ("less than 85% of
    //     the mean years of schooling"), run, then saved for others.
    browser.go(&format!("{url}/designate"));
    browser.click("#spec-form summary");
    browser.type_into("input[name=b_name]", "Schooling below 85%");
    browser.type_into("input[name=b_0_code]", "avg_years_schooling_15plus");
    browser.click("input[name=b_method][value=rule]");
    browser.click("select[name=b_0_op] option[value=less_than]");
    browser.type_into("input[name=b_0_share]", "0.85");
    browser.click("#build-spec");
    browser.wait_for_text("#run-heading", "Schooling below 85%");
    assert!(browser.script("return document.querySelector('#spec').value").as_str().unwrap().contains("less_than"));
    assert!(browser.text(".class-counts").contains("designated"));
    browser.screenshot("5d-spec-form");
    browser.click("#save-spec summary");
    browser.type_into("#save_name", "Schooling below 85%");
    browser.type_into("#save_note", "first version");
    browser.click("#save-spec-button");
    let saved = browser.wait_for_text("#saved-spec", "Schooling below 85%");
    assert!(saved.contains("Version 1") && saved.contains("first version"), "{saved}");
    assert!(browser.text("#run-heading").contains("Schooling below 85%"), "a saved spec's link runs it");

    // 5c. A plan for 贵阳市: a goal, a target for 南明's population and a
    //     project; the target's status shows; the PDF carries the Chinese.
    browser.go(&format!("{url}/plans"));
    browser.wait_for_text("h1", "Development plans");
    // The demo's sample plan is listed, so the form starts folded.
    assert!(browser.text("main").contains("七星关区巩固拓展脱贫攻坚成果规划（示例）"));
    browser.click("details.create-plan summary");
    browser.type_into("#title", "贵阳市振兴发展规划");
    browser.type_into("#region", "520100");
    browser.type_into("#scope", "520100");
    browser.type_into("#office", "贵阳市发展改革委");
    browser.click("#create-plan");
    browser.wait_for_text("h1", "贵阳市振兴发展规划");
    browser.click("details.add-goal summary");
    browser.type_into("#goal-title", "人口与城镇化");
    browser.click("#add-goal");
    browser.wait_for_text("main", "人口与城镇化");
    // 1,000,000 (2015) → 1,100,000 (2025) expects 1,050,000 by 2020; the
    // census counted 1,047,792: 95.6% of the change, on track.
    browser.click("details.add-target summary");
    for (field, value) in [
        ("#target-indicator", "pop_total"),
        ("#target-region", "520102"),
        ("#baseline_year", "2015"),
        ("#baseline", "1000000"),
        ("#target_year", "2025"),
        ("#target-value", "1100000"),
    ] {
        browser.type_into(field, value);
    }
    browser.click("#add-target");
    browser.wait_for_text("table.targets", "on track");
    browser.click("details.add-project summary");
    browser.type_into("#project-code", "P001");
    browser.type_into("#project-name", "南明区城乡供水一体化工程");
    browser.type_into("#project-region", "520102");
    browser.script(
        "document.querySelector('#project-start').value = '2026-03-01'; \
         document.querySelector('#project-end').value = '2028-12-31'; return true",
    );
    browser.type_into("#budget_central_budget", "50000000");
    browser.click("#add-project");
    browser.wait_for_text(".projects-table", "P001");
    assert!(browser.script("return document.querySelector('.plan-map svg') !== null").as_bool().unwrap(), "mapped");
    browser.screenshot("5c-plan");
    let pdf = browser.script(&format!(
        "const plan = location.pathname; return fetch('{url}' + plan + '/document.pdf').then(r => r.arrayBuffer()).then(b => {{ \
         const a = new Uint8Array(b); let s = ''; for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); }})"
    ));
    let pdf = decode_base64(pdf.as_str().unwrap());
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    // The page is in English by now, and so is the document around the Chinese names.
    check_pdf(&pdf, &["贵阳市振兴发展规划", "Contents", "南明区城乡供水一体化工程", "on track", "Five-year plan"]);

    // 5e. Ecological compensation (issue 19): the demo's Xin'an agreement
    //     warns that 2020's running P nears 1; the year is settled with every
    //     step, its statement printed, its payment recorded; ESV is mapped.
    browser.go(&format!("{url}/eco"));
    browser.wait_for_text("h1", "Ecological compensation");
    assert!(browser.text(".eco-agreements").contains("赤水河流域横向生态补偿（示例）"));
    browser.click(".eco-agreements tbody tr:first-child a");
    browser.wait_for_text("h1", "新安江流域上下游横向生态补偿（示例）");
    let running = browser.text("#running");
    assert!(running.contains("2020") && running.contains("Alert: P is close to 1"), "{running}");
    assert!(
        browser.script("return document.querySelectorAll('.map svg .marker').length").as_u64() == Some(1),
        "街口 on the map"
    );
    assert_eq!(browser.script("return document.querySelector('#settle-year').value").as_str(), Some("2020"));
    browser.click("#settle");
    let settled = browser.wait_for_text("#settlement-2020", "P = k0 × Σ = 0.9 ×");
    assert!(settled.contains("met (P ≤ 1)") && settled.contains("浙江省 → 安徽省: 20,000.00 万元"), "{settled}");
    browser.screenshot("5e-eco-settlement");
    let pdf = browser.script(&format!(
        "return fetch('{url}' + location.pathname + '/statements/2020.pdf').then(r => r.arrayBuffer()).then(b => {{ \
         const a = new Uint8Array(b); let s = ''; for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); }})"
    ));
    check_pdf(
        &decode_base64(pdf.as_str().unwrap()),
        &["Joint-sampling tolerance", "街口", "the basic standard is met"],
    );
    // The new payment (the ledger's last row) is recorded as paid.
    let form = browser
        .script("const f = [...document.querySelectorAll('form[id^=payment-form-]')].pop(); return f.id")
        .as_str()
        .unwrap()
        .to_string();
    let id = form.trim_start_matches("payment-form-").to_string();
    browser.click(&format!("tr:has(#{form}) summary"));
    browser.click(&format!("#status-{id} option[value=paid]"));
    browser.script(&format!("document.querySelector('#paid-on-{id}').value = '2021-06-30'; return true"));
    browser.type_into(&format!("#reference-{id}"), "财预〔2021〕1号");
    browser.click(&format!("#record-payment-{id}"));
    browser.wait_for_text(&format!("#payment-{id}"), "paid");
    // ESV of the demo counties, mapped, with the 1/7 rule's equivalent.
    browser.go(&format!("{url}/eco/esv"));
    browser.wait_for_text("#standard-equivalent", "1498.58");
    assert!(browser.script("return document.querySelector('.map svg') !== null").as_bool().unwrap(), "mapped");
    let rows = browser.script("return document.querySelectorAll('.eco-esv tbody tr').length").as_u64().unwrap();
    assert_eq!(rows, 12, "six counties in two years");
    browser.screenshot("5e-esv");

    // 5f. Pairing assistance (issue 18): the 2022 ledger of the demo's
    //     synthetic deliveries, a donor short of the county norm, the flow
    //     map; then the evidence brief on Xinjiang and its PDF.
    browser.go(&format!("{url}/pairing?year=2022"));
    browser.wait_for_text("h1", "Pairing assistance ledger");
    let rows = browser.script("return document.querySelectorAll('.pairing-ledger tbody tr').length").as_u64().unwrap();
    assert!(rows > 40, "the demo's Xinjiang and Tibet pairings: {rows}");
    assert!(browser.text(".pairing-ledger tbody").contains("0.5% ×"), "the basis of each obligation");
    assert!(browser.text(".pairing-ledger tbody").contains("no"), "a donor short of the norms is flagged");
    assert!(
        browser.script("return document.querySelectorAll('#flow-map svg .link').length").as_u64().unwrap() > 40,
        "flows mapped"
    );
    browser.screenshot("5f-pairing-ledger");
    browser.go(&format!("{url}/brief"));
    browser.type_into("#region", "650000");
    browser.script("document.querySelector('#year').value = '2022'; return true");
    browser.click("#make-brief");
    let brief = browser.wait_for_text("#brief-heading", "Evidence brief");
    assert!(brief.contains("Xinjiang") || brief.contains("新疆"), "{brief}");
    assert!(browser.text(".brief-recommendations").len() > 10, "recommendations by the thresholds");
    assert!(browser.text(".brief-assistance tfoot").contains("Total"), "the assistance received, added up");
    browser.screenshot("5f-brief");
    let pdf = browser.script(&format!(
        "return fetch('{url}/brief.pdf?' + document.querySelector('#brief-pdf').href.split('?')[1]).then(r => r.arrayBuffer()).then(b => {{ \
         const a = new Uint8Array(b); let s = ''; for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); }})"
    ));
    check_pdf(
        &decode_base64(pdf.as_str().unwrap()),
        &["evidence brief", "Methods and sources", "Pairing assistance received"],
    );

    // 5g. Post-disaster recovery (issue 21): the demo's example earthquake,
    //     assessed by group, a central fund shared over its counties, its
    //     counterparts in the ledger and its report.
    browser.go(&format!("{url}/disasters"));
    browser.wait_for_text("h1", "Post-disaster recovery");
    browser.click(".disasters tbody tr:first-child a");
    browser.wait_for_text("h1", "示例地震（合成数据）");
    assert_eq!(browser.script("return document.querySelectorAll('.by-county tbody tr').length").as_u64(), Some(6));
    browser.type_into("#total_wan", "100000");
    browser.click("#share-fund");
    let fund = browser.wait_for_text(".disaster-fund", "汶川县");
    assert!(
        fund.contains("100000")
            || browser.script("return document.querySelectorAll('.disaster-fund tbody tr').length").as_u64() == Some(6),
        "{fund}"
    );
    browser.screenshot("5g-disaster");
    let pdf = browser.script(&format!(
        "return fetch('{url}' + location.pathname + '/report.pdf').then(r => r.arrayBuffer()).then(b => {{ \
         const a = new Uint8Array(b); let s = ''; for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]); return btoa(s); }})"
    ));
    check_pdf(
        &decode_base64(pdf.as_str().unwrap()),
        &["damage, losses and needs assessment", "By sector group", "汶川县"],
    );

    // 5h. Coal-mining subsidence and resource-based cities (issue 20): the
    //     registry's map, an area's houses by grade and progress; a city's
    //     transformation dashboard against its plan's targets.
    browser.go(&format!("{url}/subsidence"));
    browser.wait_for_text("h1", "Coal-mining subsidence areas");
    assert!(browser.script("return document.querySelectorAll('#subsidence-map svg path').length").as_u64() >= Some(2));
    browser.click(".subsidence-areas tbody tr:first-child a");
    browser.wait_for_text("h1", "SX-YG-01");
    let inside = browser.text("#villages-inside");
    assert_eq!(inside.trim(), "2", "two of the example villages lie inside");
    let grades = browser.text(".houses-by-grade tbody");
    let houses: u64 = grades.split_whitespace().filter_map(|w| w.parse::<u64>().ok()).sum();
    assert_eq!(houses, 60, "every example house graded: {grades}");
    assert!(browser.text(".subsidence-progress").contains('%'));
    browser.screenshot("5h-subsidence-area");
    browser.go(&format!("{url}/resource-cities"));
    browser.wait_for_text("h1", "Resource-based cities");
    assert!(browser.script("return document.querySelectorAll('.rc-cities tbody tr').length").as_u64() >= Some(24));
    browser.go(&format!("{url}/resource-cities/140200"));
    let dashboard = browser.wait_for_text("main", "Transformation dashboard");
    assert!(dashboard.contains("大同市资源型城市转型发展规划"), "the plan's targets: {dashboard}");
    browser.screenshot("5h-resource-city");

    // 5i. Relocation and work-relief (issue 17): the follow-up KPIs by site,
    //     the optimiser over the example villages, the 29.9% project flagged.
    browser.go(&format!("{url}/relocation?year=2024"));
    browser.wait_for_text("h1", "Relocation and follow-up support");
    assert_eq!(
        browser.script("return document.querySelectorAll('.relocation-sites tbody tr').length").as_u64(),
        Some(4)
    );
    assert!(browser.text(".unemployed").contains("DEMO-"), "labour households with nobody employed are listed");
    assert_eq!(
        browser.script("return document.querySelectorAll('.relocation-map svg g.marker').length").as_u64(),
        Some(4),
        "every site on the map"
    );
    assert!(
        browser.script("return document.querySelectorAll('.relocation-counties tbody tr').length").as_u64() >= Some(1)
    );
    browser.screenshot("5i-relocation-follow-up");
    browser.click("#assign-link");
    browser.wait_for_text("h1", "Site assignment optimiser");
    browser.type_into("#as-county", "520502");
    browser.click("#run-assign");
    let placed = browser.wait_for_text("#placed", "1");
    assert_eq!(placed.trim(), "1750", "every example village's households placed");
    assert!(
        browser
            .script("return document.querySelectorAll('#assign-map svg line, #assign-map svg path').length")
            .as_u64()
            > Some(0)
    );
    browser.screenshot("5i-relocation-assign");
    browser.go(&format!("{url}/work-relief"));
    browser.wait_for_text("h1", "Work-relief");
    let projects = browser.text(".relief-projects");
    assert!(projects.contains("QXG-2024-02") && projects.contains("remuneration share below"), "{projects}");
    assert!(
        browser.script("return document.querySelectorAll('.relief-map svg g.marker').length").as_u64() >= Some(2),
        "the projects on the map"
    );
    browser.screenshot("5i-work-relief");

    // 5j. Small-area estimation (issue 22): the demo's Fay–Herriot spec, then
    //     the census EBP from a survey and a census uploaded together.
    browser.go(&format!("{url}/sae"));
    browser.wait_for_text("h1", "Small-area estimation");
    browser.click("#run-sae");
    browser.wait_for_text(".sae-results", "intercept");
    assert!(browser.script("return document.querySelectorAll('.sae-areas tbody tr').length").as_u64() >= Some(5));
    browser.screenshot("5j-sae-fh");
    // The shipped synthetic example: the demo's 88 counties of Guizhou.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/examples/sae-ebp").canonicalize().unwrap();
    let (sample, census) = (examples.join("sample.csv"), examples.join("census.csv"));
    browser.go(&format!("{url}/sae/ebp"));
    browser.wait_for_text("h1", "census EBP");
    browser.type_into("#ebp-sample", sample.to_str().unwrap());
    browser.type_into("#ebp-population", census.to_str().unwrap());
    browser.script(
        "document.querySelector('#ebp-z').value = '6000'; document.querySelector('#ebp-b').value = '10'; return true",
    );
    browser.click("#run-ebp");
    browser.wait_for_text("#ebp-results", "σe²");
    assert_eq!(browser.script("return document.querySelectorAll('.ebp-domains tbody tr').length").as_u64(), Some(88));
    assert!(browser.text(".ebp-domains").contains("威宁彝族回族苗族自治县"), "the domains are named");
    assert!(browser.script("return document.querySelector('#ebp-map svg') !== null").as_bool().unwrap(), "mapped");
    browser.screenshot("5j-sae-ebp");

    // 6. A county user sees only its county: on the map, in search, by URL.
    browser.click("#log-out");
    browser.wait_for_text("h1", "Log in");
    browser.type_into("#name", "nanming_clerk");
    browser.type_into("#password", "county-data-entry");
    browser.click("#log-in");
    browser.wait_for_text("h1", "county");
    let regions =
        browser.script("return Array.from(document.querySelectorAll('#map a.region')).map(a => a.dataset.code)");
    assert_eq!(regions, serde_json::json!(["520102"]), "only 南明区 on the map");
    browser.screenshot("6-county-user-map");
    browser.go(&format!("{url}/regions?q=%E4%BA%91%E5%B2%A9"));
    browser.wait_for_text("main", "No region matches");
    let status = browser.script(&format!("return fetch('{url}/regions/520103').then(r => r.status)"));
    assert_eq!(status.as_u64(), Some(403));
    browser.go(&format!("{url}/regions/520103"));
    browser.wait_for_text("h1", "");
    browser.screenshot("7-forbidden");

    // 8. The county clerk imports households, finds the flagged one, follows
    //    it through verification and approval, and sees it among the alerts.
    let households = dir.path().join("households.csv");
    std::fs::write(
        &households,
        "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
         d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins,head_name,id_number\n\
         A1,520102001001,4,1,4800,9000,0,0,0,0,0,0,0,0,0,0,0,1,0,0,王五,520102198001011234\n\
         A2,520102001002,3,2,15000,14000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,赵六,520102197502020022\n",
    )
    .unwrap();
    browser.go(&format!("{url}/import"));
    browser.click("select[name=kind] option[value='households']");
    browser.type_into("#file", households.to_str().unwrap());
    browser.click("#check-file");
    browser.wait_for_text("main", "2");
    browser.click("#confirm-import");
    browser.wait_for_text("main", "Imported");
    browser.go(&format!("{url}/monitoring"));
    browser.wait_for_text("#alerts", "A1");
    assert!(!browser.text("#alerts").contains("A2"), "A2 is not flagged");
    assert!(browser.script("return document.querySelector('.m0-map svg') !== null").as_bool().unwrap(), "M0 is mapped");
    browser.click("#alerts a[href='/households/A1']");
    browser.wait_for_text("h1", "A1");
    assert!(browser.text("#id-number").contains("520102198001011234"), "the case worker sees the identifiers");
    browser.click("details.open-case summary");
    browser.script("document.querySelector('#open-case-form #on').value = '2026-09-01'; return true");
    browser.click("#open-case");
    browser.wait_for_text(".case .step", "identified");
    for (step, on, notice) in [
        ("verified", "2026-09-05", ""),
        ("consented", "2026-09-06", ""),
        ("appraised", "2026-09-08", "2026-09-14"),
        ("approved", "2026-09-20", ""),
    ] {
        browser.click(&format!(".move-form select[name=to] option[value='{step}']"));
        browser.script(&format!(
            "document.querySelector('.move-form input[name=on]').value = '{on}'; \
             document.querySelector('.move-form input[name=notice_end]').value = '{notice}'; return true"
        ));
        browser.click(".move-form button");
        browser.wait_for_text(".case .step", step);
    }
    browser.screenshot("8-case-approved");
    // The help given: a public-welfare post, recorded with the case.
    browser.type_into(".measure-form input[name=description]", "公益性岗位");
    browser.script("document.querySelector('.measure-form input[name=amount]').value = '6000'; return true");
    browser.click(".measure-form button");
    browser.wait_for_text("table.measures", "公益性岗位");
    // The clerk records income by source and the resettlement site, and
    // loads the members from a file (linked from the household page).
    browser.click("details.edit-household summary");
    for (field, value) in [
        ("income_wage", "9600"),
        ("income_business", "3000"),
        ("income_property", "0"),
        ("income_transfer", "6600"),
        ("relocation_site_input", "幸福社区"),
    ] {
        browser.type_into(&format!("#{field}"), value);
    }
    browser.click("#save-household");
    browser.wait_for_text("#relocation-site", "幸福社区");
    assert!(browser.text(".income-sources").contains("4800.00"), "19,200 yuan for 4 people");
    let members = dir.path().join("members.csv");
    std::fs::write(
        &members,
        "hh_id,seq,name,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n\
         A1,1,王五,男,1980,full,0,1,not_in_school,1\n\
         A1,2,李梅,女,1982,none,1,0,not_in_school,1\n\
         A1,3,王小,男,2012,none,0,0,compulsory,1\n\
         A1,4,王丽,女,2016,none,0,0,compulsory,1\n",
    )
    .unwrap();
    browser.click("main a[href='/import?kind=household_members']");
    browser.wait_for_text("h1", "Import");
    browser.type_into("#file", members.to_str().unwrap());
    browser.click("#check-file");
    browser.wait_for_text("main", "4");
    browser.click("#confirm-import");
    browser.wait_for_text("main", "Imported");
    browser.go(&format!("{url}/households/A1"));
    let listed = browser.wait_for_text("table.members", "李梅");
    assert!(listed.contains("unable to work"), "{listed}");
    browser.screenshot("8b-household-members");
    // Assistance is due a month after approval: the case is on the alerts list.
    browser.go(&format!("{url}/monitoring"));
    let alerts = browser.wait_for_text("#alerts .overdue", "assisted");
    assert!(alerts.contains("days late"), "{alerts}");
    browser.screenshot("9-alerts");
    browser.click("main a[href='/monitoring/lines']");
    browser.wait_for_text("h1", "Monitoring lines");
    assert!(browser.script("return document.querySelector('#line-form') !== null").as_bool().unwrap());
    // The home page of a user in scope carries the alerts too.
    browser.go(&format!("{url}/"));
    browser.wait_for_text("#home-alerts", "A1");

    // 9. A clerk of another county cannot see the household.
    browser.click("#log-out");
    browser.wait_for_text("h1", "Log in");
    browser.type_into("#name", "yunyan_clerk");
    browser.type_into("#password", "another-county-entry");
    browser.click("#log-in");
    browser.wait_for_text("h1", "county");
    let status = browser.script(&format!("return fetch('{url}/households/A1').then(r => r.status)"));
    assert_eq!(status.as_u64(), Some(403));
    browser.go(&format!("{url}/monitoring"));
    assert!(!browser.wait_for_text("#alerts", "Flagged").contains("A1"));
}
