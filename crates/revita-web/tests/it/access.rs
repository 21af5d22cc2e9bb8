//! Access control, route by route. Every route of the router is in TABLE
//! with how it must treat anonymous requests, a user whose jurisdiction is
//! 南明区 (520102) asking about 云岩区 (520103), and a viewer trying to
//! write; a route missing from the table fails the test. Every write route
//! (every POST) is in WRITES too, sent by the national administrator with a
//! forged CSRF token: it must answer 403 and change nothing (data version,
//! audit log); a write route missing from WRITES fails that test.

use revita_methods::access::Role;

use super::*;

/// How a route is protected.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Open to anyone (login, health, assets, the language switch).
    Public,
    /// For any logged-in user; shows no regional data, or only national
    /// definitions (indicators).
    LoggedIn(&'static str),
    /// About one region: `{code}` is replaced; 200 for the user's own
    /// county, 403 for another.
    Region(&'static str),
    /// Lists regional data: the other county's code must never appear.
    List(&'static str),
    /// Changes data: refused to a viewer.
    Write(&'static str),
    /// For national users, administrators or auditors only: refused to the
    /// county clerk, allowed to the national administrator.
    National(&'static str),
    /// About one of the fixture's plans: `{plan}` is replaced by the clerk's
    /// county's plan (200) and by the other county's (403).
    Plan(&'static str),
}

const TABLE: &[(&str, Kind)] = &[
    ("/login", Kind::Public),
    ("/logout", Kind::Write("/logout")),
    ("/account/password", Kind::LoggedIn("/account/password")),
    ("/account/tokens", Kind::LoggedIn("/account/tokens")),
    ("/account/tokens/{id}/revoke", Kind::Write("/account/tokens/1/revoke")),
    ("/admin/users", Kind::National("/admin/users")),
    ("/admin/users/{name}", Kind::Write("/admin/users/someone")),
    ("/audit", Kind::National("/audit")),
    ("/audit.csv", Kind::National("/audit.csv")),
    ("/", Kind::List("/?level=county")),
    ("/maps/map.svg", Kind::List("/maps/map.svg?level=county")),
    ("/regions", Kind::List("/regions?q=%E5%8C%BA")),
    ("/regions/{code}", Kind::Region("/regions/{code}")),
    ("/regions/{code}/children.csv", Kind::Region("/regions/{code}/children.csv")),
    ("/regions/{code}/children.xlsx", Kind::Region("/regions/{code}/children.xlsx")),
    ("/indicators", Kind::LoggedIn("/indicators")),
    ("/indicators/{code}", Kind::List("/indicators/pop_total")),
    (
        "/designate",
        Kind::List(
            "/designate?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D",
        ),
    ),
    (
        "/designate.csv",
        Kind::List(
            "/designate.csv?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D",
        ),
    ),
    (
        "/designate.xlsx",
        Kind::List(
            "/designate.xlsx?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D",
        ),
    ),
    (
        "/allocate",
        Kind::List(
            "/allocate?year=2020&spec=%7B%22name%22%3A%22Fund%22%2C%22total%22%3A1000000%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22rounding%22%3A10000%2C%22factors%22%3A%5B%7B%22name%22%3A%22population%22%2C%22weight%22%3A1%2C%22indicator%22%3A%22pop_total%22%7D%5D%7D",
        ),
    ),
    (
        "/allocate.csv",
        Kind::List(
            "/allocate.csv?year=2020&spec=%7B%22name%22%3A%22Fund%22%2C%22total%22%3A1000000%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22rounding%22%3A10000%2C%22factors%22%3A%5B%7B%22name%22%3A%22population%22%2C%22weight%22%3A1%2C%22indicator%22%3A%22pop_total%22%7D%5D%7D",
        ),
    ),
    (
        "/allocate.xlsx",
        Kind::List(
            "/allocate.xlsx?year=2020&spec=%7B%22name%22%3A%22Fund%22%2C%22total%22%3A1000000%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22rounding%22%3A10000%2C%22factors%22%3A%5B%7B%22name%22%3A%22population%22%2C%22weight%22%3A1%2C%22indicator%22%3A%22pop_total%22%7D%5D%7D",
        ),
    ),
    ("/designate/commit", Kind::Write("/designate/commit")),
    ("/designate/specs", Kind::Write("/designate/specs")),
    ("/allocate/specs", Kind::Write("/allocate/specs")),
    ("/api/v1/specs", Kind::LoggedIn("/api/v1/specs")),
    ("/api/v1/specs.csv", Kind::LoggedIn("/api/v1/specs.csv")),
    ("/api/v1/specs/{id}", Kind::LoggedIn("/api/v1/specs/1")),
    ("/monitoring", Kind::List("/monitoring")),
    ("/monitoring/lines", Kind::LoggedIn("/monitoring/lines")),
    ("/monitoring/households.csv", Kind::List("/monitoring/households.csv")),
    ("/households/{id}", Kind::Region("/households/{code}")),
    ("/households/{id}/cases", Kind::Write("/households/520102/cases")),
    ("/households/{id}/members", Kind::Write("/households/520102/members")),
    ("/cases/{id}/move", Kind::Write("/cases/1/move")),
    ("/cases/{id}/measures", Kind::Write("/cases/1/measures")),
    ("/eco", Kind::List("/eco")),
    ("/eco/agreements", Kind::Write("/eco/agreements")),
    ("/eco/agreements/{id}", Kind::Plan("/eco/agreements/{plan}")),
    ("/eco/agreements/{id}/edit", Kind::Write("/eco/agreements/1/edit")),
    ("/eco/agreements/{id}/samples", Kind::Write("/eco/agreements/1/samples")),
    ("/eco/agreements/{id}/settle", Kind::Write("/eco/agreements/1/settle")),
    ("/eco/agreements/{id}/statements/{file}", Kind::Plan("/eco/agreements/{plan}/statements/2020.xlsx")),
    ("/eco/payments/{id}", Kind::Write("/eco/payments/1")),
    ("/eco/ledger", Kind::List("/eco/ledger")),
    ("/eco/esv", Kind::List("/eco/esv")),
    ("/eco/esv/specs", Kind::Write("/eco/esv/specs")),
    ("/eco/land-use", Kind::Write("/eco/land-use")),
    ("/eco/gep", Kind::Write("/eco/gep")),
    ("/eco/transfer", Kind::LoggedIn("/eco/transfer")),
    ("/api/v1/eco/agreements", Kind::List("/api/v1/eco/agreements")),
    ("/api/v1/eco/agreements.csv", Kind::List("/api/v1/eco/agreements.csv")),
    ("/api/v1/eco/agreements/{id}", Kind::Plan("/api/v1/eco/agreements/{plan}")),
    ("/api/v1/eco/agreements/{id}/edit", Kind::Write("/api/v1/eco/agreements/1/edit")),
    ("/api/v1/eco/agreements/{id}/settle", Kind::Write("/api/v1/eco/agreements/1/settle")),
    ("/api/v1/eco/payments", Kind::List("/api/v1/eco/payments")),
    ("/api/v1/eco/payments.csv", Kind::List("/api/v1/eco/payments.csv")),
    ("/api/v1/eco/payments/{id}", Kind::Write("/api/v1/eco/payments/1")),
    ("/api/v1/eco/esv", Kind::List("/api/v1/eco/esv")),
    ("/api/v1/eco/esv.csv", Kind::List("/api/v1/eco/esv.csv")),
    ("/api/v1/eco/gep", Kind::List("/api/v1/eco/gep")),
    ("/api/v1/eco/gep.csv", Kind::List("/api/v1/eco/gep.csv")),
    ("/api/v1/eco/transfer", Kind::Write("/api/v1/eco/transfer")),
    ("/pairing", Kind::List("/pairing?year=2021")),
    ("/pairing/ledger.xlsx", Kind::List("/pairing/ledger.xlsx?year=2021")),
    ("/pairing/flows", Kind::Write("/pairing/flows")),
    ("/pairing/flows/import", Kind::Write("/pairing/flows/import")),
    ("/pairing/rules", Kind::Write("/pairing/rules")),
    ("/pairing/iati.xml", Kind::List("/pairing/iati.xml?from=2021&to=2021")),
    ("/brief", Kind::Region("/brief?region={code}&year=2020&indicators=pop_total")),
    ("/brief.pdf", Kind::Region("/brief.pdf?region={code}&year=2020&indicators=pop_total")),
    ("/api/v1/pairing/ledger", Kind::List("/api/v1/pairing/ledger?year=2021")),
    ("/api/v1/pairing/ledger.csv", Kind::List("/api/v1/pairing/ledger.csv?year=2021")),
    ("/api/v1/pairing/flows", Kind::List("/api/v1/pairing/flows")),
    ("/api/v1/pairing/flows.csv", Kind::List("/api/v1/pairing/flows.csv")),
    ("/api/v1/pairing/rules", Kind::Write("/api/v1/pairing/rules")),
    ("/api/v1/brief", Kind::Region("/api/v1/brief?region={code}&year=2020&indicators=pop_total")),
    ("/disasters", Kind::List("/disasters")),
    ("/disasters/template.xlsx", Kind::LoggedIn("/disasters/template.xlsx")),
    ("/disasters/{id}", Kind::Plan("/disasters/{plan}")),
    ("/disasters/{id}/import", Kind::Write("/disasters/1/import")),
    ("/disasters/{id}/counterparts", Kind::Write("/disasters/1/counterparts")),
    ("/disasters/{id}/plan", Kind::Write("/disasters/1/plan")),
    ("/disasters/{id}/report.pdf", Kind::Plan("/disasters/{plan}/report.pdf")),
    ("/disasters/{id}/report.xlsx", Kind::Plan("/disasters/{plan}/report.xlsx")),
    ("/api/v1/disasters", Kind::List("/api/v1/disasters")),
    ("/api/v1/disasters.csv", Kind::List("/api/v1/disasters.csv")),
    ("/api/v1/disasters/{id}", Kind::Plan("/api/v1/disasters/{plan}")),
    ("/api/v1/disasters/{id}/fund", Kind::Plan("/api/v1/disasters/{plan}/fund?total=1000000")),
    ("/api/v1/disasters/{id}/counterparts", Kind::Write("/api/v1/disasters/1/counterparts")),
    ("/subsidence", Kind::List("/subsidence")),
    ("/subsidence/areas", Kind::Write("/subsidence/areas")),
    ("/subsidence/places", Kind::Write("/subsidence/places")),
    ("/subsidence/{id}", Kind::Plan("/subsidence/{plan}")),
    ("/subsidence/{id}/import", Kind::Write("/subsidence/1/import")),
    ("/subsidence/{id}/progress", Kind::Write("/subsidence/1/progress")),
    ("/api/v1/subsidence", Kind::List("/api/v1/subsidence")),
    ("/api/v1/subsidence.csv", Kind::List("/api/v1/subsidence.csv")),
    ("/api/v1/subsidence/{id}", Kind::Plan("/api/v1/subsidence/{plan}")),
    ("/api/v1/places", Kind::List("/api/v1/places")),
    ("/resource-cities", Kind::List("/resource-cities")),
    ("/relocation", Kind::List("/relocation")),
    ("/relocation/import", Kind::Write("/relocation/import")),
    ("/relocation/assign", Kind::List("/relocation/assign?run=1")),
    ("/relocation/sites/{id}", Kind::Plan("/relocation/sites/{plan}")),
    ("/work-relief", Kind::List("/work-relief")),
    ("/work-relief/import", Kind::Write("/work-relief/import")),
    ("/work-relief/rules", Kind::Write("/work-relief/rules")),
    ("/work-relief/accept", Kind::Write("/work-relief/accept")),
    ("/api/v1/relocation/sites", Kind::List("/api/v1/relocation/sites")),
    ("/api/v1/relocation/follow-up", Kind::List("/api/v1/relocation/follow-up?year=2021")),
    ("/api/v1/relocation/assign", Kind::List("/api/v1/relocation/assign")),
    ("/api/v1/work-relief/projects", Kind::List("/api/v1/work-relief/projects")),
    ("/api/v1/work-relief/dashboard", Kind::List("/api/v1/work-relief/dashboard")),
    ("/api/v1/work-relief/alerts", Kind::List("/api/v1/work-relief/alerts")),
    ("/api/v1/work-relief/rules", Kind::Write("/api/v1/work-relief/rules")),
    ("/resource-cities/{code}", Kind::Region("/resource-cities/{code}")),
    ("/api/v1/resource-cities/{code}", Kind::Region("/api/v1/resource-cities/{code}")),
    ("/sae", Kind::List("/sae")),
    ("/sae.csv", Kind::Write("/sae.csv")),
    ("/sae/store", Kind::Write("/sae/store")),
    ("/api/v1/sae/fh", Kind::Write("/api/v1/sae/fh")),
    ("/api/v1/sae/fh/store", Kind::Write("/api/v1/sae/fh/store")),
    ("/sae/ebp", Kind::LoggedIn("/sae/ebp")),
    ("/api/v1/sae/ebp", Kind::Write("/api/v1/sae/ebp")),
    ("/plans", Kind::List("/plans")),
    ("/plans/projects-template.xlsx", Kind::LoggedIn("/plans/projects-template.xlsx")),
    ("/plans/{id}", Kind::Plan("/plans/{plan}")),
    ("/plans/{id}/print", Kind::Plan("/plans/{plan}/print")),
    ("/plans/{id}/document.pdf", Kind::Plan("/plans/{plan}/document.pdf")),
    ("/plans/{id}/data.xlsx", Kind::Plan("/plans/{plan}/data.xlsx")),
    ("/plans/{id}/status", Kind::Write("/plans/1/status")),
    ("/plans/{id}/goals", Kind::Write("/plans/1/goals")),
    ("/plans/{id}/targets", Kind::Write("/plans/1/targets")),
    ("/plans/{id}/targets/{target}", Kind::Write("/plans/1/targets/1")),
    ("/plans/{id}/edit", Kind::Write("/plans/1/edit")),
    ("/plans/{id}/projects", Kind::Write("/plans/1/projects")),
    ("/plans/{id}/projects/import", Kind::Write("/plans/1/projects/import")),
    ("/projects/{id}/progress", Kind::Write("/projects/1/progress")),
    ("/projects/{id}/milestones", Kind::Write("/projects/1/milestones")),
    ("/projects/{id}/disbursements", Kind::Write("/projects/1/disbursements")),
    ("/import", Kind::Write("/import")),
    ("/import/confirm", Kind::Write("/import/confirm")),
    ("/lang/{code}", Kind::Public),
    ("/api", Kind::LoggedIn("/api")),
    ("/static/app.css", Kind::Public),
    ("/static/app.js", Kind::Public),
    ("/health", Kind::Public),
    ("/api/v1/regions/{code}", Kind::Region("/api/v1/regions/{code}")),
    ("/api/v1/regions/{code}/children", Kind::Region("/api/v1/regions/{code}/children")),
    ("/api/v1/regions/{code}/children.csv", Kind::Region("/api/v1/regions/{code}/children.csv")),
    ("/api/v1/regions/{code}/descendants", Kind::Region("/api/v1/regions/{code}/descendants")),
    ("/api/v1/regions/{code}/descendants.csv", Kind::Region("/api/v1/regions/{code}/descendants.csv")),
    ("/api/v1/regions/{code}/designations", Kind::Region("/api/v1/regions/{code}/designations")),
    ("/api/v1/regions/{code}/designations.csv", Kind::Region("/api/v1/regions/{code}/designations.csv")),
    ("/api/v1/regions/{code}/boundary", Kind::Region("/api/v1/regions/{code}/boundary")),
    ("/api/v1/regions/{code}/profile", Kind::Region("/api/v1/regions/{code}/profile")),
    ("/api/v1/search", Kind::List("/api/v1/search?q=%E5%8C%BA")),
    ("/api/v1/search.csv", Kind::List("/api/v1/search.csv?q=%E5%8C%BA")),
    ("/api/v1/indicators", Kind::LoggedIn("/api/v1/indicators")),
    ("/api/v1/indicators.csv", Kind::LoggedIn("/api/v1/indicators.csv")),
    ("/api/v1/indicators/{code}", Kind::LoggedIn("/api/v1/indicators/pop_total")),
    ("/api/v1/observations", Kind::List("/api/v1/observations")),
    ("/api/v1/observations.csv", Kind::List("/api/v1/observations.csv")),
    ("/api/v1/designations", Kind::List("/api/v1/designations")),
    ("/api/v1/designations.csv", Kind::List("/api/v1/designations.csv")),
    ("/api/v1/rollup", Kind::List("/api/v1/rollup?region=520100&indicator=pop_total&period=2020")),
    ("/api/v1/inventory", Kind::National("/api/v1/inventory")),
    ("/api/v1/map", Kind::List("/api/v1/map?theme=indicator:pop_total&level=county")),
    ("/api/v1/openapi.json", Kind::LoggedIn("/api/v1/openapi.json")),
    ("/api/v1/alerts", Kind::List("/api/v1/alerts")),
    ("/api/v1/plans", Kind::List("/api/v1/plans")),
    ("/api/v1/plans.csv", Kind::List("/api/v1/plans.csv")),
    ("/api/v1/plans/{id}", Kind::Plan("/api/v1/plans/{plan}")),
    ("/api/v1/plans/{id}/edit", Kind::Write("/api/v1/plans/1/edit")),
    ("/api/v1/plans/{id}/status", Kind::Write("/api/v1/plans/1/status")),
    ("/api/v1/plans/{id}/goals", Kind::Write("/api/v1/plans/1/goals")),
    ("/api/v1/plans/{id}/targets", Kind::Write("/api/v1/plans/1/targets")),
    ("/api/v1/plans/{id}/targets/{target}", Kind::Write("/api/v1/plans/1/targets/1")),
    ("/api/v1/plans/{id}/projects", Kind::Write("/api/v1/plans/1/projects")),
    ("/api/v1/projects/{id}/progress", Kind::Write("/api/v1/projects/1/progress")),
    ("/api/v1/projects/{id}/milestones", Kind::Write("/api/v1/projects/1/milestones")),
    ("/api/v1/projects/{id}/disbursements", Kind::Write("/api/v1/projects/1/disbursements")),
    ("/api/v1/households/{id}/cases", Kind::Write("/api/v1/households/520102/cases")),
    ("/api/v1/cases/{id}/move", Kind::Write("/api/v1/cases/1/move")),
    ("/api/v1/cases/{id}/measures", Kind::Write("/api/v1/cases/1/measures")),
    ("/api/v1/designate/commit", Kind::Write("/api/v1/designate/commit")),
    (
        "/api/v1/allocate",
        Kind::List(
            "/api/v1/allocate?year=2020&spec=%7B%22name%22%3A%22Fund%22%2C%22total%22%3A1000000%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22rounding%22%3A10000%2C%22factors%22%3A%5B%7B%22name%22%3A%22population%22%2C%22weight%22%3A1%2C%22indicator%22%3A%22pop_total%22%7D%5D%7D",
        ),
    ),
    (
        "/api/v1/designate",
        Kind::List(
            "/api/v1/designate?year=2020&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D",
        ),
    ),
];

async fn anonymous_status(app: &App, uri: &str) -> StatusCode {
    let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
    revita_web::router(app.clone()).oneshot(request).await.unwrap().status()
}

both_backends!(every_route_is_guarded, |store: DynStore| async move {
    let admin = fixture(store).await;
    let mut listed: Vec<String> = TABLE.iter().map(|(p, _)| p.to_string()).collect();
    let mut routes = revita_web::route_paths();
    listed.sort();
    routes.sort();
    assert_eq!(listed, routes, "every route needs a row in TABLE, and every row a route");

    let clerk = log_in(&admin, "nanming_clerk", Role::DataEntry, "520102").await;
    let viewer = log_in(&admin, "gz_viewer", Role::Viewer, "520000").await;
    for (route, kind) in TABLE {
        match *kind {
            Kind::Public => {}
            Kind::LoggedIn(uri) | Kind::List(uri) | Kind::National(uri) => {
                let status = anonymous_status(&admin, uri).await;
                assert!(
                    status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
                    "{route}: anonymous got {status}"
                );
            }
            Kind::Plan(uri) => {
                let status = anonymous_status(&admin, &uri.replace("{plan}", "1")).await;
                assert!(
                    status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
                    "{route}: anonymous got {status}"
                );
            }
            Kind::Region(uri) => {
                let status = anonymous_status(&admin, &uri.replace("{code}", "520102")).await;
                assert!(
                    status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
                    "{route}: anonymous got {status}"
                );
            }
            Kind::Write(uri) => {
                let request = Request::builder()
                    .method("POST")
                    .uri(uri)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from("csrf=x"))
                    .unwrap();
                let status = revita_web::router(admin.app.clone()).oneshot(request).await.unwrap().status();
                assert!(
                    status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
                    "{route}: anonymous POST got {status}"
                );
            }
        }
        match *kind {
            Kind::Region(uri) => {
                let (own, _, _) = get_text(&clerk, &uri.replace("{code}", "520102"), &[]).await;
                assert_eq!(own, StatusCode::OK, "{route}: the clerk's own county");
                let (other, _, body) = get_text(&clerk, &uri.replace("{code}", "520103"), &[]).await;
                assert_eq!(other, StatusCode::FORBIDDEN, "{route}: another county");
                // Whole tokens only: a random CSRF token in the page may hold the digits 300.
                let leaks = body.split(|c: char| !c.is_alphanumeric()).any(|t| t == "300" || t == "Yunyan");
                assert!(!leaks && !body.contains("云岩区"), "{route}: no data of the other county in the error");
            }
            Kind::List(uri) => {
                let (status, headers, body) = get_text(&clerk, uri, &[]).await;
                if status == StatusCode::SEE_OTHER {
                    // A search with one match opens it: the clerk's own county.
                    assert_eq!(headers["location"], "/regions/520102", "{route}");
                    continue;
                }
                assert_eq!(status, StatusCode::OK, "{route}");
                assert!(
                    !body.contains("520103") && !body.contains("云岩区") && !body.contains("Yunyan"),
                    "{route} shows the other county: {body}"
                );
                let (_, _, admin_body) = get_text(&admin, uri, &[]).await;
                assert_ne!(body, admin_body, "{route}: a national user sees more");
            }
            Kind::National(uri) => {
                assert_eq!(get_text(&clerk, uri, &[]).await.0, StatusCode::FORBIDDEN, "{route}");
                assert_eq!(get_text(&admin, uri, &[]).await.0, StatusCode::OK, "{route}");
            }
            Kind::LoggedIn(uri) => assert_eq!(get_text(&clerk, uri, &[]).await.0, StatusCode::OK, "{route}"),
            Kind::Plan(uri) => {
                let (own, _, body) = get_text(&clerk, &uri.replace("{plan}", "1"), &[]).await;
                assert_eq!(own, StatusCode::OK, "{route}: the plan of the clerk's county: {body}");
                let (other, _, body) = get_text(&clerk, &uri.replace("{plan}", "2"), &[]).await;
                assert_eq!(other, StatusCode::FORBIDDEN, "{route}: the other county's plan");
                assert!(!body.contains("云岩") && !body.contains("520103"), "{route}: nothing of the other plan");
            }
            Kind::Public | Kind::Write(_) => {}
        }
    }

    // A viewer cannot write: an import with its own valid CSRF token is refused.
    let body = pages::multipart(
        &viewer.csrf,
        "observations",
        "o.csv",
        "region_code,indicator,period,value\n520102,pop_total,2021,1\n",
    );
    let (status, page) =
        pages::post(&viewer, "/import", "multipart/form-data; boundary=XBOUNDARYX", &viewer.cookie, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    // The clerk writes its own county only.
    let body = pages::multipart(
        &clerk.csrf,
        "observations",
        "o.csv",
        "region_code,indicator,period,value\n520103,pop_total,2021,1\n",
    );
    let (status, page) =
        pages::post(&clerk, "/import", "multipart/form-data; boundary=XBOUNDARYX", &clerk.cookie, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("region 520103 is outside your jurisdiction"), "{page}");
});

/// What a write route is sent: a form (`{csrf}` and `{upload}` replaced),
/// or a multipart upload of a CSV file.
#[derive(Debug, Clone, Copy)]
enum Payload {
    Form(&'static str),
    Upload(&'static str),
    /// A JSON body for the API, sent without `X-CSRF-Token`.
    Json(&'static str),
}

const FORGED: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every write route (every POST), with a request the national
/// administrator may make: each would change something were its CSRF token
/// right.
const WRITES: &[(&str, &str, Payload)] = &[
    ("/login", "/login", Payload::Form("name=admin&password=correct+horse+battery&next=/&csrf={csrf}")),
    ("/logout", "/logout", Payload::Form("csrf={csrf}")),
    (
        "/account/password",
        "/account/password",
        Payload::Form("csrf={csrf}&current=correct+horse+battery&new=a+brand+new+passphrase"),
    ),
    ("/account/tokens", "/account/tokens", Payload::Form("csrf={csrf}&name=etl&days=30")),
    ("/account/tokens/{id}/revoke", "/account/tokens/1/revoke", Payload::Form("csrf={csrf}")),
    (
        "/admin/users",
        "/admin/users",
        Payload::Form("csrf={csrf}&name=newcomer&password=correct+horse+battery&role=viewer&scope=520000"),
    ),
    ("/admin/users/{name}", "/admin/users/nanming_clerk", Payload::Form("csrf={csrf}&version=1&action=disable")),
    (
        "/designate/commit",
        "/designate/commit",
        Payload::Form(
            "csrf={csrf}&spec=%7B%22name%22%3A%22Crowded%22%2C%22universe%22%3A%7B%22level%22%3A%22county%22%7D%2C%22indicators%22%3A%5B%7B%22code%22%3A%22pop_total%22%2C%22direction%22%3A%22lower_is_better%22%7D%5D%2C%22method%22%3A%7B%22kind%22%3A%22index%22%2C%22bands%22%3A%5B%7B%22upper%22%3A0.5%2C%22label%22%3A%22lagging%22%7D%2C%7B%22upper%22%3A1.0%2C%22label%22%3A%22other%22%7D%5D%7D%7D&year=2020&category=custom%3Acrowded&classes=lagging&basis_title=%E9%80%9A%E7%9F%A5&basis_number=&effective=2021-01-01&transition_until=",
        ),
    ),
    (
        "/monitoring/lines",
        "/monitoring/lines",
        Payload::Form("csrf={csrf}&region=000000&year=2021&amount=6000&rule=poverty_standard&multiple=1.5"),
    ),
    (
        "/households/{id}",
        "/households/520102",
        Payload::Form(
            "csrf={csrf}&version=1&size=3&labor=2&income_pc=8000&income_pc_prev=6000&medical_exp=0&education_exp=0&disaster_loss=0&d_health_ins=1",
        ),
    ),
    (
        "/households/{id}/cases",
        "/households/520103/cases",
        Payload::Form("csrf={csrf}&category=marginal&channel=data_screening&on=2024-03-01&evidence=screening"),
    ),
    (
        "/households/{id}/members",
        "/households/520102/members",
        Payload::Form(
            "csrf={csrf}&version=1&seq=1&name=%E5%BC%A0&sex=female&birth_year=1948&labour=none&schooling=not_in_school&insured=1",
        ),
    ),
    (
        "/cases/{id}/move",
        "/cases/1/move",
        Payload::Form("csrf={csrf}&to=verified&on=2024-03-04&version=1&evidence=visit&notice_end="),
    ),
    (
        "/cases/{id}/measures",
        "/cases/1/measures",
        Payload::Form("csrf={csrf}&kind=employment&description=post&amount=3000&start=2024-03-10"),
    ),
    (
        "/eco/agreements",
        "/eco/agreements",
        Payload::Form(
            "csrf={csrf}&region=520102&spec=%7B%22name%22%3A%22x%22%2C%22upstream%22%3A%22a%22%2C%22downstream%22%3A%22b%22%2C%22section%22%3A%22s%22%2C%22rounds%22%3A%5B%7B%22name%22%3A%221%22%2C%22from%22%3A2020%2C%22to%22%3A2021%2C%22k0%22%3A1%2C%22amount%22%3A1%2C%22indicators%22%3A%5B%7B%22code%22%3A%22tp%22%2C%22weight%22%3A1%2C%22limit%22%3A0.1%7D%5D%7D%5D%7D",
        ),
    ),
    (
        "/eco/agreements/{id}/edit",
        "/eco/agreements/1/edit",
        Payload::Form(
            "csrf={csrf}&version=1&region=520102&spec=%7B%22name%22%3A%22x%22%2C%22upstream%22%3A%22a%22%2C%22downstream%22%3A%22b%22%2C%22section%22%3A%22s%22%2C%22rounds%22%3A%5B%7B%22name%22%3A%221%22%2C%22from%22%3A2020%2C%22to%22%3A2021%2C%22k0%22%3A1%2C%22amount%22%3A1%2C%22indicators%22%3A%5B%7B%22code%22%3A%22tp%22%2C%22weight%22%3A1%2C%22limit%22%3A0.1%7D%5D%7D%5D%7D",
        ),
    ),
    (
        "/eco/agreements/{id}/samples",
        "/eco/agreements/1/samples",
        Payload::Upload("section,date,indicator,upstream,downstream\n南明河断面,2021-06-01,tp,0.2,0.2\n"),
    ),
    ("/eco/agreements/{id}/settle", "/eco/agreements/1/settle", Payload::Form("csrf={csrf}&year=2021")),
    ("/eco/payments/{id}", "/eco/payments/1", Payload::Form("csrf={csrf}&version=1&status=paid&paid_on=2021-03-01")),
    (
        "/eco/esv/specs",
        "/eco/esv/specs",
        Payload::Form(
            "csrf={csrf}&name=esv&spec=%7B%22name%22%3A%22n%22%2C%22grain_yield%22%3A4600%2C%22grain_price%22%3A2.28%7D",
        ),
    ),
    ("/eco/land-use", "/eco/land-use", Payload::Upload("region_code,year,type,hectares\n520102,2021,paddy,100\n")),
    (
        "/eco/gep",
        "/eco/gep",
        Payload::Upload("region_code,year,service,quantity,unit,price,price_method\n520102,2021,food,1,t,1,market\n"),
    ),
    ("/eco/transfer", "/eco/transfer", Payload::Upload("county,standard_expenditure,standard_revenue\nA,800,300\n")),
    (
        "/api/v1/eco/agreements",
        "/api/v1/eco/agreements",
        Payload::Json(
            r#"{"region":"520102","agreement":{"name":"y","upstream":"a","downstream":"b","section":"s","rounds":[{"name":"1","from":2020,"to":2021,"k0":1,"amount":1,"indicators":[{"code":"tp","weight":1,"limit":0.1}]}]}}"#,
        ),
    ),
    (
        "/api/v1/eco/agreements/{id}/edit",
        "/api/v1/eco/agreements/1/edit",
        Payload::Json(
            r#"{"region":"520102","version":1,"agreement":{"name":"y","upstream":"a","downstream":"b","section":"s","rounds":[{"name":"1","from":2020,"to":2021,"k0":1,"amount":1,"indicators":[{"code":"tp","weight":1,"limit":0.1}]}]}}"#,
        ),
    ),
    ("/api/v1/eco/agreements/{id}/settle", "/api/v1/eco/agreements/1/settle", Payload::Json(r#"{"year":2021}"#)),
    (
        "/api/v1/eco/payments/{id}",
        "/api/v1/eco/payments/1",
        Payload::Json(r#"{"status":"paid","version":1,"paid_on":"2021-03-01"}"#),
    ),
    (
        "/api/v1/eco/transfer",
        "/api/v1/eco/transfer",
        Payload::Json(
            r#"{"coefficient":0.5,"prohibited_rate":1,"ranger_standard":1,"counties":[{"county":"A","standard_expenditure":2,"standard_revenue":1}]}"#,
        ),
    ),
    (
        "/sae",
        "/sae",
        Payload::Form(
            "csrf={csrf}&spec=%7B%22name%22%3A%22x%22%2C%22level%22%3A%22county%22%2C%22year%22%3A2020%2C%22direct%22%3A%22pop_total%22%2C%22variance%22%3A%22pop_total%22%2C%22output%22%3A%22pop_sae%22%7D",
        ),
    ),
    (
        "/sae.csv",
        "/sae.csv",
        Payload::Form(
            "csrf={csrf}&spec=%7B%22name%22%3A%22x%22%2C%22level%22%3A%22county%22%2C%22year%22%3A2020%2C%22direct%22%3A%22pop_total%22%2C%22variance%22%3A%22pop_total%22%2C%22output%22%3A%22pop_sae%22%7D",
        ),
    ),
    (
        "/sae/store",
        "/sae/store",
        Payload::Form(
            "csrf={csrf}&spec=%7B%22name%22%3A%22x%22%2C%22level%22%3A%22county%22%2C%22year%22%3A2020%2C%22direct%22%3A%22pop_total%22%2C%22variance%22%3A%22pop_total%22%2C%22output%22%3A%22pop_sae%22%7D",
        ),
    ),
    (
        "/api/v1/sae/fh",
        "/api/v1/sae/fh",
        Payload::Json(r#"{"name":"x","level":"county","year":2020,"direct":"pop_total","variance":"pop_total"}"#),
    ),
    (
        "/api/v1/sae/fh/store",
        "/api/v1/sae/fh/store",
        Payload::Json(
            r#"{"spec":{"name":"x","level":"county","year":2020,"direct":"pop_total","variance":"pop_total","output":"pop_sae"}}"#,
        ),
    ),
    (
        "/pairing/flows",
        "/pairing/flows",
        Payload::Form(
            "csrf={csrf}&program=%E4%B8%9C%E8%A5%BF%E9%83%A8%E5%8D%8F%E4%BD%9C&donor=520100&recipient=520102&year=2021&kind=funds&project=x&amount=5",
        ),
    ),
    (
        "/pairing/flows/import",
        "/pairing/flows/import",
        Payload::Upload(
            "program,donor_code,recipient_code,year,kind,project,amount\n东西部协作,520100,520102,2021,funds,y,5\n",
        ),
    ),
    (
        "/pairing/rules",
        "/pairing/rules",
        Payload::Form(
            "csrf={csrf}&program=%E4%B8%9C%E8%A5%BF%E9%83%A8%E5%8D%8F%E4%BD%9C&donor=520100&kind=revenue_share&share=0.02&lag=1&start_year=2016",
        ),
    ),
    (
        "/api/v1/pairing/flows",
        "/api/v1/pairing/flows",
        Payload::Json(
            r#"{"program":"东西部协作","donor":"520100","recipient":"520102","year":2021,"kind":"funds","project":"z","amount":5}"#,
        ),
    ),
    (
        "/api/v1/pairing/rules",
        "/api/v1/pairing/rules",
        Payload::Json(
            r#"{"program":"东西部协作","donor":"520100","kind":"revenue_share","share":0.02,"start_year":2016}"#,
        ),
    ),
    ("/disasters", "/disasters", Payload::Form("csrf={csrf}&name=x&kind=flood&occurred_on=2021-07-01&region=520102")),
    (
        "/disasters/{id}/import",
        "/disasters/1/import",
        Payload::Upload("county_code,severity,affected\n520102,light,5\n"),
    ),
    (
        "/disasters/{id}/counterparts",
        "/disasters/1/counterparts",
        Payload::Form("csrf={csrf}&pairs=520000%2C520102&start_year=2020"),
    ),
    ("/disasters/{id}/plan", "/disasters/1/plan", Payload::Form("csrf={csrf}&version=1")),
    (
        "/api/v1/disasters",
        "/api/v1/disasters",
        Payload::Json(r#"{"name":"y","kind":"flood","occurred_on":"2021-07-01","region":"520102"}"#),
    ),
    (
        "/api/v1/disasters/{id}/counterparts",
        "/api/v1/disasters/1/counterparts",
        Payload::Json(r#"{"pairs":[["520000","520102"]],"start_year":2020}"#),
    ),
    ("/subsidence/areas", "/subsidence/areas", Payload::Upload("{}")),
    ("/relocation/import", "/relocation/import", Payload::Upload("code,name\nS9,x\n")),
    ("/work-relief/import", "/work-relief/import", Payload::Upload("code,name\nP9,x\n")),
    ("/work-relief/rules", "/work-relief/rules", Payload::Form("csrf={csrf}&from_year=2026&min_share=0.5")),
    (
        "/work-relief/accept",
        "/work-relief/accept",
        Payload::Form("csrf={csrf}&code=NM-P1&version=1&accepted_on=2024-12-01"),
    ),
    ("/api/v1/work-relief/rules", "/api/v1/work-relief/rules", Payload::Json(r#"{"from_year":2026,"min_share":0.5}"#)),
    (
        "/subsidence/places",
        "/subsidence/places",
        Payload::Upload("kind,id,county_code,lon,lat\nvillage,520102009009,520102,106.7,26.5\n"),
    ),
    ("/subsidence/{id}/import", "/subsidence/1/import", Payload::Upload("house_id,strain\nF1,1\n")),
    (
        "/subsidence/{id}/progress",
        "/subsidence/1/progress",
        Payload::Form("csrf={csrf}&version=1&households_to_relocate=10"),
    ),
    (
        "/plans",
        "/plans",
        Payload::Form(
            "csrf={csrf}&title=x&kind=five_year&region=520000&scope_kind=regions&scope=520102,520103&start_year=2021&end_year=2025&office=x",
        ),
    ),
    ("/plans/{id}/status", "/plans/1/status", Payload::Form("csrf={csrf}&to=under_review&version=1")),
    ("/plans/{id}/goals", "/plans/1/goals", Payload::Form("csrf={csrf}&title=growth")),
    (
        "/plans/{id}/targets",
        "/plans/1/targets",
        Payload::Form(
            "csrf={csrf}&goal=1&indicator=pop_total&region=520102&baseline_year=2010&baseline=90&target_year=2025&target=120&binding=1",
        ),
    ),
    (
        "/plans/{id}/targets/{target}",
        "/plans/1/targets/1",
        Payload::Form("csrf={csrf}&baseline_year=2010&baseline=80&target_year=2025&target=130"),
    ),
    (
        "/plans/{id}/edit",
        "/plans/1/edit",
        Payload::Form(
            "csrf={csrf}&title=Renamed&kind=five_year&scope_kind=subtree&scope=520102&start_year=2021&end_year=2026&office=x&version=1",
        ),
    ),
    (
        "/plans/{id}/projects",
        "/plans/1/projects",
        Payload::Form(
            "csrf={csrf}&code=P9&name=well&category=infrastructure&region=520102&start=2022-01-01&end=2024-12-31&budget_central_budget=1000",
        ),
    ),
    (
        "/plans/{id}/projects/import",
        "/plans/1/projects/import",
        Payload::Upload(
            "code,name,category,region_code,lon,lat,start,end,status,percent,goals,budget_central_budget\nP7,road,infrastructure,520102,,,2022-01-01,2023-12-31,,,,10\n",
        ),
    ),
    (
        "/projects/{id}/progress",
        "/projects/1/progress",
        Payload::Form("csrf={csrf}&status=underway&percent=10&version=1"),
    ),
    ("/projects/{id}/milestones", "/projects/1/milestones", Payload::Form("csrf={csrf}&name=survey&due=2023-01-01")),
    (
        "/projects/{id}/disbursements",
        "/projects/1/disbursements",
        Payload::Form("csrf={csrf}&on=2024-03-01&amount=250&source=central_budget"),
    ),
    ("/import", "/import", Payload::Upload("region_code,indicator,period,value\n520102,pop_total,2021,1\n")),
    ("/sae/ebp", "/sae/ebp", Payload::Upload("domain,y,x1\n520102,9000,1\n")),
    ("/api/v1/sae/ebp", "/api/v1/sae/ebp", Payload::Upload("domain,y,x1\n520102,9000,1\n")),
    ("/import/confirm", "/import/confirm", Payload::Form("csrf={csrf}&upload={upload}&kind=observations")),
    // The API's write: a session caller's token goes in X-CSRF-Token, which
    // this request lacks.
    (
        "/api/v1/observations",
        "/api/v1/observations",
        Payload::Form("region_code,indicator,period,value\n520102,pop_total,2021,1\n"),
    ),
    (
        "/api/v1/plans",
        "/api/v1/plans",
        Payload::Json(
            r#"{"title":"t","kind":"special","region":"520102","scope_kind":"subtree","scope":"520102","start_year":2021,"end_year":2025}"#,
        ),
    ),
    (
        "/api/v1/plans/{id}/edit",
        "/api/v1/plans/1/edit",
        Payload::Json(
            r#"{"title":"t","kind":"special","scope_kind":"subtree","scope":"520102","start_year":2021,"end_year":2025,"version":1}"#,
        ),
    ),
    ("/api/v1/plans/{id}/status", "/api/v1/plans/1/status", Payload::Json(r#"{"to":"under_review","version":1}"#)),
    ("/api/v1/plans/{id}/goals", "/api/v1/plans/1/goals", Payload::Json(r#"{"title":"g"}"#)),
    (
        "/api/v1/plans/{id}/targets",
        "/api/v1/plans/1/targets",
        Payload::Json(
            r#"{"goal":1,"indicator":"pop_total","baseline_year":2020,"baseline":1,"target_year":2025,"target":2}"#,
        ),
    ),
    (
        "/api/v1/plans/{id}/targets/{target}",
        "/api/v1/plans/1/targets/1",
        Payload::Json(r#"{"baseline_year":2020,"baseline":1,"target_year":2025,"target":3}"#),
    ),
    (
        "/api/v1/plans/{id}/projects",
        "/api/v1/plans/1/projects",
        Payload::Json(
            r#"{"code":"P8","name":"n","category":"infrastructure","region":"520102","start":"2022-01-01","end":"2023-01-01"}"#,
        ),
    ),
    (
        "/api/v1/projects/{id}/progress",
        "/api/v1/projects/1/progress",
        Payload::Json(r#"{"status":"underway","percent":10,"version":1}"#),
    ),
    (
        "/api/v1/projects/{id}/milestones",
        "/api/v1/projects/1/milestones",
        Payload::Json(r#"{"name":"m","due":"2023-01-01"}"#),
    ),
    (
        "/api/v1/projects/{id}/disbursements",
        "/api/v1/projects/1/disbursements",
        Payload::Json(r#"{"on":"2024-03-01","amount":250,"source":"central_budget"}"#),
    ),
    (
        "/api/v1/households/{id}/cases",
        "/api/v1/households/520102/cases",
        Payload::Json(r#"{"category":"marginal","channel":"data_screening","on":"2024-03-01"}"#),
    ),
    (
        "/api/v1/cases/{id}/move",
        "/api/v1/cases/1/move",
        Payload::Json(r#"{"to":"verified","on":"2024-03-02","version":1}"#),
    ),
    (
        "/api/v1/cases/{id}/measures",
        "/api/v1/cases/1/measures",
        Payload::Json(r#"{"kind":"employment","start":"2024-03-02"}"#),
    ),
    ("/designate/specs", "/designate/specs", Payload::Form("csrf={csrf}&name=forged&spec=%7B%7D&year=2020")),
    ("/allocate/specs", "/allocate/specs", Payload::Form("csrf={csrf}&name=forged&spec=%7B%7D&year=2020")),
    (
        "/api/v1/specs",
        "/api/v1/specs",
        Payload::Json(
            r#"{"kind":"designation","name":"forged","spec":{"name":"x","universe":{"level":"county"},"indicators":[{"code":"pop_total"}],"method":{"kind":"index","bands":[{"upper":1.0,"label":"all"}]}}}"#,
        ),
    ),
    (
        "/api/v1/designate/commit",
        "/api/v1/designate/commit",
        Payload::Json(
            r#"{"spec":{"name":"x","universe":{"level":"county"},"indicators":[{"code":"pop_total","direction":"lower_is_better"}],"method":{"kind":"index","bands":[{"upper":0.5,"label":"lagging"},{"upper":1.0,"label":"other"}]}},"year":2020,"category":"poverty_county","classes":["lagging"],"basis_title":"b","effective":"2024-01-01"}"#,
        ),
    ),
];

/// What a forged write could change: the data version and the audit log.
async fn footprint(app: &App) -> (i64, usize) {
    let version = app.test_store().data_version().await.unwrap();
    let audit = app.test_store().audit_log(&Default::default(), 100_000).await.unwrap().len();
    (version, audit)
}

both_backends!(every_write_refuses_a_forged_csrf_token, |store: DynStore| async move {
    let admin = fixture(store).await;
    let mut listed: Vec<&str> = WRITES.iter().map(|(route, ..)| *route).collect();
    let mut writes: Vec<String> = revita_web::route_methods()
        .into_iter()
        .filter(|(_, method)| method == axum::http::Method::POST)
        .map(|(path, _)| path)
        .collect();
    listed.sort();
    writes.sort();
    assert_eq!(listed, writes, "every write route needs a row in WRITES, and every row a write route");

    // What the writes act on: a user, an API token, a case, a project and a
    // checked upload, each made with the right token.
    let _clerk = log_in(&admin, "nanming_clerk", Role::DataEntry, "520102").await;
    let form_type = "application/x-www-form-urlencoded";
    let ok = |body: &str| body.replace("{csrf}", &admin.csrf);
    let (status, page) =
        pages::post(&admin, "/account/tokens", form_type, &admin.cookie, ok("csrf={csrf}&name=a&days=3")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let case = "csrf={csrf}&category=marginal&channel=data_screening&on=2024-03-01&evidence=screening";
    let (status, page) = pages::post(&admin, "/households/520102/cases", form_type, &admin.cookie, ok(case)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let project = "csrf={csrf}&code=P1&name=water&category=infrastructure&region=520102&start=2022-01-01&end=2024-12-31&budget_central_budget=1000";
    let (status, page) = pages::post(&admin, "/plans/1/projects", form_type, &admin.cookie, ok(project)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let multipart_type = "multipart/form-data; boundary=XBOUNDARYX";
    let csv = "region_code,indicator,period,value\n520102,pop_total,2021,1\n";
    let body = pages::multipart(&admin.csrf, "observations", "o.csv", csv);
    let (status, page) = pages::post(&admin, "/import", multipart_type, &admin.cookie, body).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let upload = pages::input_value(&page, "upload");

    let before = footprint(&admin).await;
    for (route, uri, payload) in WRITES {
        let (content_type, body) = match payload {
            Payload::Form(form) => (form_type, form.replace("{csrf}", FORGED).replace("{upload}", &upload)),
            Payload::Upload(csv) => (multipart_type, pages::multipart(FORGED, "observations", "f.csv", csv)),
            Payload::Json(json) => ("application/json", json.to_string()),
        };
        // The login form has no session: its token is paired with a cookie.
        let cookie =
            if *route == "/login" { format!("revita_login_csrf={}", "1".repeat(64)) } else { admin.cookie.clone() };
        let (status, page) = pages::post(&admin, uri, content_type, &cookie, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{route}: {page}");
        assert_eq!(footprint(&admin).await, before, "{route}: a forged request changed something");
    }
    // The session survived its forged log-out, and nobody's password changed.
    assert_eq!(get_text(&admin, "/account/tokens", &[]).await.0, StatusCode::OK);
    assert!(admin.login("admin", PASSWORD, &revita_app::auth::Origin::default()).await.is_ok());
});
