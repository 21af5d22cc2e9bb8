use std::collections::HashSet;

use revita_app::designate::DesignationSpec;

use super::*;

/// Two years of urbanisation (higher is better) and illiteracy (lower is
/// better) for the three Guizhou counties; 七星关区 lacks illiteracy in 2019.
async fn two_years(app: &App, files: &Files) {
    guizhou(app, files).await;
    let extra = "code,name_zh,name_en,unit,direction,aggregation,weight_indicator\n\
        illiteracy_pct,文盲率,Illiteracy rate,%,lower_is_better,none,\n";
    app.import_indicators(&files.write("more.csv", extra), &FileImport::default()).await.unwrap();
    let text = "region_code,indicator,period,value\n\
        520102,urbanization_rate_pct,2019,78\n520102,urbanization_rate_pct,2020,82\n\
        520103,urbanization_rate_pct,2019,60\n520103,urbanization_rate_pct,2020,60\n\
        520502,urbanization_rate_pct,2019,40\n520502,urbanization_rate_pct,2020,40\n\
        520102,illiteracy_pct,2019,2\n520102,illiteracy_pct,2020,2\n\
        520103,illiteracy_pct,2019,5\n520103,illiteracy_pct,2020,3\n\
        520502,illiteracy_pct,2020,6\n";
    import_obs(app, &files.write("obs.csv", text)).await.unwrap();
}

fn spec(method: &str) -> DesignationSpec {
    DesignationSpec::from_json(&format!(
        r#"{{"name": "test", "universe": {{"level": "county", "within": "520000"}}, "years": 2,
            "indicators": [{{"code": "urbanization_rate_pct"}}, {{"code": "illiteracy_pct"}}],
            "method": {method}}}"#
    ))
    .unwrap()
}

both_backends!(index_and_rank_by_hand, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let spec =
        spec(r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}"#);
    let run = app.designate(&spec, 2020, &None).await.unwrap();
    // Two-year means: urbanisation 80 / 60 / 40 (reference 60); illiteracy
    // 2 / 4 / — (reference 3). 南明: (60/80·100 + 2/3·100)/2 = 70.83;
    // 云岩: (60/60·100 + 4/3·100)/2 = 116.67, so 云岩 ranks 1 (worst) at
    // position 0 < .5, lagging; 南明 at position .5, other. 七星关 lacks 2019.
    assert_eq!(run.references, [60.0, 3.0]);
    let lines: Vec<_> = run.rows.iter().map(|r| (r.code.as_str(), r.rank, r.class.as_str())).collect();
    assert_eq!(lines, [("520103", Some(1), "lagging"), ("520102", Some(2), "other")]);
    assert!((run.rows[0].index.unwrap() - 350.0 / 3.0).abs() < 1e-9);
    assert!((run.rows[1].index.unwrap() - 425.0 / 6.0).abs() < 1e-9);
    assert_eq!(run.excluded.len(), 1);
    assert_eq!(run.excluded[0].code, "520502");
    assert!(run.excluded[0].reason.contains("illiteracy_pct"), "{}", run.excluded[0].reason);
    let csv = String::from_utf8(run.table(revita_app::export::ExportFormat::Csv).unwrap()).unwrap();
    assert!(csv.starts_with("code,name,urbanization_rate_pct,illiteracy_pct,urbanization_rate_pct_ratio"), "{csv}");
    assert!(csv.contains("520502,七星关区,,,,,,,excluded,"), "{csv}");
});

both_backends!(a_rule_decided_by_known_values_needs_no_missing_one, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    // Urbanisation ≤ 90% of 60 (54) or illiteracy ≥ 120% of 3 (3.6).
    let spec = spec(
        r#"{"kind": "rule", "rule": {"any": [
            {"at_most": {"indicator": "urbanization_rate_pct", "share": 0.9}},
            {"at_least": {"indicator": "illiteracy_pct", "share": 1.2}}]}}"#,
    );
    let run = app.designate(&spec, 2020, &None).await.unwrap();
    let lines: Vec<_> = run.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    // 七星关 lacks illiteracy but 40 ≤ 54 decides the OR.
    assert_eq!(lines, [("520102", "not designated"), ("520103", "designated"), ("520502", "designated")]);
    assert!(run.excluded.is_empty());
    // With AND the missing value matters, and the region is excluded, not passed.
    let spec = spec_with_all();
    let run = app.designate(&spec, 2020, &None).await.unwrap();
    assert_eq!(run.excluded.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["520502"]);
});

both_backends!(a_zero_with_no_ratio_excludes_the_region_not_the_run, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let zero = "region_code,indicator,period,value\n520102,illiteracy_pct,2019,0\n520102,illiteracy_pct,2020,0\n";
    let replace = ObservationImport { replace: true, ..Default::default() };
    app.import_observations(&files.write("zero.csv", zero), &replace, &|_| {}).await.unwrap();
    let spec = spec(r#"{"kind": "index", "bands": [{"upper": 1.0, "label": "all"}]}"#);
    let run = app.designate(&spec, 2020, &None).await.unwrap();
    assert_eq!(run.rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["520103"]);
    let zero = run.excluded.iter().find(|e| e.code == "520102").expect("南明 is excluded");
    assert!(zero.reason.contains("undefined"), "{}", zero.reason);
});

fn spec_with_all() -> DesignationSpec {
    spec(
        r#"{"kind": "rule", "rule": {"all": [
            {"at_most": {"indicator": "urbanization_rate_pct", "share": 0.9}},
            {"at_least": {"indicator": "illiteracy_pct", "share": 1.2}}]}}"#,
    )
}

both_backends!(a_run_covers_only_the_regions_the_viewer_may_read, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let visible: Option<HashSet<RegionCode>> = Some([code("520100"), code("520102"), code("520103")].into());
    let run = app.designate(&spec_with_all(), 2020, &visible).await.unwrap();
    let seen: Vec<&str> =
        run.rows.iter().map(|r| r.code.as_str()).chain(run.excluded.iter().map(|e| e.code.as_str())).collect();
    assert_eq!(seen, ["520102", "520103"]);
});

#[test]
fn bad_specs_are_refused_with_the_reason() {
    let error = |text: &str| DesignationSpec::from_json(text).unwrap_err().to_string();
    assert!(error(r#"{"name": "x"}"#).contains("missing field"), "{}", error(r#"{"name": "x"}"#));
    let base = r#""name": "x", "universe": {"level": "county"}, "indicators": [{"code": "a"}]"#;
    let bands = format!(r#"{{{base}, "method": {{"kind": "index", "bands": [{{"upper": 0.5, "label": "a"}}]}}}}"#);
    assert!(error(&bands).contains("last must end at 1.0"), "{}", error(&bands));
    let unknown = format!(r#"{{{base}, "colour": "red", "method": {{"kind": "index", "bands": []}}}}"#);
    assert!(error(&unknown).contains("unknown field `colour`"), "{}", error(&unknown));
    let rule = |rule: &str| format!(r#"{{{base}, "method": {{"kind": "rule", "rule": {rule}}}}}"#);
    let unknown_indicator = rule(r#"{"at_most": {"indicator": "b", "share": 0.75}}"#);
    assert!(error(&unknown_indicator).contains("names b, which is not among"), "{}", error(&unknown_indicator));
    let negative = rule(r#"{"at_most": {"indicator": "a", "share": -1}}"#);
    assert!(error(&negative).contains("must be a positive number"), "{}", error(&negative));
    assert!(error(&rule(r#"{"any": []}"#)).contains("at least one rule"));
    let too_many = rule(r#"{"k_of_n": {"k": 2, "rules": [{"at_least": {"indicator": "a", "share": 1}}]}}"#);
    assert!(error(&too_many).contains("asks for 2 of only 1"), "{}", error(&too_many));
    let years = format!(
        r#"{{{base}, "years": 2020, "method": {{"kind": "index", "bands": [{{"upper": 1.0, "label": "x"}}]}}}}"#
    );
    assert!(error(&years).contains("1 to 50 years"), "{}", error(&years));
}

#[test]
fn the_shipped_example_specs_parse() {
    for text in [
        include_str!("../../../../data/specs/education-lag-arc.json"),
        include_str!("../../../../data/specs/education-lag-rule.json"),
    ] {
        DesignationSpec::from_json(text).unwrap();
    }
}
