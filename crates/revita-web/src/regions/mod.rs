//! Regions: the home map, search, a region's profile and its children's
//! table (pages); regions, observations, designations, roll-ups, the
//! inventory and map data (API).

mod api;
pub(crate) mod dto;
pub(crate) mod i18n;
mod pages;

use crate::{Route, get, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/", pages::home_show),
        get("/maps/map.svg", pages::map_svg),
        get("/regions", pages::region_index),
        get("/regions/{code}", pages::region_show),
        get("/regions/{code}/children.csv", pages::region_children_csv),
        get("/regions/{code}/children.xlsx", pages::region_children_xlsx),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/regions/{code}", api::region_show),
        get("/regions/{code}/children", api::region_children),
        get("/regions/{code}/children.csv", api::region_children),
        get("/regions/{code}/descendants", api::region_descendants),
        get("/regions/{code}/descendants.csv", api::region_descendants),
        get("/regions/{code}/designations", api::region_designations),
        get("/regions/{code}/designations.csv", api::region_designations),
        get("/regions/{code}/boundary", api::region_boundary),
        get("/regions/{code}/profile", api::region_profile),
        get("/search", api::region_search),
        get("/search.csv", api::region_search),
        get("/observations", api::observation_list),
        upload("/observations", api::observation_import),
        get("/observations.csv", api::observation_csv),
        get("/designations", api::designation_list),
        get("/designations.csv", api::designation_list),
        get("/rollup", api::rollup_show),
        get("/inventory", api::inventory_show),
        get("/map", api::map_geojson),
    ]
}
