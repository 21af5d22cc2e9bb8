//! Administration: users and their roles (for administrators, within their
//! jurisdiction) and the audit log (for auditors and administrators).

pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/admin/users", pages::users_index),
        post("/admin/users", pages::users_create),
        post("/admin/users/{name}", pages::users_update),
        get("/audit", pages::audit_index),
        get("/audit.csv", pages::audit_csv),
    ]
}
