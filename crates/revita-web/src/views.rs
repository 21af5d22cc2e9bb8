//! Server-rendered pages: minijinja templates compiled into the binary, one
//! context per page, and the `t` function that translates message keys into
//! the request's language.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Value;
use minijinja::{Environment, State};

use crate::i18n::Lang;

/// The templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("regions.html", include_str!("../templates/regions.html")),
    ("region.html", include_str!("../templates/region.html")),
    ("indicators.html", include_str!("../templates/indicators.html")),
    ("indicator.html", include_str!("../templates/indicator.html")),
    ("designate.html", include_str!("../templates/designate.html")),
    ("allocate.html", include_str!("../templates/allocate.html")),
    ("eco.html", include_str!("../templates/eco.html")),
    ("upload_result.html", include_str!("../templates/upload_result.html")),
    ("pairing.html", include_str!("../templates/pairing.html")),
    ("disasters.html", include_str!("../templates/disasters.html")),
    ("subsidence.html", include_str!("../templates/subsidence.html")),
    ("resource_cities.html", include_str!("../templates/resource_cities.html")),
    ("resource_city.html", include_str!("../templates/resource_city.html")),
    ("relocation.html", include_str!("../templates/relocation.html")),
    ("relocation_assign.html", include_str!("../templates/relocation_assign.html")),
    ("relocation_site.html", include_str!("../templates/relocation_site.html")),
    ("work_relief.html", include_str!("../templates/work_relief.html")),
    ("sae.html", include_str!("../templates/sae.html")),
    ("sae_ebp.html", include_str!("../templates/sae_ebp.html")),
    ("subsidence_area.html", include_str!("../templates/subsidence_area.html")),
    ("disaster.html", include_str!("../templates/disaster.html")),
    ("brief.html", include_str!("../templates/brief.html")),
    ("eco_agreement.html", include_str!("../templates/eco_agreement.html")),
    ("eco_ledger.html", include_str!("../templates/eco_ledger.html")),
    ("eco_esv.html", include_str!("../templates/eco_esv.html")),
    ("eco_transfer.html", include_str!("../templates/eco_transfer.html")),
    ("saved_banner.html", include_str!("../templates/saved_banner.html")),
    ("saved_specs.html", include_str!("../templates/saved_specs.html")),
    ("monitoring.html", include_str!("../templates/monitoring.html")),
    ("household.html", include_str!("../templates/household.html")),
    ("lines.html", include_str!("../templates/lines.html")),
    ("plans.html", include_str!("../templates/plans.html")),
    ("plan.html", include_str!("../templates/plan.html")),
    ("plan_print.html", include_str!("../templates/plan_print.html")),
    ("import.html", include_str!("../templates/import.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("api.html", include_str!("../templates/api.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("password.html", include_str!("../templates/password.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("tokens.html", include_str!("../templates/tokens.html")),
    ("audit.html", include_str!("../templates/audit.html")),
];

/// `t("key")` in templates: the message in the page's language.
fn translate(state: &State, key: &str) -> String {
    let lang = state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or(Lang::Zh);
    lang.t(key).to_string()
}

/// Builds the template environment.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("the built-in templates parse (a test renders each)");
    }
    env.add_function("t", translate);
    env.add_filter("num", number);
    env
}

/// `{{ x | num }}`: a number with thousands separators and at most two
/// decimals (`32754.0` → `32,754`); `{{ x | num(0) }}` for whole numbers.
/// Text passes through unchanged.
fn number(value: minijinja::Value, decimals: Option<usize>) -> minijinja::Value {
    match f64::try_from(value.clone()) {
        Ok(x) if !value.is_undefined() && !value.is_none() => {
            minijinja::Value::from(revita_report::svg::format_number(x, decimals.unwrap_or(2)))
        }
        _ => value,
    }
}

/// What every page knows about its request.
#[derive(Debug, Clone)]
pub struct PageContext {
    /// The language.
    pub lang: Lang,
    /// The request path with query, for the language switch to return to.
    pub path: String,
    /// The logged-in user's name and session CSRF token, if any.
    pub user: Option<(String, String)>,
    /// What the navigation offers the user: imports, users, the audit log
    /// (each request is still checked where it acts).
    pub may: Offers,
}

/// The parts of the site a user's roles reach.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Offers {
    /// Entering and importing data.
    pub import: bool,
    /// Managing users.
    pub users: bool,
    /// Reading the audit log.
    pub audit: bool,
}

impl PageContext {
    /// From the request's headers and URI.
    pub fn new(headers: &HeaderMap, path: String) -> PageContext {
        PageContext { lang: Lang::from_headers(headers), path, user: None, may: Offers::default() }
    }

    /// With the logged-in user (shown in the header, with a log-out form).
    pub fn viewer(mut self, viewer: Option<&crate::auth::Viewer>) -> PageContext {
        let user = viewer.filter(|v| !v.anonymous);
        self.user = user.map(|v| (v.actor.name.clone(), v.csrf.clone().unwrap_or_default()));
        if let Some(v) = user {
            use revita_methods::access::Action;
            let access = &v.actor.access;
            self.may = Offers {
                import: access.may_anywhere(Action::EditData),
                users: access.may_anywhere(Action::ManageUsers),
                audit: access.may_anywhere(Action::ReadAudit),
            };
        }
        self
    }

    /// Translates a key.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
}

/// Renders `template` with the page's own values merged over the common ones.
pub fn render(
    env: &Environment<'static>,
    template: &str,
    page: &PageContext,
    title: &str,
    values: Value,
) -> Result<String, minijinja::Error> {
    let other = match page.lang {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    let common = minijinja::context! {
        lang => page.lang.code(),
        lang_tag => page.lang.tag(),
        other_lang => other.code(),
        path => page.path.clone(),
        title => title,
        user => page.user.as_ref().map(|(name, _)| name.clone()),
        session_csrf => page.user.as_ref().map(|(_, csrf)| csrf.clone()),
        may => minijinja::value::Value::from(minijinja::value::Serde(page.may)),
    };
    let ctx = minijinja::context! { ..values, ..common };
    env.get_template(template)?.render(ctx)
}

/// An HTML response.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}
