//! Who is asking: the session cookie (browsers) or a bearer token (API
//! clients) becomes a [`Viewer`] in the request's extensions. Without one,
//! pages redirect to the login page and the API answers 401 — except the
//! public paths (login, static assets, health, the language switch) and the
//! pages an operator chose to publish (`revita serve --public map,indicators`).
//!
//! The session cookie is HttpOnly, SameSite=Lax, and Secure when the request
//! arrived over TLS (as a proxy's `X-Forwarded-Proto: https` says). Forms of
//! a session carry its CSRF token, checked by [`Viewer::check_csrf`].
//!
//! The login form comes before any session, so it carries a token of its
//! own: a random value set in a short-lived cookie only `/login` sees
//! ([`LOGIN_CSRF_COOKIE`], HttpOnly, SameSite=Strict) and repeated in the
//! form. A login whose form does not repeat its cookie is refused, so that
//! another site cannot log a browser into an account of the attacker's
//! choosing (login CSRF).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use revita_app::AppError;
use revita_app::auth::{Actor, Origin, constant_time_eq};

use crate::request_id::RequestId;
use crate::state::WebState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "revita_session";

/// The login form's CSRF cookie (see the module docs).
pub const LOGIN_CSRF_COOKIE: &str = "revita_login_csrf";

/// How long a login form stays valid, in seconds.
pub(crate) const LOGIN_FORM_SECONDS: i64 = 3600;

/// The user behind a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The actor.
    pub actor: Actor,
    /// The session's CSRF token (none for bearer tokens and anonymous readers).
    pub csrf: Option<String>,
    /// The session token, for logging out.
    pub session: Option<String>,
    /// An anonymous reader of published pages.
    pub anonymous: bool,
}

impl Viewer {
    /// Fails unless `submitted` is this session's CSRF token. Bearer-token
    /// clients send no cookies, so cross-site forgery cannot ride on them.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        match &self.csrf {
            Some(expected) if constant_time_eq(expected, submitted) => Ok(()),
            None if self.session.is_none() && !self.anonymous => Ok(()),
            _ => Err(AppError::Forbidden(
                "the form has expired or did not come from this site; reload the page and try again".into(),
            )),
        }
    }
}

/// Pages an operator may publish for anonymous reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicPage {
    /// The home map and its SVG.
    Map,
    /// The indicator catalogue and pages.
    Indicators,
}

impl PublicPage {
    /// Parses `map` or `indicators`.
    pub fn parse(text: &str) -> Option<PublicPage> {
        match text.trim() {
            "map" => Some(PublicPage::Map),
            "indicators" => Some(PublicPage::Indicators),
            _ => None,
        }
    }

    fn covers(self, path: &str) -> bool {
        match self {
            PublicPage::Map => path == "/" || path == "/maps/map.svg",
            PublicPage::Indicators => path == "/indicators" || path.starts_with("/indicators/"),
        }
    }
}

fn always_public(path: &str) -> bool {
    path == "/login" || path == "/health" || path.starts_with("/static/") || path.starts_with("/lang/")
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(&format!("{name}=")).map(str::to_string))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// Now, Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// The header carrying the client's socket address to handlers; set by
/// [`authenticate`] from the connection itself, never taken from a client.
pub const PEER_HEADER: &str = "x-revita-peer";

/// The request's origin for the audit log. The client address is the
/// connection's peer: `X-Forwarded-For` is not trusted, since any client
/// can set it (to dodge the per-address login throttle, or to lock someone
/// else out).
pub fn origin(headers: &HeaderMap, id: &RequestId) -> Origin {
    let client = headers.get(PEER_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    Origin { now: now(), request_id: Some(id.0.clone()), client_addr: client }
}

/// Middleware: establishes the viewer or refuses the request.
pub async fn authenticate(State(state): State<WebState>, mut request: Request, next: Next) -> Response {
    // The peer address comes from the connection, replacing anything the
    // client sent under the same name.
    let peer =
        request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
    request.headers_mut().remove(PEER_HEADER);
    if let Some(peer) = peer.and_then(|p| axum::http::HeaderValue::from_str(&p).ok()) {
        request.headers_mut().insert(PEER_HEADER, peer);
    }
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let found = match (bearer(&headers), cookie(&headers, SESSION_COOKIE)) {
        (Some(token), _) => state
            .app
            .token_actor(&token, now())
            .await
            .map(|a| a.map(|actor| Viewer { actor, csrf: None, session: None, anonymous: false })),
        (None, Some(token)) => state.app.session_actor(&token, now()).await.map(|a| {
            a.map(|(actor, csrf)| Viewer { actor, csrf: Some(csrf), session: Some(token.clone()), anonymous: false })
        }),
        (None, None) => Ok(None),
    };
    let viewer = match found {
        Ok(viewer) => viewer,
        Err(e) => return crate::error::ApiError::new(e, "auth").into_response(),
    };
    let viewer = match viewer {
        Some(v) => Some(v),
        None if state.public.iter().any(|p| p.covers(&path)) => match state.app.anonymous_actor().await {
            Ok(actor) => Some(Viewer { actor, csrf: None, session: None, anonymous: true }),
            Err(e) => return crate::error::ApiError::new(e, "auth").into_response(),
        },
        None => None,
    };
    match viewer {
        Some(v)
            if v.actor.must_change_password
                && !["/account/password", "/logout"].contains(&path.as_str())
                && !always_public(&path) =>
        {
            Redirect::to("/account/password").into_response()
        }
        Some(v) => {
            request.extensions_mut().insert(v);
            next.run(request).await
        }
        None if always_public(&path) => next.run(request).await,
        None if path.starts_with("/api/") => {
            let id = request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
            crate::error::ApiError::new(
                AppError::Unauthorized("log in or send an API token (Authorization: Bearer …)".into()),
                &id,
            )
            .into_response()
        }
        None => {
            let target = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
            Redirect::to(&format!("/login?next={}", urlencode(&target))).into_response()
        }
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether the request arrived over TLS, as a proxy's
/// `X-Forwarded-Proto: https` says: cookies are then Secure.
pub(crate) fn is_secure(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").is_some_and(|v| v == "https")
}
