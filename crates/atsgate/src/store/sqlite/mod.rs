//! The SQLite backend (the default): WAL mode, embedded migrations, one writer at a time.

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous},
    QueryBuilder, Row, Sqlite, SqlitePool,
};

use super::*;

mod dashboard;
mod idempotency;
mod rows;
use super::rows::{application_from, integration_from, key_from, listed_from, log_from, workspace_from};
use rows::*;

pub struct SqliteStore {
    pool: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/store/migrations/sqlite");

/// The first row of `query`, read on the pool. Single-row reads go through here, never
/// `fetch_one`/`fetch_optional`: those stop stepping after the first row and sqlx resets the
/// statement later, on its worker thread, so the connection can still hold a read transaction
/// when its next statement is a write, which then fails with "database is locked" at once
/// (SQLITE_BUSY_SNAPSHOT skips the busy timeout) if another process wrote in between. Stepping
/// to the end finishes the statement and its read.
async fn fetch_first<'q>(pool: &SqlitePool, query: SqliteQuery<'q>) -> sqlx::Result<Option<SqliteRow>> {
    Ok(query.fetch_all(pool).await?.into_iter().next())
}

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Rows per multi-row INSERT; keeps well under SQLite's bound-parameter limit.
const INSERT_CHUNK: usize = 200;

impl SqliteStore {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 16 MiB of page cache per connection (the default 2 MiB thrashes during syncs).
            .pragma("cache_size", "-16384");
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn health(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn auth_revision(&self) -> StoreResult<i64> {
        let row = fetch_first(&self.pool, sqlx::query("SELECT revision FROM auth_revision WHERE id = 1")).await?;
        Ok(row.ok_or(sqlx::Error::RowNotFound)?.get("revision"))
    }

    async fn get_or_create_workspace(&self, name: &str) -> StoreResult<Workspace> {
        sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING")
            .bind(crate::ids::random_id())
            .bind(name)
            .bind(crate::ids::now_ts())
            .execute(&self.pool)
            .await?;
        let row = fetch_first(&self.pool, sqlx::query("SELECT * FROM workspaces WHERE name = ?").bind(name))
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok(workspace_from(&row))
    }

    async fn list_workspaces(&self) -> StoreResult<Vec<Workspace>> {
        let rows = sqlx::query("SELECT * FROM workspaces ORDER BY created_at").fetch_all(&self.pool).await?;
        Ok(rows.iter().map(workspace_from).collect())
    }

    async fn insert_api_key(&self, key: &ApiKeyRecord, key_hash: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_keys (id, workspace_id, key_hash, prefix, name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&key.id)
        .bind(&key.workspace_id)
        .bind(key_hash)
        .bind(&key.prefix)
        .bind(&key.name)
        .bind(&key.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_api_key(&self, key_hash: &str) -> StoreResult<Option<(ApiKeyRecord, Workspace)>> {
        let row = fetch_first(
            &self.pool,
            sqlx::query(
                "SELECT k.*, w.name AS workspace_name, w.created_at AS workspace_created_at
             FROM api_keys k JOIN workspaces w ON w.id = k.workspace_id
             WHERE k.key_hash = ? AND k.revoked_at IS NULL",
            )
            .bind(key_hash),
        )
        .await?;
        Ok(row.map(|row| {
            let key = key_from(&row);
            let workspace = Workspace {
                id: key.workspace_id.clone(),
                name: row.get("workspace_name"),
                created_at: row.get("workspace_created_at"),
            };
            (key, workspace)
        }))
    }

    async fn find_api_key_with_integration(
        &self,
        key_hash: &str,
        integration_id: &str,
    ) -> StoreResult<Option<(ApiKeyRecord, Workspace, Option<Integration>)>> {
        let row = fetch_first(
            &self.pool,
            sqlx::query(
                "SELECT k.id AS key_id, k.workspace_id AS key_workspace_id, k.prefix, k.name AS key_name,
                    k.created_at AS key_created_at, k.revoked_at, w.name AS workspace_name,
                    w.created_at AS workspace_created_at, i.*
             FROM api_keys k
             JOIN workspaces w ON w.id = k.workspace_id
             LEFT JOIN integrations i ON i.id = ?2 AND i.workspace_id = k.workspace_id
             WHERE k.key_hash = ?1 AND k.revoked_at IS NULL",
            )
            .bind(key_hash)
            .bind(integration_id),
        )
        .await?;
        let Some(row) = row else { return Ok(None) };
        let key = ApiKeyRecord {
            id: row.get("key_id"),
            workspace_id: row.get("key_workspace_id"),
            prefix: row.get("prefix"),
            name: row.get("key_name"),
            created_at: row.get("key_created_at"),
            revoked_at: row.get("revoked_at"),
        };
        let workspace = Workspace {
            id: key.workspace_id.clone(),
            name: row.get("workspace_name"),
            created_at: row.get("workspace_created_at"),
        };
        let found: Option<String> = row.get("id");
        let integration = found.is_some().then(|| integration_from(&row)).transpose()?;
        Ok(Some((key, workspace, integration)))
    }

    async fn list_api_keys(&self, workspace_id: Option<&str>) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows =
            sqlx::query("SELECT * FROM api_keys WHERE (?1 IS NULL OR workspace_id = ?1) ORDER BY created_at, id")
                .bind(workspace_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(key_from).collect())
    }

    async fn revoke_api_key(&self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(crate::ids::now_ts())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_integration(&self, i: &Integration) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO integrations (id, workspace_id, tool, base_url, auth_url, sealed_credentials,
               organization_name, creator_email, origin_id, permissions, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&i.id)
        .bind(&i.workspace_id)
        .bind(&i.tool)
        .bind(&i.base_url)
        .bind(&i.auth_url)
        .bind(&i.sealed_credentials)
        .bind(&i.organization_name)
        .bind(&i.creator_email)
        .bind(&i.origin_id)
        .bind(serde_json::to_string(&i.permissions)?)
        .bind(&i.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_integration(&self, id: &str) -> StoreResult<Option<Integration>> {
        let row = fetch_first(&self.pool, sqlx::query("SELECT * FROM integrations WHERE id = ?").bind(id)).await?;
        row.as_ref().map(integration_from).transpose()
    }

    async fn list_integrations(&self, workspace_id: Option<&str>) -> StoreResult<Vec<Integration>> {
        let rows =
            sqlx::query("SELECT * FROM integrations WHERE (?1 IS NULL OR workspace_id = ?1) ORDER BY created_at, id")
                .bind(workspace_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(integration_from).collect()
    }

    async fn set_permissions(&self, id: &str, permissions: &[String]) -> StoreResult<()> {
        sqlx::query("UPDATE integrations SET permissions = ? WHERE id = ?")
            .bind(serde_json::to_string(permissions)?)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_sealed_credentials(&self, id: &str, sealed: &str) -> StoreResult<()> {
        sqlx::query("UPDATE integrations SET sealed_credentials = ? WHERE id = ?")
            .bind(sealed)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn replace_sealed_credentials(&self, sealed: &[(String, String)]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for (id, value) in sealed {
            sqlx::query("UPDATE integrations SET sealed_credentials = ? WHERE id = ?")
                .bind(value)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_sync_started(&self, id: &str, at: &str) -> StoreResult<()> {
        sqlx::query("UPDATE integrations SET last_sync_started_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn record_sync_finished(&self, id: &str, at: &str, error: Option<(&str, &str)>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE integrations SET last_sync_finished_at = ?, last_sync_error_code = ?, last_sync_error = ? WHERE id = ?",
        )
        .bind(at)
        .bind(error.map(|e| e.0))
        .bind(error.map(|e| e.1))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn apply_sync(&self, integration_id: &str, sync_at: &str, mut batch: SyncBatch) -> StoreResult<SyncCounts> {
        // Ids are hash-derived, so unsorted inserts would touch B-tree pages at random.
        batch.jobs.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        batch.candidates.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        batch.applications.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut counts = SyncCounts {
            jobs: batch.jobs.len() as u64,
            candidates: batch.candidates.len() as u64,
            applications: batch.applications.len() as u64,
            ..Default::default()
        };
        let mut tx = self.pool.begin().await?;
        // A row's changed_at moves only when its content (or deletion state) changes.
        const ON_CONFLICT: &str = " ON CONFLICT(integration_id, id) DO UPDATE SET
              changed_at = CASE WHEN content_hash != excluded.content_hash OR remote_deleted_at IS NOT NULL
                           THEN excluded.changed_at ELSE changed_at END,
              remote_deleted_at = NULL, last_seen_sync = excluded.last_seen_sync, content_hash = excluded.content_hash";
        for chunk in batch.jobs.chunks(INSERT_CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ats_jobs (integration_id, id, remote_id, name, content_hash, changed_at, last_seen_sync) ",
            );
            qb.push_values(chunk, |mut b, job| {
                b.push_bind(integration_id)
                    .push_bind(&job.id)
                    .push_bind(&job.remote_id)
                    .push_bind(&job.name)
                    .push_bind(&job.content_hash)
                    .push_bind(sync_at)
                    .push_bind(sync_at);
            });
            qb.push(ON_CONFLICT).push(", name = excluded.name");
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in batch.candidates.chunks(INSERT_CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ats_candidates (integration_id, id, remote_id, first_name, last_name, emails,
                   remote_created_at, data, content_hash, changed_at, last_seen_sync) ",
            );
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(integration_id)
                    .push_bind(&c.id)
                    .push_bind(&c.remote_id)
                    .push_bind(c.first_name.as_deref().map(str::to_lowercase))
                    .push_bind(c.last_name.as_deref().map(str::to_lowercase))
                    .push_bind(format!(",{},", c.emails.join(",")))
                    .push_bind(&c.remote_created_at)
                    .push_bind(&c.data)
                    .push_bind(&c.content_hash)
                    .push_bind(sync_at)
                    .push_bind(sync_at);
            });
            qb.push(ON_CONFLICT).push(
                ", first_name = excluded.first_name, last_name = excluded.last_name, emails = excluded.emails,
                   remote_created_at = excluded.remote_created_at, data = excluded.data",
            );
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in batch.applications.chunks(INSERT_CHUNK) {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "INSERT INTO ats_applications (integration_id, id, remote_id, candidate_id, candidate_remote_id, job_id,
                   job_remote_id, outcome, current_stage_id, remote_created_at, data, content_hash, changed_at, last_seen_sync) ",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(integration_id)
                    .push_bind(&a.id)
                    .push_bind(&a.remote_id)
                    .push_bind(&a.candidate_id)
                    .push_bind(&a.candidate_remote_id)
                    .push_bind(&a.job_id)
                    .push_bind(&a.job_remote_id)
                    .push_bind(&a.outcome)
                    .push_bind(&a.current_stage_id)
                    .push_bind(&a.remote_created_at)
                    .push_bind(&a.data)
                    .push_bind(&a.content_hash)
                    .push_bind(sync_at)
                    .push_bind(sync_at);
            });
            qb.push(ON_CONFLICT).push(
                ", candidate_id = excluded.candidate_id, candidate_remote_id = excluded.candidate_remote_id,
                   job_id = excluded.job_id, job_remote_id = excluded.job_remote_id, outcome = excluded.outcome,
                   current_stage_id = excluded.current_stage_id, remote_created_at = excluded.remote_created_at,
                   data = excluded.data",
            );
            qb.build().execute(&mut *tx).await?;
        }
        for table in ["ats_jobs", "ats_candidates", "ats_applications"] {
            let done = sqlx::query(&format!(
                "UPDATE {table} SET remote_deleted_at = ?1, changed_at = ?1
                 WHERE integration_id = ?2 AND last_seen_sync != ?1 AND remote_deleted_at IS NULL"
            ))
            .bind(sync_at)
            .bind(integration_id)
            .execute(&mut *tx)
            .await?;
            counts.deleted += done.rows_affected();
        }
        let changed: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM ats_candidates WHERE integration_id = ?1 AND changed_at = ?2)
                  + (SELECT COUNT(*) FROM ats_applications WHERE integration_id = ?1 AND changed_at = ?2)",
        )
        .bind(integration_id)
        .bind(sync_at)
        .fetch_one(&mut *tx)
        .await?;
        counts.changed = changed as u64;
        tx.commit().await?;
        Ok(counts)
    }

    async fn find_application(&self, integration_id: &str, id: &str) -> StoreResult<Option<StoredApplication>> {
        let row = fetch_first(
            &self.pool,
            sqlx::query(
                "SELECT id, remote_id, candidate_id, candidate_remote_id, remote_created_at, remote_deleted_at
             FROM ats_applications WHERE integration_id = ? AND id = ?",
            )
            .bind(integration_id)
            .bind(id),
        )
        .await?;
        Ok(row.as_ref().map(application_from))
    }

    async fn find_candidate(&self, integration_id: &str, id: &str) -> StoreResult<Option<StoredCandidate>> {
        let row = fetch_first(
            &self.pool,
            sqlx::query(
                "SELECT id, remote_id, remote_deleted_at FROM ats_candidates WHERE integration_id = ? AND id = ?",
            )
            .bind(integration_id)
            .bind(id),
        )
        .await?;
        Ok(row.map(|row| StoredCandidate {
            id: row.get("id"),
            remote_id: row.get("remote_id"),
            remote_deleted_at: row.get("remote_deleted_at"),
        }))
    }

    async fn candidate_applications(
        &self,
        integration_id: &str,
        candidate_id: &str,
    ) -> StoreResult<Vec<StoredApplication>> {
        let rows = sqlx::query(
            "SELECT id, remote_id, candidate_id, candidate_remote_id, remote_created_at, remote_deleted_at
             FROM ats_applications WHERE integration_id = ? AND candidate_id = ?
             ORDER BY remote_created_at DESC, id",
        )
        .bind(integration_id)
        .bind(candidate_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(application_from).collect())
    }

    async fn list_applications(&self, integration_id: &str, query: &ListQuery) -> StoreResult<Vec<ListedRow>> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT t.id, t.data, t.changed_at, t.remote_deleted_at FROM ats_applications t WHERE t.integration_id = ",
        );
        qb.push_bind(integration_id);
        push_common_filters(&mut qb, query);
        if !query.outcomes.is_empty() {
            push_in_list(&mut qb, "t.outcome", &query.outcomes);
        }
        if !query.job_ids.is_empty() {
            push_in_list(&mut qb, "t.job_id", &query.job_ids);
        }
        if !query.job_remote_ids.is_empty() {
            push_in_list(&mut qb, "t.job_remote_id", &query.job_remote_ids);
        }
        if !query.current_stage_ids.is_empty() {
            push_in_list(&mut qb, "t.current_stage_id", &query.current_stage_ids);
        }
        qb.push(" ORDER BY t.id LIMIT ").push_bind(query.page_size as i64);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.iter().map(listed_from).collect())
    }

    async fn list_candidates(&self, integration_id: &str, query: &ListQuery) -> StoreResult<Vec<ListedRow>> {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT t.id, t.data, t.changed_at, t.remote_deleted_at FROM ats_candidates t WHERE t.integration_id = ",
        );
        qb.push_bind(integration_id);
        push_common_filters(&mut qb, query);
        if let Some(email) = &query.email {
            qb.push(" AND instr(t.emails, ").push_bind(format!(",{},", email.to_lowercase())).push(") > 0");
        }
        if let Some(first) = &query.first_name {
            qb.push(" AND t.first_name = ").push_bind(first.to_lowercase());
        }
        if let Some(last) = &query.last_name {
            qb.push(" AND t.last_name = ").push_bind(last.to_lowercase());
        }
        if !query.job_ids.is_empty() {
            qb.push(
                " AND EXISTS (SELECT 1 FROM ats_applications a WHERE a.integration_id = t.integration_id
                  AND a.candidate_id = t.id",
            );
            push_in_list(&mut qb, "a.job_id", &query.job_ids);
            qb.push(")");
        }
        qb.push(" ORDER BY t.id LIMIT ").push_bind(query.page_size as i64);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.iter().map(listed_from).collect())
    }

    async fn idempotency_claim(
        &self,
        claim: &IdempotencyOwner<'_>,
        request_hash: &str,
        now: &str,
        lease_until: &str,
        expires_at: &str,
    ) -> StoreResult<IdempotencyClaim> {
        idempotency::claim(&self.pool, claim, request_hash, now, lease_until, expires_at).await
    }

    async fn idempotency_renew(&self, claim: &IdempotencyOwner<'_>, lease_until: &str) -> StoreResult<bool> {
        idempotency::renew(&self.pool, claim, lease_until).await
    }

    async fn idempotency_record_evidence(&self, claim: &IdempotencyOwner<'_>, evidence: &str) -> StoreResult<()> {
        idempotency::record_evidence(&self.pool, claim, evidence).await
    }

    async fn idempotency_complete(&self, claim: &IdempotencyOwner<'_>, status: u16, body: &str) -> StoreResult<()> {
        idempotency::complete(&self.pool, claim, status, body).await
    }

    async fn idempotency_release(&self, claim: &IdempotencyOwner<'_>) -> StoreResult<()> {
        idempotency::release(&self.pool, claim).await
    }

    async fn insert_logs(&self, logs: &[InteractionLog]) -> StoreResult<()> {
        self.write_logs(logs).await
    }

    async fn list_logs(&self, workspace_id: Option<&str>, limit: u32) -> StoreResult<Vec<InteractionLog>> {
        let rows = sqlx::query(
            "SELECT * FROM interaction_logs WHERE (?1 IS NULL OR workspace_id = ?1)
             ORDER BY created_at DESC, id DESC LIMIT ?2",
        )
        .bind(workspace_id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(log_from).collect()
    }

    async fn get_log(&self, id: &str) -> StoreResult<Option<InteractionLog>> {
        let row = fetch_first(&self.pool, sqlx::query("SELECT * FROM interaction_logs WHERE id = ?").bind(id)).await?;
        row.as_ref().map(log_from).transpose()
    }
}
