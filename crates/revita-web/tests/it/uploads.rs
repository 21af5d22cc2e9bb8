//! Uploads: streamed to a private directory, refused past the limit, kept
//! for their owner only, and removed once confirmed, refused or expired.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use revita_methods::access::Role;
use revita_web::{Options, UploadSettings, Uploads};

use super::*;

const MULTIPART: &str = "multipart/form-data; boundary=XBOUNDARYX";
const GOOD: &str = "region_code,indicator,period,value\n520102,pop_total,2021,110\n";

/// The fixture's administrator on a server whose uploads wait in a directory
/// of the test's, with `settings`.
async fn server(store: DynStore, settings: UploadSettings) -> (Client, tempfile::TempDir, PathBuf) {
    let admin = fixture(store).await;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("uploads");
    let uploads = Uploads::in_dir(&dir, settings).unwrap();
    let router =
        revita_web::router_with_options(admin.app.clone(), Options { public: vec![], uploads, ..Options::default() });
    (admin.on(&router), root, dir)
}

/// The files in the upload directory.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// POSTs `body` with extra headers; returns the status and the page.
async fn send(
    client: &Client,
    uri: &str,
    content_type: &str,
    body: Body,
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", content_type)
        .header("cookie", &client.cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client.router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn check(client: &Client, csv: &str) -> (StatusCode, String) {
    let body = pages::multipart(&client.csrf, "observations", "o.csv", csv);
    pages::post(client, "/import", MULTIPART, &client.cookie, body).await
}

async fn confirm(client: &Client, upload: &str) -> (StatusCode, String) {
    let form = format!("csrf={}&upload={upload}&kind=observations", client.csrf);
    pages::post(client, "/import/confirm", "application/x-www-form-urlencoded", &client.cookie, form).await
}

both_backends!(an_upload_over_the_limit_is_refused_with_413_and_leaves_nothing, |store: DynStore| async move {
    let settings = UploadSettings { max_bytes: 1000, ..UploadSettings::DEFAULT };
    let (admin, _root, dir) = server(store, settings).await;
    let big = format!("{GOOD}{}", "520102,pop_total,2021,110\n".repeat(100));
    assert!(big.len() > 1000);
    let just_right = format!("{GOOD}{}", "x".repeat(1000 - GOOD.len()));
    assert_eq!(just_right.len(), 1000);

    // Streamed: refused as the count passes the limit, in the page's language.
    let body = || Body::from(pages::multipart(&admin.csrf, "observations", "big.csv", &big));
    let (status, page) = send(&admin, "/import", MULTIPART, body(), &[("accept-language", "en")]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{page}");
    assert!(
        page.contains("Upload too large") && page.contains("the file is over the upload limit of this server: 1 MB"),
        "{page}"
    );
    let (status, page) = send(&admin, "/import", MULTIPART, body(), &[("accept-language", "zh")]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("上传文件过大") && page.contains("文件超过本服务器的上传上限： 1 MB"), "{page}");
    assert_eq!(files(&dir), Vec::<String>::new(), "the partial file is removed");

    // Declared too large: refused before the body is read.
    let declared = (settings.max_request_bytes() + 1).to_string();
    let (status, _) =
        send(&admin, "/import", MULTIPART, Body::from("never read"), &[("content-length", declared.as_str())]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    // A body past the route's limit (file and multipart overhead), and a
    // field beside the file that is far too long: 413 too, not a 500.
    let huge = pages::multipart(&admin.csrf, "observations", "huge.csv", &"9".repeat(2 << 20));
    let (status, _) = send(&admin, "/import", MULTIPART, Body::from(huge), &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let long_field = pages::multipart(&"a".repeat(200_000), "observations", "o.csv", GOOD);
    let (status, _) = send(&admin, "/import", MULTIPART, Body::from(long_field), &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let b = "XBOUNDARYX";
    let padding = format!("--{b}\r\nContent-Disposition: form-data; name=\"pad\"\r\n\r\n{}\r\n", "p".repeat(40_000));
    let many_fields = format!("{}{}", padding.repeat(40), pages::multipart(&admin.csrf, "observations", "o.csv", GOOD));
    assert!(many_fields.len() as u64 > settings.max_request_bytes());
    let (status, _) = send(&admin, "/import", MULTIPART, Body::from(many_fields), &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "the route's body limit");
    // The project import has the same limit.
    let body = pages::multipart(&admin.csrf, "observations", "projects.csv", &big);
    let (status, _) = send(&admin, "/plans/1/projects/import", MULTIPART, Body::from(body), &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(files(&dir), Vec::<String>::new());

    // A file of exactly the limit is fine.
    let (status, page) = check(&admin, &just_right).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "checked (and refused for its content): {page}");
    assert_eq!(files(&dir), Vec::<String>::new(), "a refused dry run leaves nothing");
});

both_backends!(uploads_are_private_to_the_server_and_their_owner, |store: DynStore| async move {
    let (admin, _root, dir) = server(store, UploadSettings::DEFAULT).await;
    let (status, page) = check(&admin, GOOD).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let upload = pages::input_value(&page, "upload");
    assert_eq!(files(&dir), [format!("{upload}.csv"), format!("{upload}.meta")]);
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    for name in files(&dir) {
        let mode = std::fs::metadata(dir.join(&name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }

    // Another user of the same server cannot confirm it: it reads as expired,
    // and stays for its owner.
    let router = admin.router.clone();
    let other = log_in(&admin, "gz_clerk", Role::DataEntry, "520000").await.on(&router);
    let (status, page) = confirm(&other, &upload).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("上传已过期，请重新上传。"), "{page}");
    assert_eq!(files(&dir).len(), 2);
    let (status, page) = confirm(&admin, "f".repeat(64).as_str()).await;
    assert!(status == StatusCode::BAD_REQUEST && page.contains("上传已过期"), "an unknown id reads the same");

    // The owner confirms; the upload is gone afterwards, and a second
    // confirmation finds nothing, even while the first is still running.
    let (first, second) = tokio::join!(confirm(&admin, &upload), confirm(&admin, &upload));
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::BAD_REQUEST], "one confirmation imports");
    assert_eq!(files(&dir), Vec::<String>::new());
    let (status, _) = confirm(&admin, &upload).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let audit = admin.test_store().audit_log(&Default::default(), 100).await.unwrap();
    // (The fixture's own imports are the system's.)
    let by_user = audit.iter().filter(|e| e.action.starts_with("import") && e.actor != "system").count();
    assert_eq!(by_user, 1, "imported once");

    // A forged form writes nothing to disk; a rejected file is removed.
    let forged = pages::multipart("forged", "observations", "o.csv", GOOD);
    let (status, _) = pages::post(&admin, "/import", MULTIPART, &admin.cookie, forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = check(&admin, "region_code,indicator,period,value\n520102,pop_total,2021,x\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = check(&other, "region_code,indicator,period,value\n520103,nonsense,2021,1\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(files(&dir), Vec::<String>::new());
});

both_backends!(expired_uploads_are_swept, |store: DynStore| async move {
    let settings = UploadSettings { ttl: Duration::ZERO, ..UploadSettings::DEFAULT };
    let (admin, _root, dir) = server(store, settings).await;
    let (status, page) = check(&admin, GOOD).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let first = pages::input_value(&page, "upload");
    std::thread::sleep(Duration::from_millis(20));
    // The next upload sweeps the first, already past its time to live.
    let (status, page) = check(&admin, GOOD).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let second = pages::input_value(&page, "upload");
    assert_eq!(files(&dir), [format!("{second}.csv"), format!("{second}.meta")]);
    let (status, page) = confirm(&admin, &first).await;
    assert!(status == StatusCode::BAD_REQUEST && page.contains("上传已过期"), "{page}");
});

#[test]
fn an_upload_directory_is_swept_when_opened_and_must_be_private() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("uploads");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let refused = Uploads::in_dir(&dir, UploadSettings::DEFAULT).unwrap_err();
    assert!(refused.to_string().contains("may be read by other users"), "{refused}");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let two_hours_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    let old = format!("{}.csv", "a".repeat(64));
    for name in [old.as_str(), "notes.txt"] {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        file.set_modified(two_hours_ago).unwrap();
    }
    let fresh = format!("{}.meta", "b".repeat(64));
    std::fs::write(dir.join(&fresh), "").unwrap();
    let uploads = Uploads::in_dir(&dir, UploadSettings::DEFAULT).unwrap();
    assert_eq!(files(&dir), [fresh.as_str(), "notes.txt"], "only expired uploads go");
    assert_eq!(uploads.dir().unwrap(), dir);
    // A directory made for uploads is private.
    let made = root.path().join("new/uploads");
    Uploads::in_dir(&made, UploadSettings::DEFAULT).unwrap();
    assert_eq!(std::fs::metadata(&made).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn a_temporary_upload_directory_is_private_and_removed_with_its_server() {
    let uploads = Uploads::temporary(UploadSettings::DEFAULT);
    let dir = uploads.dir().unwrap();
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(uploads.dir().unwrap(), dir, "made once");
    drop(uploads);
    assert!(!dir.exists());
}

both_backends!(a_file_refused_only_for_stored_values_can_replace_them, |store: DynStore| async move {
    // Issue 13: the web pre-check finds values already stored and offers to
    // replace them; the values replaced are kept and the change audited.
    let (admin, _root, dir) = server(store, UploadSettings::DEFAULT).await;
    let (status, page) = check(&admin, "region_code,indicator,period,value\n520102,pop_total,2020,150\n").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("stored value 100, this file 150") && page.contains("id=\"confirm-replace\""), "{page}");
    assert_eq!(files(&dir).len(), 2, "the upload is kept for the replacement");
    let upload = page.split("name=\"upload\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let form = format!("csrf={}&upload={upload}&replace=1", admin.csrf);
    let (status, done) =
        pages::post(&admin, "/import/confirm", "application/x-www-form-urlencoded", &admin.cookie, form).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let query = revita_app::ObservationQuery {
        region: Some(revita_methods::RegionCode::parse("520102").unwrap()),
        ..Default::default()
    };
    let stored = admin.test_store().observations(&query, None, 10).await.unwrap();
    assert_eq!(stored[0].value, 150.0);
    let entry = admin.test_store().audit_log(&Default::default(), 1).await.unwrap().remove(0);
    assert_eq!(entry.action, "import.observations");
    let change_id =
        entry.before.as_deref().unwrap().split("\"revisions\":\"").nth(1).unwrap().split('"').next().unwrap();
    let kept = admin.test_store().observation_revisions(change_id).await.unwrap();
    assert_eq!(kept.iter().map(|o| o.value).collect::<Vec<_>>(), [100.0]);
    // A file with other problems gets no such offer.
    let (_, page) =
        check(&admin, "region_code,indicator,period,value\n520102,pop_total,2020,150\n520102,pop_total,2021,x\n").await;
    assert!(!page.contains("confirm-replace"), "{page}");
});
