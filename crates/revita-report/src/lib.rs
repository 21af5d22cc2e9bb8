//! Renderings of method results as strings: choropleth maps and charts in
//! SVG, drawn by hand so that they need no JavaScript, no fonts on the
//! server and no browser-side library. No IO: callers write the strings
//! wherever they go (a web page, a report, a file).

pub mod chart;
pub mod map;
pub mod palette;
pub mod projection;
pub mod svg;
