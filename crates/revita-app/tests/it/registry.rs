//! Members for many households at once: one pass over the registry instead
//! of a lookup per household, with the same answers.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::*;

both_backends!(a_members_file_for_many_households_is_checked_in_one_pass, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let mut households = String::from(
        "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
         d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins\n",
    );
    let mut members = String::from("hh_id,seq,sex,birth_year,labour,disabled,chronically_ill,schooling,insured\n");
    // 250 households in 南明, one in 云岩: more than the lookup threshold.
    for i in 0..251 {
        let village = if i < 250 { "520102001001" } else { "520103001001" };
        writeln!(households, "H{i:03},{village},1,1,8000,8000,0,0,0,0,0,0,0,0,0,0,0,0,0,0").unwrap();
        writeln!(members, "H{i:03},1,female,1970,full,0,0,not_in_school,1").unwrap();
    }
    writeln!(members, "NOBODY,1,male,1970,full,0,0,not_in_school,1").unwrap();
    app.import_households(&files.write("h.csv", &households), &FileImport::default()).await.unwrap();
    let path = files.write("m.csv", &members);
    let nanming: HashSet<RegionCode> = [code("520102")].into();
    let clerk = FileImport { within: Jurisdiction::of_regions(nanming), ..Default::default() };
    let problems = rejected(app.import_household_members(&path, &clerk, 2026).await);
    assert_eq!(problems.len(), 2, "云岩's household and the unknown one: {problems:?}");
    assert!(
        problems[0].contains("row 252") && problems[0].contains("H250 is not in the registry of your jurisdiction")
    );
    assert!(
        problems[1].contains("row 253") && problems[1].contains("NOBODY is not in the registry of your jurisdiction")
    );
    assert!(app.test_store().members("H000").await.unwrap().is_empty(), "nothing is written");
    let without_stranger: String =
        members.lines().filter(|l| !l.starts_with("NOBODY")).map(|l| format!("{l}\n")).collect();
    let report = app
        .import_household_members(&files.write("ok.csv", &without_stranger), &FileImport::default(), 2026)
        .await
        .unwrap();
    assert_eq!(report.records_written, 251);
    assert_eq!(app.test_store().members("H250").await.unwrap().len(), 1);
});

both_backends!(a_household_import_cannot_take_over_another_countys_household, |store: DynStore| async move {
    // Issue 13: the import checked only the new row's county, so a clerk
    // replaced another county's household by reusing its id.
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let header = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
         d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins\n";
    let flags = ",0,0,0,0,0,0,0,0,0,0,0";
    let yunyan = format!("{header}H-YY-1,520103001001,4,2,9000,9000,0,0,0{flags}\n");
    app.import_households(&files.write("yy.csv", &yunyan), &FileImport::default()).await.unwrap();
    let nanming: std::collections::HashSet<RegionCode> = [code("520102")].into();
    let options = FileImport { within: Jurisdiction::of_regions(nanming), ..Default::default() };
    let takeover = format!(
        "{header}H-NM-1,520102001001,3,1,8000,8000,0,0,0{flags}\nH-YY-1,520102001001,1,0,100,100,0,0,0{flags}\n"
    );
    for dry_run in [true, false] {
        let options = FileImport { dry_run, ..options.clone() };
        let problems = rejected(app.import_households(&files.write("nm.csv", &takeover), &options).await);
        assert_eq!(
            problems,
            [
                "nm.csv, row 3, column 'hh_id': household H-YY-1 is registered in county 520103, outside your jurisdiction; it cannot be replaced from here"
            ],
            "dry run {dry_run}"
        );
    }
    let stored = app.test_store().household("H-YY-1").await.unwrap().unwrap();
    assert_eq!(stored.household.village_code, 520_103_001_001, "云岩's household is untouched");
    assert!(app.test_store().household("H-NM-1").await.unwrap().is_none(), "all or nothing");
});
