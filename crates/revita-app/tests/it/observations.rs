use super::*;

both_backends!(long_files_load_and_report, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,indicator,period,value,source\n520102,pop_total,2020,100,census\n520103,pop_total,2020,300,census\n";
    let report = import_obs(&app, &files.write("o.csv", text)).await.unwrap();
    assert_eq!((report.rows_read, report.records_written, report.layout.as_deref()), (2, 2, Some("long")));
    assert_eq!(observation_count(&app).await, 2);
});

both_backends!(retired_codes_are_mapped_and_reported, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,indicator,period,value\n522401,pop_total,2010,1000\n522401000000,pop_total,2009,990\n";
    let report = import_obs(&app, &files.write("old.csv", text)).await.unwrap();
    assert_eq!(report.remapped_codes.len(), 2, "{report:?}");
    assert_eq!(report.remapped_codes[0].to, ["520502"]);
    let query = ObservationQuery { region: Some(code("520502")), ..Default::default() };
    assert_eq!(app.test_store().observations(&query, None, 10).await.unwrap().len(), 2);
    assert!(report.to_string().contains("retired code 522401 (retired 2011) mapped to 520502 in 1 row(s)"), "{report}");
});

both_backends!(bad_rows_are_all_reported_and_nothing_is_written, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,indicator,period,value\n\
        520102,pop_total,2020,100\n\
        529999,pop_total,2020,1\n\
        520102,gdp,2020,1\n\
        520103,pop_total,2020,12,5\n\
        520199,pop_total,2020,7\n";
    let problems = rejected(import_obs(&app, &files.write("bad.csv", text)).await);
    assert_eq!(
        problems[..3],
        [
            "bad.csv, row 3, column 'region_code': unknown region code 529999",
            "bad.csv, row 4, column 'indicator': indicator gdp is not defined; import its definition first",
            "bad.csv, row 5: the row has 5 fields but the header has 4 (is there an unquoted comma, e.g. a thousands separator?)",
        ]
    );
    assert!(
        problems[3]
            .starts_with("bad.csv, row 6, column 'region_code': retired code 520199 was split into 520102, 520103"),
        "{}",
        problems[3]
    );
    assert_eq!(observation_count(&app).await, 0);
});

both_backends!(a_key_repeated_in_the_file_names_both_rows, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,indicator,period,value\n520102,pop_total,2020,100\n520103,pop_total,2020,1\n520102,pop_total,2020,101\n";
    let problems = rejected(import_obs(&app, &files.write("dup.csv", text)).await);
    assert_eq!(problems, ["dup.csv, row 4: observation (pop_total, 520102, 2020) repeats row 2"]);
    assert_eq!(observation_count(&app).await, 0);
});

both_backends!(a_stored_key_needs_replace, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let first = files.write("a.csv", "region_code,indicator,period,value\n520102,pop_total,2020,100\n");
    import_obs(&app, &first).await.unwrap();
    let second = files
        .write("b.csv", "region_code,indicator,period,value\n520103,pop_total,2020,5\n520102,pop_total,2020,200\n");
    let problems = rejected(import_obs(&app, &second).await);
    assert_eq!(
        problems,
        [
            "b.csv, row 3: observation (pop_total, 520102, 2020) is already stored (stored value 100, this file 200); import replacing stored values (--replace) to overwrite it"
        ]
    );
    assert_eq!(observation_count(&app).await, 1);
    let replace = ObservationImport { replace: true, ..Default::default() };
    let report = app.import_observations(&second, &replace, &|_| {}).await.unwrap();
    assert_eq!(report.records_written, 2);
    let values: Vec<f64> = app
        .test_store()
        .observations(&ObservationQuery::default(), None, 10)
        .await
        .unwrap()
        .iter()
        .map(|o| o.value)
        .collect();
    assert_eq!(values, [200.0, 5.0]);
});

both_backends!(wrong_headers_and_empty_files_are_rejected_whole, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let cases = [
        ("empty.csv", "", "empty.csv: the file is empty (no header row)"),
        ("header.csv", "region_code,indicator,period,value\n", "header.csv: the file has a header but no data rows"),
        (
            "nohead.csv",
            "region,indic,year,val\n520102,pop_total,2020,1\n",
            "nohead.csv: no column is a defined indicator (indic, val) and there is no 'value' column …",
        ),
        (
            "wide.csv",
            "region_code,period,pop_total,gdp_pc\n520102,2020,1,2\n",
            "wide.csv: column(s) gdp_pc are not defined indicators; import their definitions first",
        ),
    ];
    for (name, text, expected) in cases {
        let problems = rejected(import_obs(&app, &files.write(name, text)).await);
        if let Some(prefix) = expected.strip_suffix(" …") {
            assert!(problems[0].starts_with(prefix), "{name}: {problems:?}");
        } else {
            assert_eq!(problems, [expected], "{name}");
        }
    }
    assert_eq!(observation_count(&app).await, 0);
});

both_backends!(gbk_files_are_decoded, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,indicator,period,value,source\n520102,pop_total,2020,100,第七次全国人口普查\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(text);
    let report = import_obs(&app, &files.write_bytes("gbk.csv", &gbk)).await.unwrap();
    assert_eq!(report.encoding, "GBK (GB 18030)");
    let stored = app.test_store().observations(&ObservationQuery::default(), None, 1).await.unwrap();
    assert_eq!(stored[0].source.as_deref(), Some("第七次全国人口普查"));
});

both_backends!(wide_files_by_year_and_dry_runs, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,name,indicator,2019,2020\n520102,南明区,pop_total,90,100\n520103,云岩区,pop_total,,300\n";
    let path = files.write("wide.csv", text);
    let dry = ObservationImport { dry_run: true, ..Default::default() };
    let report = app.import_observations(&path, &dry, &|_| {}).await.unwrap();
    assert_eq!(
        (report.records_valid, report.records_written, report.layout.as_deref()),
        (3, 0, Some("wide_by_period"))
    );
    assert_eq!(observation_count(&app).await, 0);
    assert_eq!(import_obs(&app, &path).await.unwrap().records_written, 3);
});

both_backends!(xlsx_files_import_like_csv, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let csv = files
        .write("o.csv", "region_code,indicator,period,value\n520102,pop_total,2020,100\n520103,pop_total,2020,300\n");
    import_obs(&app, &csv).await.unwrap();
    let xlsx = files.path("o.xlsx");
    app.export_observations(
        &ObservationQuery::default(),
        &xlsx,
        revita_ingest::export::ExportFormat::Xlsx,
        &Jurisdiction::everywhere(),
    )
    .await
    .unwrap();
    let replace = ObservationImport { replace: true, ..Default::default() };
    let report = app.import_observations(&xlsx, &replace, &|_| {}).await.unwrap();
    assert_eq!((report.rows_read, report.records_written), (2, 2));
});

both_backends!(exports_round_trip_through_the_importer, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let text = "region_code,indicator,period,value,source,status\n520102,pop_total,2020,100.25,\"a, b\",synthetic\n520103,pop_total,2020Q3,3e6,,\n";
    import_obs(&app, &files.write("o.csv", text)).await.unwrap();
    let before = app.test_store().observations(&ObservationQuery::default(), None, 10).await.unwrap();
    for (name, format) in [
        ("x.csv", revita_ingest::export::ExportFormat::Csv),
        ("x.parquet", revita_ingest::export::ExportFormat::Parquet),
    ] {
        let n = app
            .export_observations(&ObservationQuery::default(), &files.path(name), format, &Jurisdiction::everywhere())
            .await
            .unwrap();
        assert_eq!(n, 2, "{name}");
    }
    let replace = ObservationImport { replace: true, ..Default::default() };
    app.import_observations(&files.path("x.csv"), &replace, &|_| {}).await.unwrap();
    assert_eq!(app.test_store().observations(&ObservationQuery::default(), None, 10).await.unwrap(), before);
});

both_backends!(rollups_report_coverage, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    // 南明 100 people at 90%, 云岩 300 people at 50%: (90·100 + 50·300) / 400 = 60%.
    let text =
        "region_code,period,pop_total,urbanization_rate_pct\n520102,2020,100,90\n520103,2020,300,50\n520502,2020,,40\n";
    import_obs(&app, &files.write("w.csv", text)).await.unwrap();
    let guiyang =
        app.rollup(&code("520100"), "urbanization_rate_pct", "2020", None, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!((guiyang.value, guiyang.reported, guiyang.expected, guiyang.complete), (Some(60.0), 2, 2, true));
    // Province from counties: 七星关 has a rate but no population, so it cannot be weighted.
    let province = app
        .rollup(&code("520000"), "urbanization_rate_pct", "2020", Some("county"), &Jurisdiction::everywhere())
        .await
        .unwrap();
    assert_eq!((province.value, province.reported, province.expected, province.complete), (Some(60.0), 2, 3, false));
    let total =
        app.rollup(&code("520000"), "pop_total", "2020", Some("county"), &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!((total.value, total.reported, total.expected), (Some(400.0), 2, 3));
    let ratio = app.rollup(&code("520100"), "sex_ratio", "2020", None, &Jurisdiction::everywhere()).await.unwrap();
    assert_eq!((ratio.method.as_str(), ratio.value), ("none", None));
    // Someone who sees only 南明区 gets only 南明区's part of Guiyang.
    let nanming = Jurisdiction::of_regions([code("520102")]);
    let partial = app.rollup(&code("520100"), "pop_total", "2020", None, &nanming).await.unwrap();
    // Issue 13: it says that it covers only part of Guiyang (it said "1 of 1 children — complete").
    assert_eq!((partial.value, partial.reported, partial.expected, partial.stored_value), (Some(100.0), 1, 2, None));
    assert_eq!((partial.complete, partial.outside_jurisdiction, partial.children.len()), (false, 1, 1));
});

both_backends!(a_ten_million_row_file_streams_through, |store: DynStore| async move {
    // Slow: runs when REVITA_SLOW_TESTS is set (CI sets it).
    let rows: u64 = if std::env::var_os("REVITA_SLOW_TESTS").is_some() { 10_000_000 } else { 20_000 };
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    // Indicators × 3 counties × the 1,524 months from 1900-01 to 2026-12
    // (observations are for 1900 on) give unique keys: 100 indicators for
    // the quick run, 2,188 for ten million rows.
    const MONTHS: u64 = 1524;
    let indicators = rows.div_ceil(3 * MONTHS).max(100);
    let mut definitions = String::from("code,name_zh,unit,aggregation\n");
    for k in 0..indicators {
        definitions.push_str(&format!("ind_{k},指标{k},units,sum\n"));
    }
    app.import_indicators(&files.write("ind.csv", &definitions), &FileImport::default()).await.unwrap();
    let path = files.path("big.csv");
    {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(out, "region_code,indicator,period,value").unwrap();
        let counties = ["520102", "520103", "520502"];
        for i in 0..rows {
            let (indicator, j) = (i % indicators, i / indicators);
            let (county, p) = (counties[(j % 3) as usize], j / 3);
            writeln!(out, "{county},ind_{indicator},{}-{:02},{i}.5", 1900 + p / 12, p % 12 + 1).unwrap();
        }
    }
    let report = import_obs(&app, &path).await.unwrap();
    assert_eq!(report.records_written, rows);
    assert_eq!(app.test_store().inventory().await.unwrap().observations, rows as i64);
});

// Issue 16: one county reporting a new year early does not move the map's
// default period there; once most counties report it, it does.
both_backends!(a_map_defaults_to_the_latest_broadly_covered_period, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let counties = "region_code,indicator,period,value\n520102,pop_total,2020,1\n520103,pop_total,2020,2\n\
                    520502,pop_total,2020,3\n520102,pop_total,2024,4\n";
    import_obs(&app, &files.write("o.csv", counties)).await.unwrap();
    let period = |map: revita_app::maps::MapData| match map.theme {
        revita_app::maps::MapTheme::Indicator { period, .. } => period,
        _ => unreachable!(),
    };
    let map = app.indicator_map("county", None, "pop_total", None).await.unwrap();
    assert_eq!(period(map), "2020");
    // Within 520100 two of two counties report 2020, one 2024: half, so 2024.
    let map = app.indicator_map("county", Some(&code("520100")), "pop_total", None).await.unwrap();
    assert_eq!(period(map), "2024");
    let more = "region_code,indicator,period,value\n520103,pop_total,2024,5\n";
    import_obs(&app, &files.write("more.csv", more)).await.unwrap();
    let map = app.indicator_map("county", None, "pop_total", None).await.unwrap();
    assert_eq!(period(map), "2024");
});

// Issue 16: values outside an indicator's declared range, and periods no
// observation can be for, are refused with row and column; nothing is written.
both_backends!(values_outside_the_range_and_implausible_periods_are_refused, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let ranged = "code,name_zh,unit,aggregation,valid_min,valid_max\nshare_pct,比重,%,mean,0,100\n";
    app.import_indicators(&files.write("ranged.csv", ranged), &FileImport::default()).await.unwrap();
    let bad = "region_code,indicator,period,value\n520102,share_pct,2020,100\n520103,share_pct,2020,100.5\n\
               520102,share_pct,2999,50\n520103,share_pct,1020,50\n520102,pop_total,2020,-5\n";
    let problems = rejected(import_obs(&app, &files.write("bad.csv", bad)).await);
    assert_eq!(
        problems,
        [
            "bad.csv, row 3, column 'value': 100.5 is outside the range of share_pct (0–100 %)",
            "bad.csv, row 4, column 'period': period 2999 lies in the future (this is 2026); targets belong in a plan"
                .replace("2026", &revita_app::clock::this_year().to_string())
                .as_str(),
            "bad.csv, row 5, column 'period': period 1020 is before 1900: is the year mistyped?",
        ]
    );
    assert_eq!(observation_count(&app).await, 0);
    // A wide file names the indicator's own column.
    let wide = "region_code,period,share_pct\n520102,2020,-1\n";
    let problems = rejected(import_obs(&app, &files.write("wide.csv", wide)).await);
    assert_eq!(problems, ["wide.csv, row 2, column 'share_pct': -1 is outside the range of share_pct (0–100 %)"]);
    // A backwards range is refused where it is declared.
    let backwards = "code,name_zh,unit,valid_min,valid_max\nx_pct,比重,%,100,0\n";
    let problems =
        rejected(app.import_indicators(&files.write("backwards.csv", backwards), &FileImport::default()).await);
    assert_eq!(problems.len(), 1);
    assert!(problems[0].starts_with("backwards.csv, row 2, column 'valid_max':"), "{problems:?}");
});
