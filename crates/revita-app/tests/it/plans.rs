//! A plan from draft to implementation: jurisdiction and role rules,
//! targets judged on observations (hand-checked), projects, execution.

use revita_app::auth::{Actor, Origin};
use revita_app::plans::PlanDraft;
use revita_methods::access::{Access, Grant, Role};
use revita_methods::plan::{
    FundingSource, PlanKind, PlanScope, PlanStatus, PlanTarget, Project, ProjectCategory, ProjectStatus, Status, Target,
};
use revita_methods::{Date, IndicatorCode};

use super::*;

fn actor(name: &str, role: Role, scope: &str) -> Actor {
    Actor {
        user_id: 1,
        name: name.into(),
        access: Access::new(vec![Grant { role, scope: code(scope) }]),
        must_change_password: false,
    }
}

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn draft() -> PlanDraft {
    PlanDraft {
        title: "贵阳城区振兴规划".into(),
        kind: PlanKind::FiveYear,
        region: code("520000"),
        scope: PlanScope::Regions(vec![code("520102"), code("520103")]),
        start_year: 2021,
        end_year: 2025,
        office: "省发展改革委".into(),
    }
}

fn target(goal_id: i64, indicator: &str, region: Option<&str>, from: f64, to: f64, binding: bool) -> PlanTarget {
    PlanTarget {
        id: 0,
        goal_id,
        indicator: IndicatorCode::parse(indicator).unwrap(),
        region: region.map(code),
        target: Target {
            baseline_year: 2020,
            baseline: from,
            target_year: 2025,
            target: to,
            binding,
            intermediate: vec![],
        },
    }
}

fn project(code_: &str, region: &str, budget: Vec<(FundingSource, f64)>) -> Project {
    Project {
        id: 0,
        plan_id: 0,
        code: code_.into(),
        name: format!("项目{code_}"),
        category: ProjectCategory::Infrastructure,
        region: code(region),
        point: None,
        start: day("2022-01-01"),
        end: day("2025-06-30"),
        status: ProjectStatus::Underway,
        percent: 30.0,
        goals: vec![],
        budget,
        version: 1,
    }
}

both_backends!(a_plan_is_drafted_approved_and_judged_on_its_targets, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    // 2023: 南明 60% urban of 94 people, 云岩 50% of 306.
    let observations = "region_code,indicator,period,value\n\
        520102,urbanization_rate_pct,2023,60\n520103,urbanization_rate_pct,2023,50\n\
        520102,pop_total,2023,94\n520103,pop_total,2023,306\n";
    import_obs(&app, &files.write("o.csv", observations)).await.unwrap();
    let origin = Origin { now: 1_700_000_000, ..Default::default() };
    let planner = actor("gz_planner", Role::Planner, "520000");
    let admin = actor("gz_admin", Role::Admin, "520000");
    let clerk = actor("nanming_clerk", Role::DataEntry, "520102");
    let county_planner = actor("nanming_planner", Role::Planner, "520102");

    // Only a planner over the office's region and the whole scope creates it.
    assert!(matches!(app.create_plan(&clerk, &draft(), &origin).await, Err(AppError::Forbidden(_))));
    let spans_more = PlanDraft { region: code("520102"), ..draft() };
    assert!(matches!(app.create_plan(&county_planner, &spans_more, &origin).await, Err(AppError::Forbidden(_))));
    let bad_period = PlanDraft { end_year: 2020, ..draft() };
    assert!(matches!(app.create_plan(&planner, &bad_period, &origin).await, Err(AppError::Invalid(_))));
    let id = app.create_plan(&planner, &draft(), &origin).await.unwrap();
    assert_eq!(app.plans_for(&planner).await.unwrap().len(), 1);
    let elsewhere = actor("bijie_clerk", Role::DataEntry, "520502");
    assert!(app.plans_for(&elsewhere).await.unwrap().is_empty(), "a county outside the scope sees nothing");
    assert!(matches!(app.plan_report(&elsewhere, id, day("2024-01-01")).await, Err(AppError::Forbidden(_))));

    let chapter = app.add_goal(&planner, id, None, "新型城镇化", &origin).await.unwrap();
    let goal = app.add_goal(&planner, id, Some(chapter), "提高城镇化率", &origin).await.unwrap();
    assert!(app.add_goal(&planner, id, Some(goal), "too deep", &origin).await.is_err());
    // Urbanization over the whole scope, binding: 50% (2020) → 60% (2025).
    app.add_target(&planner, id, &target(goal, "urbanization_rate_pct", None, 50.0, 60.0, true), &origin)
        .await
        .unwrap();
    // 南明's population, expected: 100 (2020) → 90 (2025).
    app.add_target(&planner, id, &target(goal, "pop_total", Some("520102"), 100.0, 90.0, false), &origin)
        .await
        .unwrap();
    let outside = target(goal, "pop_total", Some("520502"), 1.0, 2.0, false);
    assert!(app.add_target(&planner, id, &outside, &origin).await.unwrap_err().to_string().contains("scope"));
    let unknown = target(goal, "gdp", None, 1.0, 2.0, false);
    assert!(app.add_target(&planner, id, &unknown, &origin).await.unwrap_err().to_string().contains("not defined"));

    // Yearly targets are edited while drafted; the path then runs through them.
    let urban_id = app.test_store().targets(id).await.unwrap()[0].id;
    let mut revised = target(goal, "urbanization_rate_pct", None, 50.0, 60.0, true);
    revised.id = urban_id;
    revised.target.intermediate = vec![(2023, 52.0)];
    app.update_target(&planner, id, urban_id, &revised.target, &origin).await.unwrap();
    let renamed = PlanDraft { title: "贵阳城区振兴规划（修订）".into(), ..draft() };
    assert_eq!(app.update_plan(&planner, id, &renamed, 1, &origin).await.unwrap(), 2);
    assert!(matches!(app.update_plan(&planner, id, &renamed, 1, &origin).await, Err(AppError::Conflict(_))));
    let wider = PlanDraft { scope: PlanScope::Subtree(code("000000")), ..draft() };
    assert!(matches!(app.update_plan(&planner, id, &wider, 2, &origin).await, Err(AppError::Forbidden(_))));

    let budget1 = vec![(FundingSource::CentralBudget, 1_000_000.0), (FundingSource::Bonds, 500_000.0)];
    let ids = app
        .save_projects(
            &planner,
            id,
            &[project("P1", "520102", budget1), project("P2", "520103", vec![(FundingSource::LocalBudget, 500_000.0)])],
            &origin,
        )
        .await
        .unwrap();
    let stray = project("P3", "520502", vec![]);
    assert!(app.save_projects(&planner, id, &[stray], &origin).await.unwrap_err().to_string().contains("scope"));
    app.add_milestone(&planner, ids[0], "主体完工", day("2024-06-30"), &origin).await.unwrap();
    // Progress waits for approval.
    let early =
        app.add_disbursement(&clerk, ids[0], day("2023-05-01"), 1.0, FundingSource::CentralBudget, &origin).await;
    assert!(early.unwrap_err().to_string().contains("once the plan is approved"));

    // Submitted by the planner, approved only by an administrator.
    app.move_plan(&planner, id, PlanStatus::UnderReview, 2, Some("送审".into()), &origin).await.unwrap();
    let by_planner = app.move_plan(&planner, id, PlanStatus::Approved, 3, None, &origin).await;
    assert!(matches!(by_planner, Err(AppError::Forbidden(_))), "{by_planner:?}");
    let skip = app.move_plan(&admin, id, PlanStatus::Completed, 3, None, &origin).await;
    assert!(matches!(skip, Err(AppError::Invalid(_))));
    app.move_plan(&admin, id, PlanStatus::Approved, 3, Some("省政府批复".into()), &origin).await.unwrap();
    let stale = app.move_plan(&planner, id, PlanStatus::InImplementation, 3, None, &origin).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    app.move_plan(&planner, id, PlanStatus::InImplementation, 4, None, &origin).await.unwrap();
    let late = app.update_target(&planner, id, urban_id, &revised.target, &origin).await;
    assert!(late.unwrap_err().to_string().contains("draft"));
    assert!(app.add_goal(&planner, id, None, "late chapter", &origin).await.unwrap_err().to_string().contains("draft"));

    // The 南明 clerk records P1's money; 云岩's P2 is not theirs.
    app.add_disbursement(&clerk, ids[0], day("2023-05-01"), 300_000.0, FundingSource::CentralBudget, &origin)
        .await
        .unwrap();
    let theirs =
        app.add_disbursement(&clerk, ids[1], day("2023-05-01"), 1.0, FundingSource::LocalBudget, &origin).await;
    assert!(matches!(theirs, Err(AppError::Forbidden(_))));
    let no_such_budget =
        app.add_disbursement(&clerk, ids[0], day("2023-05-01"), 1.0, FundingSource::Loans, &origin).await;
    assert!(no_such_budget.unwrap_err().to_string().contains("no loans budget"));
    app.record_project_progress(&clerk, ids[0], ProjectStatus::Underway, 55.0, 1, &origin).await.unwrap();
    let stale = app.record_project_progress(&clerk, ids[0], ProjectStatus::Underway, 60.0, 1, &origin).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));

    let report = app.plan_report(&admin, id, day("2024-07-10")).await.unwrap();
    assert_eq!(report.plan.status, PlanStatus::InImplementation);
    assert_eq!((report.transitions.len(), report.plan.title.as_str()), (3, "贵阳城区振兴规划（修订）"));
    // Whole scope, 2023: weighted mean (60 × 94 + 50 × 306) / 400 = 52.35.
    // The straight path would expect 50 + 3/5 × 10 = 56 (progress 2.35 / 6
    // = 39%, off track); the yearly target set for 2023 is 52, so the
    // progress is 2.35 / 2 = 117.5%: on track.
    let goal_view = report.goals.iter().find(|g| g.goal.id == goal).unwrap();
    let urban = &goal_view.targets[0];
    assert_eq!(urban.latest.map(|(y, _)| y), Some(2023));
    assert!((urban.latest.unwrap().1 - 52.35).abs() < 1e-9);
    assert!((urban.path.unwrap() - 52.0).abs() < 1e-9);
    assert!((urban.progress.unwrap() - 2.35 / 2.0).abs() < 1e-9);
    assert_eq!(urban.status, Some(Status::OnTrack));
    let straight = revita_methods::plan::Target { intermediate: vec![], ..urban.target.target.clone() };
    assert_eq!(straight.status(2023, 52.35, revita_methods::plan::Tolerances::default()), Status::OffTrack);
    // 南明's population: the path expects 94 in 2023 and it is 94: on track.
    assert_eq!(goal_view.targets[1].status, Some(Status::OnTrack));
    assert_eq!(report.region_status.get(&code("520102")), Some(&Status::OnTrack));
    // The plan takes its binding target's status; the chapter rolls its goal up.
    assert_eq!((report.rollup.status, report.rollup.on_track), (Some(Status::OnTrack), 2));
    assert_eq!(report.goals[0].rollup.status, Some(Status::OnTrack));
    // Execution: 300,000 of 1,500,000 for P1 (20%), of 2,000,000 overall (15%).
    assert_eq!(report.projects[0].execution.rate(), Some(0.2));
    assert_eq!(report.execution.rate(), Some(0.15));
    assert_eq!(report.projects[0].milestones[0].1, Some(10), "due 30 June, not done on 10 July");
    assert_eq!(report.projects[0].project.percent, 55.0);

    // The 南明 clerk sees the plan's 南明 part: its target and project only.
    assert_eq!(app.plans_for(&clerk).await.unwrap().len(), 1);
    let part = app.plan_report(&clerk, id, day("2024-07-10")).await.unwrap();
    assert!(part.partial);
    assert_eq!(part.goals.iter().map(|g| g.targets.len()).sum::<usize>(), 1);
    assert_eq!(part.projects.iter().map(|p| p.project.code.as_str()).collect::<Vec<_>>(), ["P1"]);
    assert_eq!(part.execution.rate(), Some(0.2));

    let sheets = revita_app::plans::plan_sheets(&report);
    assert_eq!(
        sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        ["plan", "targets", "projects", "milestones", "disbursements"]
    );
    assert_eq!(sheets[1].rows.len(), 2);
    let audit = app.test_store().audit_log(&revita_app::AuditFilter::default(), 100).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "plan.move" && e.after.as_deref() == Some("approved")));
    assert!(audit.iter().any(|e| e.action == "project.disbursement"));
});

both_backends!(projects_import_all_or_nothing_with_row_errors, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let origin = Origin::default();
    let planner = actor("gz_planner", Role::Planner, "520000");
    let id = app.create_plan(&planner, &draft(), &origin).await.unwrap();
    let goal = app.add_goal(&planner, id, None, "基础设施", &origin).await.unwrap();
    let header = revita_ingest::records::project_columns().join(",");
    let bad = format!(
        "{header}\n\
         P1,供水,infrastructure,520102,,,2022-01-01,2023-12-31,,,G{goal},100,,,,,\n\
         P2,培训,employment,520502,,,2022-01-01,2023-12-31,,,,100,,,,,\n\
         P3,道路,infrastructure,520103,,,2022-01-01,2023-12-31,,,G999,100,,,,,\n\
         P1,重复,infrastructure,520103,,,2022-01-01,2023-12-31,,,,100,,,,,\n"
    );
    let problems = rejected(app.import_projects(&planner, id, &files.write("p.csv", &bad), false, &origin).await);
    assert!(
        problems.iter().any(|p| p.contains("row 3") && p.contains("region_code") && p.contains("scope")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("row 4") && p.contains("goals") && p.contains("999")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("row 5") && p.contains("already on row 2")), "{problems:?}");
    assert!(app.test_store().projects(id).await.unwrap().is_empty(), "nothing is written");
    // Issue 13: every problem at once — a row that does not parse beside
    // one that parses but lies outside the scope and names a foreign goal.
    let unreadable = format!(
        "{header}\nP4,道路,infrastructure,520103,,,01/02/2022,2023-12-31,,,,10,,,,,\n\
         P5,培训,employment,520502,,,2022-01-01,2023-12-31,,,G999,100,,,,,\n"
    );
    let problems =
        rejected(app.import_projects(&planner, id, &files.write("q.csv", &unreadable), false, &origin).await);
    assert!(problems.iter().any(|p| p.contains("row 2") && p.contains("'start'")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("row 3") && p.contains("scope")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("row 3") && p.contains("999")), "{problems:?}");

    let good: String = bad.lines().take(2).map(|l| format!("{l}\n")).collect();
    let report = app.import_projects(&planner, id, &files.write("ok.csv", &good), false, &origin).await.unwrap();
    assert_eq!(report.records_written, 1);
    let stored = app.test_store().projects(id).await.unwrap();
    assert_eq!((stored[0].goals.clone(), stored[0].total_budget()), (vec![goal], 100.0));
    // The template reads back as a valid project file for a plan over 南明.
    let template = revita_app::plans::projects_template();
    assert_eq!(template[0].header, revita_ingest::records::project_columns());
});

// The PDF of a plan with Chinese text: pdftotext (poppler-utils) reads the
// Chinese back, so the glyphs are embedded and mapped to characters.
both_backends!(a_plan_document_carries_its_chinese_text, |store: DynStore| async move {
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let origin = Origin::default();
    let planner = actor("gz_planner", Role::Planner, "520000");
    let id = app.create_plan(&planner, &draft(), &origin).await.unwrap();
    let goal = app.add_goal(&planner, id, None, "新型城镇化", &origin).await.unwrap();
    app.add_target(&planner, id, &target(goal, "pop_total", Some("520102"), 100.0, 90.0, true), &origin).await.unwrap();
    let projects: Vec<Project> = (0..40)
        .map(|i| {
            project(
                &format!("P{i:03}"),
                if i % 2 == 0 { "520102" } else { "520103" },
                vec![(FundingSource::LocalBudget, 1000.0 * f64::from(i))],
            )
        })
        .collect();
    app.save_projects(&planner, id, &projects, &origin).await.unwrap();
    let pdf = match app.plan_pdf(&planner, id, day("2024-07-10"), true).await {
        Ok(pdf) => pdf,
        Err(e) if std::env::var_os("CI").is_none() && e.to_string().contains("CJK font") => return,
        Err(e) => panic!("{e}"),
    };
    assert!(pdf.starts_with(b"%PDF-"));
    let path = files.write_bytes("plan.pdf", &pdf);
    let Ok(out) = std::process::Command::new("pdftotext").arg(&path).arg("-").output() else {
        assert!(std::env::var_os("CI").is_none(), "CI needs pdftotext (poppler-utils)");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in ["贵阳城区振兴规划", "目录", "一、总体情况", "新型城镇化", "项目P039", "资金来源"]
    {
        assert!(text.contains(needle), "{needle} is missing from the PDF's text:\n{text}");
    }
});

// The bad XLSX files: a wrong header; a bad date, a budget that is
// not a number and an unknown region in one file. Each is reported by row
// and column, and nothing is written.
both_backends!(bad_project_workbooks_are_reported_by_row_and_column, |store: DynStore| async move {
    use revita_ingest::export::{Cell, Sheet, workbook_bytes};
    let (app, files) = (app(store), Files::new());
    guizhou(&app, &files).await;
    let origin = Origin::default();
    let planner = actor("gz_planner", Role::Planner, "520000");
    let id = app.create_plan(&planner, &draft(), &origin).await.unwrap();
    let text = |t: &str| Cell::Text(t.to_string());
    let wrong_header = Sheet {
        name: "projects".into(),
        header: vec!["project".into(), "budget".into()],
        rows: vec![vec![text("P1"), Cell::Number(1.0)]],
    };
    let path = files.write_bytes("wrong.xlsx", &workbook_bytes(&[wrong_header]).unwrap());
    let problems = rejected(app.import_projects(&planner, id, &path, false, &origin).await);
    assert!(problems[0].contains("wrong.xlsx") && problems[0].contains("missing column 'code'"), "{problems:?}");

    let header = revita_ingest::records::project_columns();
    let row = |code: &str, region: &str, start: &str, budget: Cell| {
        let mut cells = vec![text(code), text("供水"), text("infrastructure"), text(region), text(""), text("")];
        cells.extend([text(start), text("2024-12-31"), text(""), text(""), text(""), budget]);
        cells.extend((0..5).map(|_| text("")));
        cells
    };
    let bad = Sheet {
        name: "projects".into(),
        header: header.clone(),
        rows: vec![
            row("P1", "520102", "2022-13-01", Cell::Number(100.0)),
            row("P2", "520102", "2022-01-01", text("一百万")),
        ],
    };
    let path = files.write_bytes("bad.xlsx", &workbook_bytes(&[bad]).unwrap());
    let problems = rejected(app.import_projects(&planner, id, &path, false, &origin).await);
    assert!(problems.iter().any(|p| p.contains("row 2") && p.contains("'start'")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains("row 3") && p.contains("'budget_central_budget'") && p.contains("一百万")),
        "{problems:?}"
    );
    let unknown =
        Sheet { name: "projects".into(), header, rows: vec![row("P3", "999999", "2022-01-01", Cell::Number(1.0))] };
    let path = files.write_bytes("unknown.xlsx", &workbook_bytes(&[unknown]).unwrap());
    let problems = rejected(app.import_projects(&planner, id, &path, false, &origin).await);
    assert!(
        problems.iter().any(|p| p.contains("row 2") && p.contains("'region_code'") && p.contains("999999")),
        "{problems:?}"
    );
    assert!(app.test_store().projects(id).await.unwrap().is_empty(), "nothing is written");
});
