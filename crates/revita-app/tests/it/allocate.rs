//! Fund allocation by the factor method, checked by hand.

use calamine::Reader;
use revita_app::allocate::AllocationSpec;

use super::*;

/// 南明 100, 云岩 300, 七星关 600 people; revenue per head 400, 200, 100;
/// last year's fund 300k, 300k, 400k; 七星关 a key assistance county from 2021.
async fn fixture(app: &App, files: &Files) {
    guizhou(app, files).await;
    let indicators = "code,name_zh,name_en,unit,direction,aggregation,weight_indicator\n\
        revenue_per_head,人均财政收入,Revenue per head,yuan,higher_is_better,none,\n\
        fund,衔接资金,Fund,yuan,neutral,sum,\n";
    app.import_indicators(&files.write("ind.csv", indicators), &FileImport::default()).await.unwrap();
    let text = "region_code,indicator,period,value\n\
        520102,pop_total,2021,100\n520103,pop_total,2021,300\n520502,pop_total,2021,600\n\
        520102,revenue_per_head,2021,400\n520103,revenue_per_head,2021,200\n520502,revenue_per_head,2021,100\n\
        520102,fund,2020,300000\n520103,fund,2020,300000\n520502,fund,2020,400000\n";
    import_obs(app, &files.write("obs.csv", text)).await.unwrap();
    let designations =
        "region_code,category,basis_title,valid_from\n520502,key_assistance_county,重点帮扶县名单,2021-01-01\n";
    app.import_designations(&files.write("d.csv", designations), &FileImport::default()).await.unwrap();
}

fn spec(extra: &str) -> AllocationSpec {
    AllocationSpec::from_json(&format!(
        r#"{{"name": "Fund", "total": 1000000, "universe": {{"level": "county", "within": "520000"}},
            "factors": [
              {{"name": "population", "weight": 0.5, "indicator": "pop_total"}},
              {{"name": "key counties", "weight": 0.3, "indicator": "pop_total", "only_designated": "key_assistance_county"}},
              {{"name": "inverse capacity", "weight": 0.2, "inverse_capacity": {{"population": "pop_total", "per_head": "revenue_per_head"}}}}
            ]{extra}}}"#
    ))
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.01
}

both_backends!(the_factor_method_by_hand, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    fixture(&app, &files).await;
    // Population shares .1/.3/.6 of 500k: 50k, 150k, 300k. Key counties: all
    // 300k to 七星关. Inverse capacity: the average revenue per head is
    // (100·400 + 300·200 + 600·100)/1000 = 160, so F = 40, 240, 960 (sum
    // 1240), parts of 200k: 6,451.61, 38,709.68, 154,838.71.
    let plain = spec(r#", "rounding": 10000, "scenarios": [{"name": "population only", "weights": [1, 0, 0]}]"#);
    let run = app.allocate(&plain, 2021, &Jurisdiction::everywhere()).await.unwrap();
    let codes: Vec<&str> = run.rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["520102", "520103", "520502"]);
    let nanming = &run.rows[0];
    assert_eq!(nanming.factors, [100.0, 0.0, 40.0]);
    assert!(close(nanming.parts[0], 50_000.0) && close(nanming.parts[2], 6_451.61));
    assert!(close(nanming.formula, 56_451.61));
    assert!(close(run.rows[2].formula, 754_838.71));
    // Rounded to 10,000: 5.65 + 18.87 + 75.48 units, 98 whole; the 2 left go
    // to the largest remainders, 云岩's .87 and 南明's .65.
    let amounts: Vec<f64> = run.rows.iter().map(|r| r.amount).collect();
    assert_eq!(amounts, [60_000.0, 190_000.0, 750_000.0]);
    let scenario: Vec<f64> = run.rows.iter().map(|r| r.scenarios[0]).collect();
    assert_eq!(scenario, [100_000.0, 300_000.0, 600_000.0]);

    // At least 90% of last year (270k, 270k, 360k), at most +50%: 南明 and
    // 云岩 rise to 270k, 七星关 keeps the remaining 460k (+15%).
    let limited =
        spec(r#", "rounding": 10000, "previous": {"indicator": "fund"}, "floor_share": 0.9, "cap_growth": 0.5"#);
    let run = app.allocate(&limited, 2021, &Jurisdiction::everywhere()).await.unwrap();
    let amounts: Vec<f64> = run.rows.iter().map(|r| r.amount).collect();
    assert_eq!(amounts, [270_000.0, 270_000.0, 460_000.0]);
    assert_eq!(run.rows[0].floor, Some(270_000.0));
    assert_eq!(run.rows[2].cap, Some(600_000.0));
    assert!(close(run.rows[2].change_pct.unwrap(), 15.0));
    assert_eq!(amounts.iter().sum::<f64>(), 1_000_000.0);

    // The workbook keeps the working as formulas over the parameters sheet.
    let bytes = run.bytes(revita_app::export::ExportFormat::Xlsx).unwrap();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let formulas = book.worksheet_formula("allocation").unwrap();
    let texts: Vec<&String> = formulas.used_cells().map(|(_, _, f)| f).collect();
    assert!(texts.iter().any(|f| f.as_str() == "C2/SUM(C$2:C$4)"), "{texts:?}");
    assert!(texts.iter().any(|f| f.as_str() == "parameters!$B$2*parameters!$B$3*F2"), "{texts:?}");
    let values = book.worksheet_range("parameters").unwrap();
    assert_eq!(values.get_value((1, 1)), Some(&calamine::Data::Float(1_000_000.0)));
    let csv = String::from_utf8(run.bytes(revita_app::export::ExportFormat::Csv).unwrap()).unwrap();
    assert!(
        csv.starts_with("\u{feff}code,name,F: population,F: key counties,F: inverse capacity,share: population"),
        "{csv}"
    );
});

both_backends!(missing_values_are_excluded_or_zero_as_the_spec_says, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    fixture(&app, &files).await;
    // 2022: 云岩 has a population but no revenue per head.
    let more = "region_code,indicator,period,value\n\
        520102,pop_total,2022,100\n520502,pop_total,2022,600\n520103,pop_total,2022,300\n\
        520102,revenue_per_head,2022,400\n520502,revenue_per_head,2022,100\n";
    import_obs(&app, &files.write("2022.csv", more)).await.unwrap();
    let run = app.allocate(&spec(""), 2022, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(run.rows.len(), 2);
    assert_eq!(run.excluded[0].code, "520103");
    assert!(run.excluded[0].reason.contains("inverse capacity"), "{}", run.excluded[0].reason);
    let total: f64 = run.rows.iter().map(|r| r.amount).sum();
    assert!(close(total, 1_000_000.0));

    let run = app.allocate(&spec(r#", "missing": "zero""#), 2022, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(run.rows.len(), 3);
    assert_eq!(run.rows[1].factors[2], 0.0);
    assert!(run.notes[0].contains("0 taken for inverse capacity"), "{:?}", run.notes);
});

#[test]
fn allocation_specs_that_cannot_run_are_refused() {
    let refused = |body: &str| {
        AllocationSpec::from_json(&format!(
            r#"{{"name": "x", "total": 1000, "universe": {{"level": "county"}}, {body}}}"#
        ))
        .unwrap_err()
        .to_string()
    };
    let factor = r#""factors": [{"name": "p", "weight": 1, "indicator": "pop_total"}]"#;
    assert!(refused(r#""factors": [{"name": "p", "weight": 0.5, "indicator": "pop_total"}]"#).contains("sum to 1"));
    assert!(refused(r#""factors": [{"name": "p", "weight": 1}]"#).contains("exactly one of"));
    assert!(refused(&format!(r#"{factor}, "floor_share": 0.9"#)).contains("previous"));
    assert!(refused(&format!(r#"{factor}, "rounding": 300"#)).contains("whole number"));
    assert!(
        refused(&format!(r#"{factor}, "scenarios": [{{"name": "s", "weights": [0.5, 0.5]}}]"#)).contains("2 weights")
    );
    assert!(
        refused(r#""factors": [{"name": "p", "weight": 1, "indicator": "pop_total", "only_designated": "nowhere"}]"#)
            .contains("nowhere")
    );
}
