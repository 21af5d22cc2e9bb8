//! Plans, goals, targets, projects, milestones and disbursements on both
//! back ends.

use revita_methods::plan::{
    Disbursement, FundingSource, Goal, Milestone, Plan, PlanKind, PlanScope, PlanStatus, PlanTarget, Project,
    ProjectCategory, ProjectStatus, Target, Transition,
};
use revita_methods::{Date, IndicatorCode};

use super::*;

fn plan() -> Plan {
    Plan {
        id: 0,
        title: "左右江革命老区振兴规划".into(),
        kind: PlanKind::FiveYear,
        region: code("520000"),
        scope: PlanScope::Regions(vec![code("520102"), code("520103")]),
        start_year: 2021,
        end_year: 2025,
        office: "省乡村振兴局".into(),
        status: PlanStatus::Draft,
        version: 1,
    }
}

fn project(plan_id: i64, code_: &str, goals: Vec<i64>) -> Project {
    Project {
        id: 0,
        plan_id,
        code: code_.into(),
        name: format!("项目 {code_}"),
        category: ProjectCategory::Infrastructure,
        region: code("520102"),
        point: Some((106.7, 26.57)),
        start: Date::parse("2022-03-01").unwrap(),
        end: Date::parse("2024-12-31").unwrap(),
        status: ProjectStatus::Underway,
        percent: 40.0,
        goals,
        budget: vec![(FundingSource::CentralBudget, 1_000_000.0), (FundingSource::Bonds, 500_000.5)],
        version: 1,
    }
}

both_backends!(plans_keep_their_goals_targets_projects_and_history, |store: DynStore| async move {
    let id = store.write(audit(), async |tx| tx.create_plan(&plan()).await).await.unwrap();
    let stored = store.plan(id).await.unwrap().unwrap();
    assert_eq!(stored, Plan { id, ..plan() });
    assert_eq!(store.plans().await.unwrap().len(), 1);
    assert_eq!(store.plan(id + 1).await.unwrap(), None);

    let submit = Transition {
        from: PlanStatus::Draft,
        to: PlanStatus::UnderReview,
        actor: "planner".into(),
        at: 1_700_000_000,
        comment: Some("送审".into()),
    };
    store.write(audit(), async |tx| tx.move_plan(id, 1, &submit).await).await.unwrap();
    let stale = store.write(audit(), async |tx| tx.move_plan(id, 1, &submit).await).await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale}");
    let moved = store.plan(id).await.unwrap().unwrap();
    assert_eq!((moved.status, moved.version), (PlanStatus::UnderReview, 2));
    assert_eq!(store.plan_transitions(id).await.unwrap(), vec![submit]);

    let chapter = store
        .write(audit(), async |tx| {
            tx.add_goal(&Goal { id: 0, plan_id: id, parent: None, title: "第一章".into(), position: 1 }).await
        })
        .await
        .unwrap();
    let goal = store
        .write(audit(), async |tx| {
            tx.add_goal(&Goal { id: 0, plan_id: id, parent: Some(chapter), title: "增收".into(), position: 1 }).await
        })
        .await
        .unwrap();
    assert_eq!(store.goals(id).await.unwrap().iter().map(|g| g.id).collect::<Vec<_>>(), [chapter, goal]);
    let target = PlanTarget {
        id: 0,
        goal_id: goal,
        indicator: IndicatorCode::parse("rural_income").unwrap(),
        region: Some(code("520102")),
        target: Target {
            baseline_year: 2020,
            baseline: 12_000.0,
            target_year: 2025,
            target: 18_000.0,
            binding: true,
            intermediate: vec![(2022, 13_500.5)],
        },
    };
    let target_id = store.write(audit(), async |tx| tx.add_target(&target).await).await.unwrap();
    assert_eq!(store.targets(id).await.unwrap(), vec![PlanTarget { id: target_id, ..target.clone() }]);
    let mut revised = PlanTarget { id: target_id, ..target };
    revised.target.intermediate = vec![(2022, 13_000.0), (2023, 14_000.0)];
    revised.target.binding = false;
    store.write(audit(), async |tx| tx.update_target(&revised).await).await.unwrap();
    assert_eq!(store.targets(id).await.unwrap(), vec![revised.clone()]);
    assert!(
        store
            .write(audit(), async |tx| tx.update_target(&PlanTarget { id: target_id + 99, ..revised }).await)
            .await
            .is_err()
    );
    // The header is rewritten by version, as moves are.
    let renamed = Plan { title: "新标题".into(), end_year: 2026, ..store.plan(id).await.unwrap().unwrap() };
    assert_eq!(store.write(audit(), async |tx| tx.update_plan(&renamed, 2).await).await.unwrap(), 3);
    assert!(matches!(
        store.write(audit(), async |tx| tx.update_plan(&renamed, 2).await).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    let stored = store.plan(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.title.as_str(), stored.end_year, stored.version, stored.status),
        ("新标题", 2026, 3, PlanStatus::UnderReview)
    );

    let ids = store
        .write(audit(), async |tx| {
            tx.upsert_projects(id, &[project(id, "P2", vec![goal]), project(id, "P1", vec![])]).await
        })
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    // A project written again by code replaces the old one, budgets too.
    let mut again = project(id, "P2", vec![goal, chapter]);
    again.budget = vec![(FundingSource::Loans, 7.0)];
    assert_eq!(store.write(audit(), async |tx| tx.upsert_projects(id, &[again]).await).await.unwrap(), vec![ids[0]]);
    let projects = store.projects(id).await.unwrap();
    assert_eq!(projects.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), ["P1", "P2"]);
    assert_eq!(projects[0].budget, project(id, "P1", vec![]).budget);
    assert_eq!(projects[1].budget, vec![(FundingSource::Loans, 7.0)]);
    assert_eq!((projects[1].goals.clone(), projects[1].version), (vec![goal, chapter], 2));
    let one = store.project(ids[1]).await.unwrap().unwrap();
    assert_eq!(one, projects[0]);

    let mut progress = one.clone();
    progress.percent = 75.0;
    progress.status = ProjectStatus::Completed;
    assert_eq!(store.write(audit(), async |tx| tx.update_project_progress(&progress, 1).await).await.unwrap(), 2);
    assert!(matches!(
        store.write(audit(), async |tx| tx.update_project_progress(&progress, 1).await).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    assert_eq!(store.project(ids[1]).await.unwrap().unwrap().percent, 75.0);

    let day = |t: &str| Date::parse(t).unwrap();
    let m = store
        .write(audit(), async |tx| {
            tx.add_milestone(&Milestone {
                id: 0,
                project_id: ids[1],
                name: "开工".into(),
                due: day("2022-04-01"),
                done: None,
            })
            .await
        })
        .await
        .unwrap();
    store.write(audit(), async |tx| tx.complete_milestone(m, day("2022-04-05")).await).await.unwrap();
    assert!(store.write(audit(), async |tx| tx.complete_milestone(m + 100, day("2022-04-05")).await).await.is_err());
    assert_eq!(store.milestones(id).await.unwrap()[0].done, Some(day("2022-04-05")));
    let d = Disbursement {
        id: 0,
        project_id: ids[1],
        on: day("2022-05-01"),
        amount: 250_000.0,
        source: FundingSource::CentralBudget,
        actor: "clerk".into(),
    };
    let d_id = store.write(audit(), async |tx| tx.add_disbursement(&d).await).await.unwrap();
    assert_eq!(store.disbursements(id).await.unwrap(), vec![Disbursement { id: d_id, ..d }]);
});
