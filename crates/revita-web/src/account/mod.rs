//! A user's own account: logging in and out, the password, personal API
//! tokens.

pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/login", pages::login_form),
        post("/login", pages::login_submit),
        post("/logout", pages::logout),
        get("/account/password", pages::password_form),
        post("/account/password", pages::password_submit),
        get("/account/tokens", pages::tokens_index),
        post("/account/tokens", pages::tokens_create),
        post("/account/tokens/{id}/revoke", pages::tokens_revoke),
    ]
}
