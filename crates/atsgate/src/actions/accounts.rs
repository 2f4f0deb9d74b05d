//! Dashboard accounts: users (created with the CLI), argon2id passwords, sign-in with a limit
//! on failures, single-use sign-in links, and sessions kept in the store as SHA-256 hashes of
//! random tokens, with an idle and an absolute expiry.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::{
    app::App,
    error::{Error, Result},
    ids,
    store::{DashboardSession, DashboardUser},
};

/// Failed sign-ins allowed per email address within `FAILURE_WINDOW`.
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed sign-ins allowed across all addresses within `FAILURE_WINDOW` (password spraying).
const MAX_FAILURES_GLOBAL: u32 = 200;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);
const MIN_PASSWORD_CHARS: usize = 12;

/// Who a dashboard user is and what they may see.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: DashboardUser,
    pub session: DashboardSession,
}

impl Viewer {
    pub fn is_operator(&self) -> bool {
        self.user.workspace_id.is_none()
    }

    /// Whether something of `workspace_id` (`None`: of no workspace) is visible to this user.
    pub fn can_see(&self, workspace_id: Option<&str>) -> bool {
        match &self.user.workspace_id {
            None => true,
            Some(own) => workspace_id == Some(own.as_str()),
        }
    }

    /// The workspace the pages show: a member's own; the one an operator picked (`None`: all).
    pub fn current_workspace(&self) -> Option<&str> {
        self.user.workspace_id.as_deref().or(self.session.workspace_id.as_deref())
    }
}

fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

fn random_token() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    bs58::encode(bytes).into_string()
}

pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::input(format!("a password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::internal(anyhow::anyhow!("hashing a password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A random password for users created without one: 20 base58 characters (~117 bits).
pub fn generate_password() -> String {
    random_token().chars().take(20).collect()
}

pub struct NewUser {
    pub email: String,
    /// `None`: an operator.
    pub workspace: Option<String>,
    pub password: String,
}

pub async fn create_user(app: &App, new: NewUser) -> Result<DashboardUser> {
    let email = normalize_email(&new.email)?;
    if app.store.find_dashboard_user(&email).await?.is_some() {
        return Err(Error::input(format!("a dashboard user {email} already exists")));
    }
    let workspace_id = match &new.workspace {
        Some(name) => Some(app.store.get_or_create_workspace(name).await?.id),
        None => None,
    };
    let user = DashboardUser {
        id: ids::random_id(),
        email,
        password_hash: hash_password(&new.password)?,
        workspace_id,
        created_at: ids::now_ts(),
        disabled_at: None,
    };
    app.store.insert_dashboard_user(&user).await?;
    Ok(user)
}

fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    if email.len() < 3 || email.len() > 254 || !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(Error::input(format!("{email:?} is not an email address")));
    }
    Ok(email)
}

async fn user_by_email(app: &App, email: &str) -> Result<DashboardUser> {
    let email = normalize_email(email)?;
    app.store.find_dashboard_user(&email).await?.ok_or_else(|| Error::NotFound(format!("no dashboard user {email}")))
}

pub async fn list_users(app: &App) -> Result<Vec<DashboardUser>> {
    Ok(app.store.list_dashboard_users().await?)
}

/// Disables a user and ends their sessions at once.
pub async fn disable_user(app: &App, email: &str) -> Result<DashboardUser> {
    let user = user_by_email(app, email).await?;
    app.store.disable_dashboard_user(&user.id, &ids::now_ts()).await?;
    Ok(user)
}

/// Sets a new password and ends the user's sessions.
pub async fn reset_password(app: &App, email: &str, password: &str) -> Result<DashboardUser> {
    let user = user_by_email(app, email).await?;
    app.store.set_dashboard_password(&user.id, &hash_password(password)?).await?;
    Ok(user)
}

/// A single-use sign-in link for `email`, valid for `ttl`.
pub async fn sign_in_link(app: &App, email: &str, ttl: Duration) -> Result<String> {
    let user = user_by_email(app, email).await?;
    if user.disabled_at.is_some() {
        return Err(Error::input(format!("{} is disabled", user.email)));
    }
    let token = random_token();
    let expires = chrono::Utc::now() + chrono::Duration::from_std(ttl).map_err(Error::internal)?;
    app.store.insert_login_link(&sha256_hex(&token), &user.id, &ids::format_ts(expires)).await?;
    Ok(format!("{}/dashboard/signin/link?token={token}", app.public_url))
}

/// A new session: the cookie's token (shown to the browser only) and its record.
pub struct NewSession {
    pub token: String,
    pub viewer: Viewer,
}

async fn open_session(app: &App, user: DashboardUser) -> Result<NewSession> {
    let token = random_token();
    let now = ids::now_ts();
    let session = DashboardSession {
        token_hash: sha256_hex(&token),
        user_id: user.id.clone(),
        csrf_token: random_token(),
        workspace_id: None,
        created_at: now.clone(),
        last_seen_at: now,
    };
    app.store.insert_dashboard_session(&session).await?;
    Ok(NewSession { token, viewer: Viewer { user, session } })
}

/// Why a sign-in did not succeed; the message never says whether the address exists.
#[derive(Debug)]
pub enum SignInError {
    Invalid,
    /// Too many failures: try again after this long.
    Limited(Duration),
    Other(Error),
}

impl From<Error> for SignInError {
    fn from(err: Error) -> Self {
        SignInError::Other(err)
    }
}

/// A fixed hash to verify against when the address is unknown, so the answer takes as long.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not a real password, never matches").unwrap_or_default())
}

pub async fn sign_in(app: &App, email: &str, password: &str) -> std::result::Result<NewSession, SignInError> {
    let email = email.trim().to_lowercase();
    if let Some(wait) = app.sign_ins.blocked(&email) {
        return Err(SignInError::Limited(wait));
    }
    let user = app.store.find_dashboard_user(&email).await.map_err(Error::from)?;
    let hash = user.as_ref().map_or(dummy_hash().to_string(), |u| u.password_hash.clone());
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| Error::internal(anyhow::anyhow!("password check: {e}")))?;
    match user {
        Some(user) if matches && user.disabled_at.is_none() => {
            app.sign_ins.succeeded(&email);
            Ok(open_session(app, user).await?)
        }
        _ => {
            app.sign_ins.failed(&email);
            Err(SignInError::Invalid)
        }
    }
}

/// Signs in with a single-use link's token; `None` when it is unknown, used or expired.
pub async fn sign_in_with_link(app: &App, token: &str) -> Result<Option<NewSession>> {
    let Some(user_id) = app.store.consume_login_link(&sha256_hex(token), &ids::now_ts()).await? else {
        return Ok(None);
    };
    let user = app.store.list_dashboard_users().await?.into_iter().find(|u| u.id == user_id);
    match user {
        Some(user) if user.disabled_at.is_none() => Ok(Some(open_session(app, user).await?)),
        _ => Ok(None),
    }
}

fn parse_ts(ts: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(ts).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The viewer behind a session cookie's token, if the session is live: not idle for longer
/// than `dashboard_session_idle_secs`, younger than `dashboard_session_max_secs`, and its user
/// not disabled. An expired session is deleted.
pub async fn session(app: &App, token: &str) -> Result<Option<Viewer>> {
    let hash = sha256_hex(token);
    let Some((session, user)) = app.store.find_dashboard_session(&hash).await? else { return Ok(None) };
    let now = chrono::Utc::now();
    let idle = chrono::Duration::seconds(app.config.dashboard_session_idle_secs as i64);
    let max = chrono::Duration::seconds(app.config.dashboard_session_max_secs as i64);
    let live = parse_ts(&session.last_seen_at).is_some_and(|seen| now - seen < idle)
        && parse_ts(&session.created_at).is_some_and(|created| now - created < max)
        && user.disabled_at.is_none();
    if !live {
        app.store.delete_dashboard_session(&hash).await?;
        return Ok(None);
    }
    if parse_ts(&session.last_seen_at).is_none_or(|seen| now - seen >= TOUCH_EVERY) {
        app.store.touch_dashboard_session(&hash, &ids::format_ts(now)).await?;
    }
    Ok(Some(Viewer { user, session }))
}

pub async fn sign_out(app: &App, viewer: &Viewer) -> Result<()> {
    Ok(app.store.delete_dashboard_session(&viewer.session.token_hash).await?)
}

/// Lets an operator look at one workspace (`None`: all). Members cannot switch.
pub async fn switch_workspace(app: &App, viewer: &Viewer, workspace_id: Option<&str>) -> Result<()> {
    if !viewer.is_operator() {
        return Err(Error::NotFound("no such workspace".into()));
    }
    if let Some(id) = workspace_id {
        app.store.get_workspace(id).await?.ok_or_else(|| Error::NotFound("no such workspace".into()))?;
    }
    Ok(app.store.set_session_workspace(&viewer.session.token_hash, workspace_id).await?)
}

/// Whether `token` is the session's form token (compared in constant time).
pub fn form_token_valid(viewer: &Viewer, token: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(viewer.session.csrf_token.as_bytes(), token.as_bytes()).into()
}

/// Counts failed sign-ins per address and overall, in this process.
#[derive(Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const GLOBAL: &str = "";

impl SignInLimiter {
    /// How long `email` must wait, if it is locked out.
    fn blocked(&self, email: &str) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        [(email, MAX_FAILURES), (GLOBAL, MAX_FAILURES_GLOBAL)].into_iter().find_map(|(key, max)| {
            let (count, since) = failures.get(key)?;
            let left = FAILURE_WINDOW.checked_sub(since.elapsed())?;
            (*count >= max).then_some(left)
        })
    }

    fn failed(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 10_000 {
            failures.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        }
        for key in [email, GLOBAL] {
            let entry = failures.entry(key.to_string()).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= FAILURE_WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    fn succeeded(&self, email: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(email);
    }
}
