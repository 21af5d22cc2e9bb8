use std::collections::HashSet;

use revita_app::designate::{AsTable, DesignationSpec, FromJson};

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
    let run = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
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
    assert!(
        csv.starts_with("\u{feff}code,name,urbanization_rate_pct,illiteracy_pct,urbanization_rate_pct_ratio"),
        "{csv}"
    );
    assert!(csv.contains("520502,七星关区,,,,,,,,excluded,,,,lacks a value"), "{csv}");

    // Explanations, others held fixed. 云岩's parts: 100·(60/60)/2 = 50 and
    // 100·(4/3)/2 = 66.67. It stays the worst until its index falls below
    // 南明's 70.83: 45.83 away. Illiteracy alone does it at (100 + 100x/3)/2
    // = 70.83, x = 1.25 (−68.75%); urbanisation would need 720 (+1100%).
    let (yunyan, nanming) = (&run.rows[0].explanation, &run.rows[1].explanation);
    assert!((yunyan.contributions[0] - 50.0).abs() < 1e-9 && (yunyan.contributions[1] - 200.0 / 3.0).abs() < 1e-9);
    assert!((yunyan.boundary_distance.unwrap() - 275.0 / 6.0).abs() < 1e-6);
    let change = yunyan.nearest_change.as_ref().unwrap();
    assert_eq!((change.indicator.as_str(), change.class.as_str()), ("illiteracy_pct", "other"));
    assert!((change.to - 1.25).abs() < 1e-6 && (change.change_pct.unwrap() + 68.75).abs() < 1e-4);
    // 南明 becomes the worst when its index reaches 云岩's 116.67 (a tie ranks
    // both first): urbanisation 80 → 36 (−55%) beats illiteracy 2 → 4.75.
    let change = nanming.nearest_change.as_ref().unwrap();
    assert_eq!((change.indicator.as_str(), change.class.as_str()), ("urbanization_rate_pct", "lagging"));
    assert!((change.to - 36.0).abs() < 1e-6, "{change:?}");
    assert!(csv.contains("urbanization_rate_pct 80.000000 → 36.000000 (-55.0%): lagging"), "{csv}");
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
    let run = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    let lines: Vec<_> = run.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    // 七星关 lacks illiteracy but 40 ≤ 54 decides the OR.
    assert_eq!(lines, [("520102", "not designated"), ("520103", "designated"), ("520502", "designated")]);
    // The nearest flip: 南明 (80, 2) is designated at urbanisation 54
    // (−32.5%), sooner than at illiteracy 3.6 (+80%); 云岩 (60, 4) stops
    // being designated just below illiteracy 3.6 (−10%).
    let change = run.rows[0].explanation.nearest_change.as_ref().unwrap();
    assert_eq!(
        (change.indicator.as_str(), change.to, change.class.as_str()),
        ("urbanization_rate_pct", 54.0, "designated")
    );
    let change = run.rows[1].explanation.nearest_change.as_ref().unwrap();
    assert_eq!((change.indicator.as_str(), change.class.as_str()), ("illiteracy_pct", "not designated"));
    // Just below the line 1.2 × 3, by more than float rounding (issue 16).
    assert!(change.to < 3.6 && change.to > 3.6 - 1e-6, "just below the line 1.2 × 3: {}", change.to);
    assert!(run.excluded.is_empty());
    // With AND the missing value matters, and the region is excluded, not passed.
    let spec = spec_with_all();
    let run = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(run.excluded.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["520502"]);
});

both_backends!(a_zero_with_no_ratio_excludes_the_region_not_the_run, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let zero = "region_code,indicator,period,value\n520102,illiteracy_pct,2019,0\n520102,illiteracy_pct,2020,0\n";
    let replace = ObservationImport { replace: true, ..Default::default() };
    app.import_observations(&files.write("zero.csv", zero), &replace, &|_| {}).await.unwrap();
    let spec = spec(r#"{"kind": "index", "bands": [{"upper": 1.0, "label": "all"}]}"#);
    let run = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
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
    let visible = Jurisdiction::of_regions([code("520100"), code("520102"), code("520103")]);
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

/// The two-year fixture with 七星关's missing 2019 illiteracy filled in (6),
/// so three regions are complete: 南明 (80, 2), 云岩 (60, 4), 七星关 (40, 6).
async fn three_complete(app: &App, files: &Files) {
    two_years(app, files).await;
    let text = "region_code,indicator,period,value\n520502,illiteracy_pct,2019,6\n";
    import_obs(app, &files.write("fill.csv", text)).await.unwrap();
}

both_backends!(a_composite_index_by_hand, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    three_complete(&app, &files).await;
    // Min–max: urbanisation (higher better) 80/60/40 → 1, .5, 0; illiteracy
    // (lower better) 2/4/6 → 1, .5, 0. Equal weights: scores 1, .5, 0.
    // Worst first: 七星关 (0, lagging below .4), 云岩 (.5), 南明 (1).
    let run = app
        .designate(
            &spec(
                r#"{"kind": "composite", "weights": "equal",
                    "classes": {"thresholds": {"cuts": [0.4], "labels": ["lagging", "other"]}}}"#,
            ),
            2020,
            &Jurisdiction::everywhere(),
        )
        .await
        .unwrap();
    let lines: Vec<_> = run.rows.iter().map(|r| (r.code.as_str(), r.rank, r.index, r.class.as_str())).collect();
    assert_eq!(
        lines,
        [
            ("520502", Some(1), Some(0.0), "lagging"),
            ("520103", Some(2), Some(0.5), "other"),
            ("520102", Some(3), Some(1.0), "other")
        ]
    );
    assert_eq!(run.weights, [0.5, 0.5]);
    assert_eq!(run.rows[1].normalised, [0.5, 0.5]);
    // 云岩: parts .25 + .25; the cut .4 is .1 away; urbanisation alone
    // reaches it at .5·(x − 40)/40 + .25 = .4, x = 52 (−13.3%), illiteracy
    // only at 4.8 (+20%).
    let yunyan = &run.rows[1].explanation;
    assert_eq!(yunyan.contributions, [0.25, 0.25]);
    assert!((yunyan.boundary_distance.unwrap() - 0.1).abs() < 1e-9);
    let change = yunyan.nearest_change.as_ref().unwrap();
    assert_eq!((change.indicator.as_str(), change.class.as_str()), ("urbanization_rate_pct", "lagging"));
    assert!((change.to - 52.0).abs() < 1e-6, "{change:?}");
    let csv = String::from_utf8(run.table(revita_app::export::ExportFormat::Csv).unwrap()).unwrap();
    assert!(csv.contains("urbanization_rate_pct_normalised,illiteracy_pct_normalised,index,rank,percentile"), "{csv}");

    // AHP [[1, 3], [1/3, 1]]: weights .75 and .25, consistent (n = 2).
    let ahp = app
        .designate(
            &spec(
                r#"{"kind": "composite", "weights": {"ahp": [[1, 3], [0.3333333333333333, 1]]},
                    "classes": {"quantiles": ["low", "mid", "high"]}}"#,
            ),
            2020,
            &Jurisdiction::everywhere(),
        )
        .await
        .unwrap();
    assert!((ahp.weights[0] - 0.75).abs() < 1e-9 && ahp.warnings.is_empty());
    assert!(ahp.consistency.as_ref().unwrap().cr.abs() < 1e-9);
    // Scores 0, .5, 1; quantile breaks 1/3, 2/3, 1: one region per class.
    let classes: Vec<_> = ahp.rows.iter().map(|r| r.class.as_str()).collect();
    assert_eq!(classes, ["low", "mid", "high"]);

    // TOPSIS with equal weights: 云岩 sits exactly between the ideal (南明)
    // and the anti-ideal (七星关) on both axes, so its closeness is 0.5.
    let topsis = app
        .designate(
            &spec(
                r#"{"kind": "composite", "weights": "equal", "score": "topsis",
                    "classes": {"natural_breaks": ["low", "high"]}}"#,
            ),
            2020,
            &Jurisdiction::everywhere(),
        )
        .await
        .unwrap();
    let scores: Vec<f64> = topsis.rows.iter().map(|r| r.index.unwrap()).collect();
    assert!((scores[0]).abs() < 1e-12 && (scores[1] - 0.5).abs() < 1e-12 && (scores[2] - 1.0).abs() < 1e-12);
    let shares: f64 = topsis.rows[1].explanation.contributions.iter().sum();
    assert!((shares - 1.0).abs() < 1e-12);
});

both_backends!(an_inconsistent_ahp_matrix_is_run_with_a_warning, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    three_complete(&app, &files).await;
    let extra = "code,name_zh,name_en,unit,direction,aggregation,weight_indicator\n\
        doctors_per_1000,每千人医生数,Doctors,per 1000,higher_is_better,none,\n";
    app.import_indicators(&files.write("doctors.csv", extra), &FileImport::default()).await.unwrap();
    let text = "region_code,indicator,period,value\n\
        520102,doctors_per_1000,2019,3\n520102,doctors_per_1000,2020,3\n\
        520103,doctors_per_1000,2019,2\n520103,doctors_per_1000,2020,2\n\
        520502,doctors_per_1000,2019,1\n520502,doctors_per_1000,2020,1\n";
    import_obs(&app, &files.write("doctors_obs.csv", text)).await.unwrap();
    // a12 = 9, a23 = 9 but a13 = 1/9: wildly intransitive.
    let spec = DesignationSpec::from_json(
        r#"{"name": "t", "universe": {"level": "county", "within": "520000"}, "years": 2,
            "indicators": [{"code": "urbanization_rate_pct"}, {"code": "illiteracy_pct"}, {"code": "doctors_per_1000"}],
            "method": {"kind": "composite", "weights": {"ahp": [[1, 9, 0.1111111111111111], [0.1111111111111111, 1, 9], [9, 0.1111111111111111, 1]]},
                       "classes": {"quantiles": ["low", "high"]}}}"#,
    )
    .unwrap();
    let run = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    let cr = run.consistency.as_ref().unwrap().cr;
    assert!(cr >= 0.1, "{cr}");
    assert!(run.warnings[0].contains("CR = ") && run.warnings[0].contains("≥ 0.1"), "{:?}", run.warnings);
    assert_eq!(run.rows.len(), 3);
});

#[test]
fn composite_specs_that_cannot_run_are_refused() {
    let refused = |method: &str| {
        let text = format!(
            r#"{{"name": "t", "universe": {{"level": "county"}}, "years": 1,
                "indicators": [{{"code": "a"}}, {{"code": "b"}}], "method": {method}}}"#
        );
        DesignationSpec::from_json(&text).unwrap_err().to_string()
    };
    let classes = r#""classes": {"quantiles": ["low", "high"]}"#;
    assert!(
        refused(&format!(r#"{{"kind": "composite", "weights": {{"manual": [0.5]}}, {classes}}}"#))
            .contains("2 indicators")
    );
    assert!(
        refused(&format!(r#"{{"kind": "composite", "weights": {{"manual": [0.5, 0.6]}}, {classes}}}"#))
            .contains("sum to 1")
    );
    assert!(
        refused(&format!(r#"{{"kind": "composite", "weights": {{"ahp": [[1, 2], [2, 1]]}}, {classes}}}"#))
            .contains("AHP")
    );
    assert!(
        refused(&format!(
            r#"{{"kind": "composite", "weights": "equal", "score": "topsis", "normalisation": "z_score", {classes}}}"#
        ))
        .contains("TOPSIS")
    );
    assert!(
        refused(r#"{"kind": "composite", "weights": "equal", "classes": {"thresholds": {"cuts": [0.5, 0.2], "labels": ["a", "b", "c"]}}}"#)
            .contains("rising cuts")
    );
    assert!(refused(r#"{"kind": "composite", "weights": "equal", "classes": {"quantiles": []}}"#).contains("label"));
}

both_backends!(missing_values_are_imputed_when_the_spec_says_so, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    // 七星关 lacks illiteracy in 2019; the universe mean of the known values
    // (2 and 4) is 3, the reference itself. Its index: urbanisation 60/40·100
    // = 150, illiteracy 3/3·100 = 100, mean 125: now the worst of three.
    let text = r#"{"name": "t", "universe": {"level": "county", "within": "520000"}, "years": 2, "missing": "mean",
        "indicators": [{"code": "urbanization_rate_pct"}, {"code": "illiteracy_pct"}],
        "method": {"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}}"#;
    let run =
        app.designate(&DesignationSpec::from_json(text).unwrap(), 2020, &Jurisdiction::everywhere()).await.unwrap();
    assert!(run.excluded.is_empty());
    let worst = &run.rows[0];
    assert_eq!((worst.code.as_str(), worst.imputed.as_slice()), ("520502", ["illiteracy_pct".to_string()].as_slice()));
    assert_eq!(worst.values, [40.0, 3.0]);
    assert!((worst.index.unwrap() - 125.0).abs() < 1e-9);
    assert!(run.rows[1].imputed.is_empty());
    let csv = String::from_utf8(run.table(revita_app::export::ExportFormat::Csv).unwrap()).unwrap();
    assert!(csv.contains(",illiteracy_pct,\n"), "the imputed column names it: {csv}");
});

both_backends!(observations_can_come_straight_from_a_file, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let extra = "code,name_zh,name_en,unit,direction,aggregation,weight_indicator\n\
        illiteracy_pct,文盲率,Illiteracy rate,%,lower_is_better,none,\n";
    app.import_indicators(&files.write("more.csv", extra), &FileImport::default()).await.unwrap();
    // The database holds no observations; the file holds two years.
    let text = "region_code,indicator,period,value\n\
        520102,urbanization_rate_pct,2019,78\n520102,urbanization_rate_pct,2020,82\n\
        520103,urbanization_rate_pct,2019,60\n520103,urbanization_rate_pct,2020,60\n\
        520102,illiteracy_pct,2019,2\n520102,illiteracy_pct,2020,2\n\
        520103,illiteracy_pct,2019,5\n520103,illiteracy_pct,2020,3\n";
    let file = files.write("survey.csv", text);
    let scratch = app.with_observation_files(&[file.as_path()]).await.unwrap();
    let spec =
        spec(r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}"#);
    let run = scratch.app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    let lines: Vec<_> = run.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    assert_eq!(lines, [("520103", "lagging"), ("520102", "other")]);
    assert_eq!(observation_count(&app).await, 0, "the database is not touched");

    let bad = files.write("bad.csv", "region_code,indicator,period,value\n520102,urbanization_rate_pct,2020,8x\n");
    let Err(error) = app.with_observation_files(&[bad.as_path()]).await else { panic!("a bad file is refused") };
    assert!(error.to_string().contains("row 2") && error.to_string().contains("'8x'"), "{error}");
});

both_backends!(two_runs_compare_region_by_region, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let index = app
        .designate(
            &spec(
                r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}"#,
            ),
            2020,
            &Jurisdiction::everywhere(),
        )
        .await
        .unwrap();
    let rule = app
        .designate(
            &spec(
                r#"{"kind": "rule", "rule": {"any": [
                    {"at_most": {"indicator": "urbanization_rate_pct", "share": 0.9}},
                    {"at_least": {"indicator": "illiteracy_pct", "share": 1.2}}]}}"#,
            ),
            2020,
            &Jurisdiction::everywhere(),
        )
        .await
        .unwrap();
    // Index: 云岩 lagging, 南明 other, 七星关 excluded. Rule: 云岩 and 七星关
    // designated, 南明 not.
    let comparison = index.compare(&rule);
    assert_eq!(comparison.from_classes, ["lagging", "other"]);
    assert_eq!(comparison.to_classes, ["designated", "not designated"]);
    assert_eq!(comparison.matrix, [[1, 0], [0, 1]]);
    assert_eq!(comparison.unmatched.len(), 1);
    assert_eq!((comparison.unmatched[0].code.as_str(), comparison.unmatched[0].from.as_deref()), ("520502", None));
    let csv = String::from_utf8(comparison.table(revita_app::export::ExportFormat::Csv).unwrap()).unwrap();
    assert!(!comparison.same_classes);
    assert!(csv.contains("520103,云岩区,lagging,designated,\n"), "different classes: no verdict {csv}");
    assert!(csv.contains("520502,七星关区,not classified,designated,yes\n"), "{csv}");
    // A run compared with itself changes nothing.
    let same = index.compare(&index);
    assert!(same.same_classes && same.regions.iter().all(|t| !t.changed()) && same.matrix == [[1, 0], [0, 1]]);
});

/// Previews a list and commits exactly what the preview showed, as
/// `approver` at time `now`.
async fn commit_list(
    app: &App,
    spec: &revita_app::designate::DesignationSpec,
    run: &revita_app::designate::DesignationRun,
    decision: &revita_app::designate::ListDecision,
    approver: &str,
    within: &Jurisdiction,
    now: i64,
) -> revita_app::AppResult<revita_app::designate::CommittedList> {
    let preview = app.preview_designation_list(run, decision, within).await?;
    let actor = revita_app::auth::Actor {
        user_id: 0,
        name: approver.into(),
        access: revita_methods::access::Access::default(),
        must_change_password: false,
    };
    let by = revita_app::auth::ChangeBy {
        actor: Some(actor),
        origin: revita_app::auth::Origin { now, ..Default::default() },
    };
    app.commit_designation_list(spec, run, decision, &by, within, &preview.fingerprint).await
}

both_backends!(a_run_is_committed_as_an_official_list_with_history, |store: DynStore| async move {
    use revita_app::designate::ListDecision;
    use revita_methods::Date;
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let index_spec =
        spec(r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}"#);
    let rule_spec = spec(
        r#"{"kind": "rule", "rule": {"any": [
            {"at_most": {"indicator": "urbanization_rate_pct", "share": 0.9}},
            {"at_least": {"indicator": "illiteracy_pct", "share": 1.2}}]}}"#,
    );
    let index = app.designate(&index_spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    let rule = app.designate(&rule_spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    let decision = |classes: &[&str], effective: &str, transition: Option<&str>| ListDecision {
        category: "custom:education_lag".into(),
        classes: classes.iter().map(|c| c.to_string()).collect(),
        basis_title: "关于认定教育薄弱县的通知".into(),
        basis_number: Some("黔教〔2021〕1号".into()),
        effective_from: Date::parse(effective).unwrap(),
        transition_until: transition.map(|t| Date::parse(t).unwrap()),
    };

    // A county user cannot commit a list that designates 云岩.
    let nanming: HashSet<RegionCode> = [code("520102")].into();
    let refused = commit_list(
        &app,
        &index_spec,
        &index,
        &decision(&["lagging"], "2021-01-01", None),
        "x",
        &Jurisdiction::of_regions(nanming),
        1,
    )
    .await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");

    // 1. The index run: 云岩 joins.
    let first = commit_list(
        &app,
        &index_spec,
        &index,
        &decision(&["lagging"], "2021-01-01", None),
        "gz_planner",
        &Jurisdiction::everywhere(),
        1,
    )
    .await
    .unwrap();
    assert_eq!((first.joining.as_slice(), first.leaving.len()), (["520103".to_string()].as_slice(), 0));
    // 2. The rule run from 2023: 云岩 stays, 七星关 joins.
    let second = commit_list(
        &app,
        &rule_spec,
        &rule,
        &decision(&["designated"], "2023-01-01", None),
        "gz_planner",
        &Jurisdiction::everywhere(),
        2,
    )
    .await
    .unwrap();
    assert_eq!((second.joining.as_slice(), second.members), (["520502".to_string()].as_slice(), 2));
    // 3. The index run again from 2025, with a year's transition: 七星关 leaves
    //    at the end of 2025.
    let third = commit_list(
        &app,
        &index_spec,
        &index,
        &decision(&["lagging"], "2025-01-01", Some("2025-12-31")),
        "gz_planner",
        &Jurisdiction::everywhere(),
        3,
    )
    .await
    .unwrap();
    // Issue 13: 七星关 was excluded from the index run (no 2019 data), so the
    // run says nothing about it: it keeps its designation.
    assert_eq!((third.joining.len(), third.leaving.len()), (0, 0));
    assert_eq!(
        (third.spec_sha256.as_str(), third.input_sha256.as_str()),
        (first.spec_sha256.as_str(), first.input_sha256.as_str())
    );
    assert_ne!(second.input_sha256, first.input_sha256);

    let history = app.test_store().designations_of(&code("520502")).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].valid_from, Some(Date::parse("2023-01-01").unwrap()));
    assert_eq!(history[0].valid_to, None);
    assert_eq!(history[0].class.as_deref(), Some("designated"));
    let table = app.designation_list_table(second.id, revita_app::export::ExportFormat::Csv).await.unwrap();
    let table = String::from_utf8(table).unwrap();
    assert!(table.contains(",520103,云岩区,designated,") && table.contains(",520502,七星关区,designated,"), "{table}");
    let lists = app.test_store().designation_lists(None).await.unwrap();
    assert_eq!(
        lists.iter().map(|l| (l.members, l.joining, l.leaving)).collect::<Vec<_>>(),
        [(1, 1, 0), (2, 1, 0), (1, 0, 0)]
    );
    assert_eq!(lists[0].approved_by, "gz_planner");
    assert!(lists[0].spec_json.contains("\"lagging\""));

    let bad = commit_list(
        &app,
        &index_spec,
        &index,
        &decision(&["severe"], "2021-01-01", None),
        "x",
        &Jurisdiction::everywhere(),
        4,
    )
    .await
    .unwrap_err();
    assert!(bad.to_string().contains("no class 'severe'"), "{bad}");
});

both_backends!(references_can_be_fixed_a_peer_group_or_weighted, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let pop = "region_code,indicator,period,value\n\
        520102,pop_total,2019,100\n520102,pop_total,2020,100\n520103,pop_total,2019,300\n520103,pop_total,2020,300\n";
    import_obs(&app, &files.write("pop.csv", pop)).await.unwrap();
    let run = |indicators: &str| {
        DesignationSpec::from_json(&format!(
            r#"{{"name": "t", "universe": {{"level": "county", "within": "520000"}}, "years": 2,
                "indicators": {indicators},
                "method": {{"kind": "rule", "rule": {{"any": [
                    {{"at_most": {{"indicator": "urbanization_rate_pct", "share": 0.9}}}},
                    {{"at_least": {{"indicator": "illiteracy_pct", "share": 1.2}}}}]}}}}}}"#
        ))
        .unwrap()
    };
    // Urbanisation against 贵阳市's counties only (80 and 60: 70, line 63);
    // illiteracy against a published rate of 2.5 (line 3.0).
    let spec = run(r#"[{"code": "urbanization_rate_pct", "reference": {"peer_group": "520100"}},
            {"code": "illiteracy_pct", "reference": {"fixed": 2.5}}]"#);
    let result = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(result.references, [70.0, 2.5]);
    let classes: Vec<_> = result.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    assert_eq!(classes, [("520102", "not designated"), ("520103", "designated"), ("520502", "designated")]);
    // Weighted by population: (80·100 + 60·300)/400 = 65; 七星关 has no
    // population and so no weight.
    let spec = run(
        r#"[{"code": "urbanization_rate_pct", "reference": {"weighted_by": "pop_total"}}, {"code": "illiteracy_pct"}]"#,
    );
    let result = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!(result.references, [65.0, 3.0]);
    let zero = DesignationSpec::from_json(
        r#"{"name": "t", "universe": {"level": "county"}, "indicators": [{"code": "x", "reference": {"fixed": 0}}],
            "method": {"kind": "index", "bands": [{"upper": 1.0, "label": "all"}]}}"#,
    );
    assert!(zero.unwrap_err().to_string().contains("non-zero"));
});

both_backends!(a_commit_ends_only_what_the_run_classified_and_shows_it_first, |store: DynStore| async move {
    // Issue 13: a Guizhou-only run committed into a national category ended
    // 280 designations elsewhere; a run with no classified region ended all.
    use revita_app::designate::ListDecision;
    use revita_methods::Date;
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let yunnan = "code,name_zh,name_en,level,parent_code\n530000,云南省,Yunnan,province,000000\n\
        530100,昆明市,,prefecture,530000\n530102,五华区,,county,530100\n";
    app.import_regions(&files.write("yn.csv", yunnan), &FileImport::default()).await.unwrap();
    let held = "region_code,category,basis_title,valid_from\n\
        530102,poverty_county,国开发〔2012〕,2012-01-01\n\
        520102,poverty_county,国开发〔2012〕,2012-01-01\n";
    app.import_designations(&files.write("held.csv", held), &FileImport::default()).await.unwrap();
    // The rule run over Guizhou for 2020 alone (references 60.7% and 3.7%):
    // only 七星关 (40%, 6%) is designated; 南明 and 云岩 are classified too.
    let rule_spec = spec(
        r#"{"kind": "rule", "rule": {"any": [
            {"at_most": {"indicator": "urbanization_rate_pct", "share": 0.9}},
            {"at_least": {"indicator": "illiteracy_pct", "share": 1.2}}]}}"#,
    );
    let years_one =
        DesignationSpec::from_json(&serde_json::to_string(&rule_spec).unwrap().replace("\"years\":2", "\"years\":1"))
            .unwrap();
    let rule = app.designate(&years_one, 2020, &Jurisdiction::everywhere()).await.unwrap();
    let decision = ListDecision {
        category: "poverty_county".into(),
        classes: vec!["designated".into()],
        basis_title: "黔府发〔2021〕".into(),
        basis_number: None,
        effective_from: Date::parse("2021-01-01").unwrap(),
        transition_until: None,
    };
    // A provincial planner commits within Guizhou into a category held nationwide.
    let guizhou: HashSet<RegionCode> =
        ["520000", "520100", "520102", "520103", "520500", "520502"].iter().map(|c| code(c)).collect();
    let preview =
        app.preview_designation_list(&rule, &decision, &Jurisdiction::of_regions(guizhou.clone())).await.unwrap();
    assert_eq!(preview.joining, ["520502"]);
    assert_eq!(preview.leaving, ["520102"]);
    assert!(preview.staying.is_empty());
    assert_eq!(preview.untouched, 1, "五华 lies outside the run");
    // A stale confirmation commits nothing.
    let stale = commit_list_confirmed(
        &app,
        &years_one,
        &rule,
        &decision,
        &Jurisdiction::of_regions(guizhou.clone()),
        "not-the-preview",
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    let committed = commit_list_confirmed(
        &app,
        &years_one,
        &rule,
        &decision,
        &Jurisdiction::of_regions(guizhou),
        &preview.fingerprint,
    )
    .await
    .unwrap();
    assert_eq!((committed.joining.len(), committed.leaving.len()), (1, 1));
    let wuhua = app.test_store().designations_of(&code("530102")).await.unwrap();
    assert_eq!(wuhua[0].valid_to, None, "outside the run: untouched");
    // The commit and its audit entry went together.
    let log = app.test_store().audit_log(&Default::default(), 5).await.unwrap();
    assert_eq!(log[0].action, "designation.commit");
    assert_eq!(log[0].region.as_deref(), Some("520000"));

    // A run that classifies nothing, or mostly excludes its universe, makes no list.
    let empty =
        DesignationSpec::from_json(&serde_json::to_string(&rule_spec).unwrap().replace("\"years\":2", "\"years\":9"))
            .unwrap();
    let none = app.designate(&empty, 2020, &Jurisdiction::everywhere()).await.unwrap();
    assert!(none.rows.is_empty());
    let refused = app.preview_designation_list(&none, &decision, &Jurisdiction::everywhere()).await.unwrap_err();
    assert!(refused.to_string().contains("classified no region"), "{refused}");
});

/// Commits a list with a given confirmation.
async fn commit_list_confirmed(
    app: &App,
    spec: &DesignationSpec,
    run: &revita_app::designate::DesignationRun,
    decision: &revita_app::designate::ListDecision,
    within: &Jurisdiction,
    confirm: &str,
) -> revita_app::AppResult<revita_app::designate::CommittedList> {
    let by = revita_app::auth::ChangeBy::default();
    app.commit_designation_list(spec, run, decision, &by, within, confirm).await
}

// Issue 16: a run for a year the data do not cover says so, naming the
// years there are.
both_backends!(a_run_for_a_year_without_data_says_which_years_have_it, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    two_years(&app, &files).await;
    let spec =
        spec(r#"{"kind": "index", "bands": [{"upper": 0.5, "label": "lagging"}, {"upper": 1.0, "label": "other"}]}"#);
    let run = app.designate(&spec, 2024, &Jurisdiction::everywhere()).await.unwrap();
    assert!(run.rows.is_empty());
    assert_eq!(run.warnings.len(), 2, "{:?}", run.warnings);
    assert_eq!(
        run.warnings[0],
        "urbanization_rate_pct has no value at the universe's level for every year of 2023–2024; it has data for 2019, 2020 (latest 2020)"
    );
    let run = app.designate(&spec, 2020, &Jurisdiction::everywhere()).await.unwrap();
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
});
