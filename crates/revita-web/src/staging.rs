//! Where uploaded files wait while they are checked: a private directory
//! (mode 0700) of files only the server's user may read (mode 0600).
//!
//! An upload is streamed to disk chunk by chunk, never held in memory, and
//! stops with [`Refusal::TooLarge`] as soon as it passes the configured
//! limit, its partial file removed. Each upload is `<id>.<ext>` with a
//! sidecar `<id>.meta` naming its owner (the user id), its creation time,
//! what it was checked as and the file name the user gave; the id is 256
//! random bits. A [`Staged`] upload removes its files when dropped unless it
//! is kept for a later confirmation, and only its owner may claim it then,
//! within [`UploadSettings::ttl`]: anyone else's claim is answered like an
//! expired one. Expired uploads are swept whenever a new one arrives and
//! when a directory is opened (at server start).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::extract::Multipart;
use axum::http::StatusCode;
use revita_app::AppError;
use tokio::io::AsyncWriteExt;

/// The largest form field beside the file (CSRF token, kind, …).
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// What a multipart request may carry beside its file: boundaries, part
/// headers and the small fields.
pub const MULTIPART_OVERHEAD_BYTES: u64 = 1024 * 1024;

/// The limits of uploads.
#[derive(Debug, Clone, Copy)]
pub struct UploadSettings {
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
    /// How long an upload waits for its confirmation.
    pub ttl: Duration,
}

impl UploadSettings {
    /// 200 MiB, one hour.
    pub const DEFAULT: UploadSettings =
        UploadSettings { max_bytes: 200 * 1024 * 1024, ttl: Duration::from_secs(60 * 60) };

    /// The largest request body an upload route reads: the file and the
    /// multipart overhead.
    pub fn max_request_bytes(&self) -> u64 {
        self.max_bytes.saturating_add(MULTIPART_OVERHEAD_BYTES)
    }
}

impl Default for UploadSettings {
    fn default() -> UploadSettings {
        UploadSettings::DEFAULT
    }
}

/// The upload directory of one server. Cheap to clone.
#[derive(Clone)]
pub struct Uploads {
    inner: Arc<Inner>,
}

struct Inner {
    place: Place,
    settings: UploadSettings,
}

enum Place {
    /// A directory the operator chose.
    Given(PathBuf),
    /// A private directory under the OS temporary directory, made on first
    /// use and removed with the last clone.
    Temporary(Mutex<Option<tempfile::TempDir>>),
}

impl std::fmt::Debug for Uploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploads").field("settings", &self.inner.settings).finish_non_exhaustive()
    }
}

impl Default for Uploads {
    fn default() -> Uploads {
        Uploads::temporary(UploadSettings::DEFAULT)
    }
}

/// Why an upload was not received.
#[derive(Debug)]
pub enum Refusal {
    /// Over the limit (413).
    TooLarge,
    /// Anything else: a broken request, a refused form, a disk error.
    Error(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Refusal {
        Refusal::Error(e)
    }
}

/// The most files one form may carry.
const MAX_FILES: usize = 4;

/// A received multipart form: its small fields, its file if it had one, and
/// the files of other fields (a form of two files: a sample and a census).
#[derive(Debug)]
pub struct Received {
    /// The fields other than the files, by name (the last of a name wins).
    pub fields: HashMap<String, String>,
    /// The file of the field `file`, staged.
    pub file: Option<Staged>,
    /// The files of other fields, staged, by field name (the first wins).
    pub files: HashMap<String, Staged>,
}

/// An upload on disk, removed when dropped unless [`Staged::keep`] was called.
#[derive(Debug)]
pub struct Staged {
    /// The upload's id (64 hex digits).
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// The name the user gave the file.
    pub name: String,
    /// What the upload was checked as (`kind`), once recorded.
    pub kind: String,
    meta: PathBuf,
    keep: bool,
}

impl Staged {
    /// Keeps the files for a later confirmation.
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
            let _ = std::fs::remove_file(&self.meta);
        }
    }
}

/// The sidecar of an upload.
struct Meta {
    owner: i64,
    created: i64,
    kind: String,
    extension: String,
    name: String,
}

impl Meta {
    fn to_text(&self) -> String {
        format!("{}\n{}\n{}\n{}\n{}", self.owner, self.created, self.kind, self.extension, self.name)
    }

    fn parse(text: &str) -> Option<Meta> {
        let mut lines = text.splitn(5, '\n');
        let owner = lines.next()?.parse().ok()?;
        let created = lines.next()?.parse().ok()?;
        let kind = lines.next()?.to_string();
        let extension = lines.next()?.to_string();
        let name = lines.next()?.to_string();
        let safe_extension = !extension.is_empty() && extension.bytes().all(|b| b.is_ascii_alphanumeric());
        safe_extension.then_some(Meta { owner, created, kind, extension, name })
    }
}

fn is_upload_id(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn now() -> i64 {
    crate::auth::now()
}

fn internal(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("{what}: {e}"))
}

impl Uploads {
    /// Uploads in a fresh private directory under the OS temporary
    /// directory, made on first use.
    pub fn temporary(settings: UploadSettings) -> Uploads {
        Uploads { inner: Arc::new(Inner { place: Place::Temporary(Mutex::new(None)), settings }) }
    }

    /// Uploads in `dir`, made (mode 0700) if missing. A directory that
    /// others may read or enter is refused; expired uploads in it are swept.
    pub fn in_dir(dir: &Path, settings: UploadSettings) -> std::io::Result<Uploads> {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        let metadata = std::fs::metadata(dir)?;
        if !metadata.is_dir() {
            return Err(std::io::Error::other(format!("{} is not a directory", dir.display())));
        }
        if metadata.permissions().mode() & 0o077 != 0 {
            return Err(std::io::Error::other(format!(
                "{} may be read by other users; make it private (chmod 700) or name another",
                dir.display()
            )));
        }
        let uploads = Uploads { inner: Arc::new(Inner { place: Place::Given(dir.to_path_buf()), settings }) };
        uploads.sweep();
        Ok(uploads)
    }

    /// The limits.
    pub fn settings(&self) -> UploadSettings {
        self.inner.settings
    }

    /// The directory, made now if it is a temporary one not made yet.
    pub fn dir(&self) -> std::io::Result<PathBuf> {
        match &self.inner.place {
            Place::Given(dir) => Ok(dir.clone()),
            Place::Temporary(cell) => {
                let mut made =
                    cell.lock().map_err(|_| std::io::Error::other("the upload directory lock is poisoned"))?;
                if made.is_none() {
                    use std::os::unix::fs::PermissionsExt;
                    let dir = tempfile::Builder::new()
                        .prefix("revita-uploads-")
                        .permissions(std::fs::Permissions::from_mode(0o700))
                        .tempdir()?;
                    *made = Some(dir);
                }
                made.as_ref()
                    .map(|d| d.path().to_path_buf())
                    .ok_or_else(|| std::io::Error::other("no upload directory"))
            }
        }
    }

    /// Removes uploads older than the time to live (only files named like
    /// uploads: the directory may be shared with nothing else, but a
    /// mistake should not cost other files).
    pub fn sweep(&self) {
        let Ok(dir) = self.dir() else { return };
        let Ok(entries) = std::fs::read_dir(&dir) else { return };
        let ttl = self.inner.settings.ttl;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.split_once('.').is_some_and(|(id, _)| is_upload_id(id)) {
                continue;
            }
            let age = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .unwrap_or_default();
            if age > ttl {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Receives a multipart form for `owner`, streaming its `file` field to
    /// disk. `before_file` sees the fields received so far and the file's
    /// extension (lowercase) before a byte of the file is written: it checks
    /// the CSRF token and the file type, so a refused form leaves nothing
    /// behind. Fields after the file are still read.
    pub async fn receive(
        &self,
        mut multipart: Multipart,
        owner: i64,
        before_file: impl Fn(&HashMap<String, String>, &str, &str) -> Result<(), AppError>,
    ) -> Result<Received, Refusal> {
        self.sweep();
        let settings = self.inner.settings;
        let failed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Refusal::TooLarge
            } else {
                Refusal::Error(AppError::Invalid(format!("upload failed: {}", e.body_text())))
            }
        };
        let mut fields = HashMap::new();
        let mut file = None;
        let mut files: HashMap<String, Staged> = HashMap::new();
        while let Some(mut field) = multipart.next_field().await.map_err(failed)? {
            let field_name = field.name().unwrap_or("").to_string();
            let first_of_its_name = if field_name == "file" {
                file.is_none()
            } else {
                field.file_name().is_some() && !files.contains_key(&field_name)
            };
            if first_of_its_name {
                if usize::from(file.is_some()) + files.len() >= MAX_FILES {
                    return Err(Refusal::Error(AppError::Invalid(format!("a form carries at most {MAX_FILES} files"))));
                }
                let name = field.file_name().unwrap_or("upload").to_string();
                let extension =
                    Path::new(&name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
                before_file(&fields, &name, &extension)?;
                let staged = self.create(owner, name, &extension).await?;
                let mut out = tokio::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&staged.path)
                    .await
                    .map_err(|e| internal("cannot write the upload", e))?;
                let mut written: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(failed)? {
                    written = written.saturating_add(chunk.len() as u64);
                    if written > settings.max_bytes {
                        // `staged` drops here, and its partial file with it.
                        return Err(Refusal::TooLarge);
                    }
                    out.write_all(&chunk).await.map_err(|e| internal("cannot write the upload", e))?;
                }
                out.flush().await.map_err(|e| internal("cannot write the upload", e))?;
                if field_name == "file" {
                    file = Some(staged);
                } else {
                    files.insert(field_name, staged);
                }
            } else {
                let mut value = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(failed)? {
                    value.extend_from_slice(&chunk);
                    if value.len() > MAX_FIELD_BYTES {
                        return Err(Refusal::TooLarge);
                    }
                }
                fields.insert(field_name, String::from_utf8_lossy(&value).into_owned());
            }
        }
        Ok(Received { fields, file, files })
    }

    /// Makes the (empty) file and sidecar of a new upload, mode 0600.
    async fn create(&self, owner: i64, name: String, extension: &str) -> Result<Staged, AppError> {
        let dir = self.dir().map_err(|e| internal("cannot make the upload directory", e))?;
        let id = revita_app::auth::random_token()?;
        let staged = Staged {
            path: dir.join(format!("{id}.{extension}")),
            meta: dir.join(format!("{id}.meta")),
            id,
            name,
            kind: String::new(),
            keep: false,
        };
        for path in [&staged.path, &staged.meta] {
            tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .await
                .map_err(|e| internal("cannot store the upload", e))?;
        }
        let meta = Meta {
            owner,
            created: now(),
            kind: String::new(),
            extension: extension.to_string(),
            name: staged.name.clone(),
        };
        tokio::fs::write(&staged.meta, meta.to_text()).await.map_err(|e| internal("cannot store the upload", e))?;
        Ok(staged)
    }

    /// Records what a staged upload was checked as.
    pub async fn record_kind(&self, staged: &mut Staged, owner: i64, kind: &str) -> Result<(), AppError> {
        let text = tokio::fs::read_to_string(&staged.meta).await.map_err(|e| internal("cannot read the upload", e))?;
        let mut meta = Meta::parse(&text).ok_or_else(|| internal("cannot read the upload", "bad sidecar"))?;
        if meta.owner != owner {
            return Err(internal("cannot read the upload", "another owner"));
        }
        meta.kind = kind.to_string();
        tokio::fs::write(&staged.meta, meta.to_text()).await.map_err(|e| internal("cannot store the upload", e))?;
        staged.kind = kind.to_string();
        Ok(())
    }

    /// The upload `id` for its `owner`, if it has not expired; `None` for
    /// anything else (an unknown, expired, malformed or someone else's id),
    /// so that a claim cannot tell them apart. Someone else's upload stays
    /// for its owner. A claim is single: its sidecar is renamed away first,
    /// so a second confirmation of the same upload (a double click) finds
    /// nothing.
    pub async fn claim(&self, id: &str, owner: i64) -> Option<Staged> {
        if !is_upload_id(id) {
            return None;
        }
        let dir = self.dir().ok()?;
        let meta_path = dir.join(format!("{id}.meta"));
        let meta = Meta::parse(&tokio::fs::read_to_string(&meta_path).await.ok()?)?;
        if meta.owner != owner {
            return None;
        }
        let claimed = dir.join(format!("{id}.claimed"));
        tokio::fs::rename(&meta_path, &claimed).await.ok()?;
        let staged = Staged {
            id: id.to_string(),
            path: dir.join(format!("{id}.{}", meta.extension)),
            name: meta.name,
            kind: meta.kind,
            meta: claimed,
            keep: false,
        };
        let age = now().saturating_sub(meta.created);
        // An expired upload is removed as the claim drops it.
        let fresh = u64::try_from(age).is_ok_and(|age| age <= self.inner.settings.ttl.as_secs());
        (fresh && !staged.kind.is_empty() && staged.path.is_file()).then_some(staged)
    }
}
