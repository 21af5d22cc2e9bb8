//! Ecological compensation (issue 19): basin agreements, their samples,
//! settlements, statements and payments ledger; ecosystem-service value and
//! GEP; the key ecological function zone transfer (pages); the same as
//! JSON (API).

mod api;
pub(crate) mod i18n;
mod pages;
mod values;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/eco", pages::eco_page),
        post("/eco/agreements", pages::agreement_create),
        get("/eco/agreements/{id}", pages::agreement_page),
        post("/eco/agreements/{id}/edit", pages::agreement_edit),
        upload("/eco/agreements/{id}/samples", pages::agreement_samples),
        post("/eco/agreements/{id}/settle", pages::agreement_settle),
        get("/eco/agreements/{id}/statements/{file}", pages::statement),
        post("/eco/payments/{id}", pages::payment_record),
        get("/eco/ledger", pages::ledger_page),
        get("/eco/esv", values::esv_page),
        post("/eco/esv/specs", values::esv_save),
        upload("/eco/land-use", values::land_use_upload),
        upload("/eco/gep", values::gep_upload),
        get("/eco/transfer", values::transfer_page),
        upload("/eco/transfer", values::transfer_run),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/eco/agreements", api::agreements),
        get("/eco/agreements.csv", api::agreements),
        post("/eco/agreements", api::agreement_create),
        get("/eco/agreements/{id}", api::agreement),
        post("/eco/agreements/{id}/edit", api::agreement_edit),
        post("/eco/agreements/{id}/settle", api::agreement_settle),
        get("/eco/payments", api::payments),
        get("/eco/payments.csv", api::payments),
        post("/eco/payments/{id}", api::payment_record),
        get("/eco/esv", api::esv),
        get("/eco/esv.csv", api::esv),
        get("/eco/gep", api::gep),
        get("/eco/gep.csv", api::gep),
        upload("/eco/transfer", api::transfer),
    ]
}
