//! A monitoring case through the whole procedure, with every rule checked.

use revita_app::cases::{CaseActor, Move};
use revita_methods::Date;
use revita_methods::monitoring::{Category, Channel, IncomeCheck, Step, TimeLimit};

use super::*;

const HEADER: &str = "hh_id,village_code,size,labor,income_pc,income_pc_prev,medical_exp,education_exp,disaster_loss,\
d_nutrition,d_child_mortality,d_schooling,d_attendance,d_cooking,d_sanitation,d_water,d_electricity,d_housing,d_assets,d_health_ins";

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

both_backends!(a_case_runs_the_procedure_and_exits_after_six_stable_months, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let lines = "region_code,year,amount\n000000,2024,7000\n";
    app.import_monitoring_lines(&files.write("lines.csv", lines), &FileImport::default()).await.unwrap();
    let households = format!(
        "{HEADER}\nH1,520102001001,3,1,7500,9000,0,0,0,0,0,0,0,0,0,0,0,0,0,0\nH2,520102001002,2,0,5000,5200,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n"
    );
    app.import_households(&files.write("h.csv", &households), &FileImport::default()).await.unwrap();
    let nanming = Jurisdiction::of_regions([code("520102")]);
    let yunyan = Jurisdiction::of_regions([code("520103")]);
    let origin = revita_app::auth::Origin { now: 1, ..Default::default() };
    let clerk = CaseActor { name: "nanming_clerk", within: &nanming, origin: &origin };
    let stranger = CaseActor { name: "yunyan_clerk", within: &yunyan, origin: &origin };

    let refused =
        app.open_case(&stranger, "H1", Category::Marginal, Channel::DataScreening, day("2024-01-02"), None).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");
    let id = app
        .open_case(
            &clerk,
            "H1",
            Category::Marginal,
            Channel::DataScreening,
            day("2024-01-02"),
            Some("screening".into()),
        )
        .await
        .unwrap();
    assert!(matches!(app.case_with_events(&stranger, id).await, Err(AppError::Forbidden(_))));

    let step = |to, on: &str, version, notice_end: Option<&str>| Move {
        to,
        on: day(on),
        version,
        evidence: Some(format!("{to:?}")),
        notice_end: notice_end.map(day),
    };
    let skipped = app.move_case(&clerk, id, &step(Step::Approved, "2024-01-03", 1, None)).await.unwrap_err();
    assert!(skipped.to_string().contains("next: verified"), "{skipped}");
    app.move_case(&clerk, id, &step(Step::Verified, "2024-01-05", 1, None)).await.unwrap();
    app.move_case(&clerk, id, &step(Step::Consented, "2024-01-06", 2, None)).await.unwrap();
    let no_notice = app.move_case(&clerk, id, &step(Step::Appraised, "2024-01-08", 3, None)).await.unwrap_err();
    assert!(no_notice.to_string().contains("public notice"), "{no_notice}");
    app.move_case(&clerk, id, &step(Step::Appraised, "2024-01-08", 3, Some("2024-01-14"))).await.unwrap();
    // The notice runs to the 14th: approval only from the 15th.
    let early = app.move_case(&clerk, id, &step(Step::Approved, "2024-01-14", 4, None)).await.unwrap_err();
    assert!(early.to_string().contains("2024-01-14"), "{early}");
    let measure = revita_methods::monitoring::Measure {
        kind: revita_methods::monitoring::MeasureKind::Employment,
        description: "公益性岗位".into(),
        amount: 6000.0,
        start: day("2024-01-20"),
        end: None,
        actor: String::new(),
        at: 0,
    };
    let too_early = app.record_measure(&clerk, id, &measure).await.unwrap_err();
    assert!(too_early.to_string().contains("once the county has approved"), "{too_early}");
    app.move_case(&clerk, id, &step(Step::Approved, "2024-01-15", 4, None)).await.unwrap();
    // "Assisted" needs the help given first.
    let empty = app.move_case(&clerk, id, &step(Step::Assisted, "2024-01-20", 5, None)).await.unwrap_err();
    assert!(empty.to_string().contains("record the assistance measures"), "{empty}");
    assert!(matches!(app.record_measure(&stranger, id, &measure).await, Err(AppError::Forbidden(_))));
    let backwards = revita_methods::monitoring::Measure { end: Some(day("2024-01-01")), ..measure.clone() };
    assert!(app.record_measure(&clerk, id, &backwards).await.is_err());
    app.record_measure(&clerk, id, &measure).await.unwrap();
    assert_eq!(app.test_store().measures(id).await.unwrap()[0].actor, "nanming_clerk", "the recorder, not the form");
    app.move_case(&clerk, id, &step(Step::Assisted, "2024-01-20", 5, None)).await.unwrap();
    // Each change is audited by the use case itself, whatever the edge.
    let audit = app.test_store().audit_log(&revita_app::AuditFilter::default(), 100).await.unwrap();
    for action in ["case.open", "case.move", "case.measure"] {
        assert!(audit.iter().any(|e| e.action == action && e.actor == "nanming_clerk"), "{action} is audited");
    }
    // Another user moved it meanwhile: the stale version is refused.
    let stale = app.move_case(&clerk, id, &step(Step::KeptUnderMonitoring, "2024-02-01", 5, None)).await.unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)), "{stale:?}");

    // The exit needs six months above the 7,000 line: checks on 20 Jan
    // (7,400), 1 Apr (7,600) and 20 Jul (7,800). On 1 Mar there is no check
    // six months old; on 25 Jul the window starts 25 Jan and the 20 Jan check
    // anchors it.
    let too_soon = app.move_case(&clerk, id, &step(Step::RiskEliminated, "2024-03-01", 6, None)).await.unwrap_err();
    assert!(too_soon.to_string().contains("no income check"), "{too_soon}");
    for (on, income) in [("2024-01-20", 7400.0), ("2024-04-01", 7600.0), ("2024-07-20", 7800.0)] {
        app.record_income_check(&clerk, id, IncomeCheck { on: day(on), income_pc: income }).await.unwrap();
    }
    let done = app.move_case(&clerk, id, &step(Step::RiskEliminated, "2024-07-25", 6, None)).await.unwrap();
    assert_eq!((done.step, done.version), (Step::RiskEliminated, 7));
    let (_, events) = app.case_with_events(&clerk, id).await.unwrap();
    assert_eq!(events.len(), 7);
    assert!(events.iter().all(|e| e.actor == "nanming_clerk"));
    assert_eq!(events[3].notice_end, Some(day("2024-01-14")));

    // H2's verification is overdue 15 days after identification.
    let other =
        app.open_case(&clerk, "H2", Category::Marginal, Channel::CadreVisit, day("2024-01-02"), None).await.unwrap();
    let limits = [TimeLimit { step: Step::Verified, days: 15 }];
    let late = app.overdue_cases(&clerk, day("2024-01-20"), &limits).await.unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!((late[0].0.id, late[0].1.days_late), (other, 3));
    assert!(app.overdue_cases(&stranger, day("2024-01-20"), &limits).await.unwrap().is_empty());
});
