// The SQL behind `DashboardStore` and the interaction-log writes, written once for both
// backends: each includes this file with `Db` (the sqlx database) and `ThisStore` (its store)
// in scope. Only portable SQL here (row values, `ON CONFLICT DO NOTHING`, `RETURNING`, integer
// booleans), built with `QueryBuilder` so each dialect gets its own placeholders. Reads use
// `fetch_all`, which steps every statement to its end (see the SQLite backend's `fetch_first`).

/// Log rows per multi-row INSERT: 21 columns × 45 rows stays under SQLite's oldest limit of 999
/// bound parameters.
const LOG_CHUNK: usize = 45;
/// Lookup refs per multi-row INSERT (3 columns each).
const REF_CHUNK: usize = 300;

struct EncodedLog<'a> {
    log: &'a InteractionLog,
    warnings: String,
    upstream: String,
    endpoint: String,
}

fn insert_logs_query<'a>(rows: &'a [EncodedLog<'a>]) -> QueryBuilder<'a, Db> {
    let mut qb = QueryBuilder::<Db>::new(
        "INSERT INTO interaction_logs (id, workspace_id, integration_id, method, path, status, code,
           message, warnings, upstream, duration_ms, created_at, endpoint, outcome, has_warnings, query,
           key_id, key_name, key_prefix, idempotency_key, replayed) ",
    );
    qb.push_values(rows, |mut b, row| {
        let log = row.log;
        b.push_bind(&log.id)
            .push_bind(&log.workspace_id)
            .push_bind(&log.integration_id)
            .push_bind(&log.method)
            .push_bind(&log.path)
            .push_bind(log.status as i64)
            .push_bind(&log.code)
            .push_bind(&log.message)
            .push_bind(&row.warnings)
            .push_bind(&row.upstream)
            .push_bind(log.duration_ms)
            .push_bind(&log.created_at)
            .push_bind(&row.endpoint)
            .push_bind(log.outcome().as_str())
            .push_bind(i64::from(!log.warnings.is_empty()))
            .push_bind(&log.query)
            .push_bind(&log.key_id)
            .push_bind(&log.key_name)
            .push_bind(&log.key_prefix)
            .push_bind(&log.idempotency_key)
            .push_bind(i64::from(log.replayed));
    });
    qb.push(" ON CONFLICT (id) DO NOTHING");
    qb
}

fn insert_refs_query<'a>(refs: &'a [(&'a str, &'a str, &'a str)]) -> QueryBuilder<'a, Db> {
    let mut qb = QueryBuilder::<Db>::new("INSERT INTO interaction_log_refs (ref, log_id, created_at) ");
    qb.push_values(refs, |mut b, (reference, log_id, created_at)| {
        b.push_bind(*reference).push_bind(*log_id).push_bind(*created_at);
    });
    qb.push(" ON CONFLICT (ref, log_id) DO NOTHING");
    qb
}

/// `AND (created_at, id) < (?, ?)` and the other filters of a log page.
fn push_log_filters<'a>(qb: &mut QueryBuilder<'a, Db>, filter: &'a LogFilter) {
    if let Some(workspace_id) = &filter.workspace_id {
        qb.push(" AND workspace_id = ").push_bind(workspace_id);
    }
    if let Some(integration_id) = &filter.integration_id {
        qb.push(" AND integration_id = ").push_bind(integration_id);
    }
    if let Some(outcome) = filter.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.as_str());
    }
    if let Some(code) = &filter.code {
        qb.push(" AND code = ").push_bind(code);
    }
    if let Some(endpoint) = &filter.endpoint {
        qb.push(" AND endpoint = ").push_bind(endpoint);
    }
    if filter.has_warnings {
        // Literal, so the partial indexes on warnings apply.
        qb.push(" AND has_warnings = 1");
    }
    if filter.errors_only {
        qb.push(" AND outcome <> 'success'");
    }
    if let Some(from) = &filter.from {
        qb.push(" AND created_at >= ").push_bind(from);
    }
    if let Some(to) = &filter.to {
        qb.push(" AND created_at < ").push_bind(to);
    }
    if let Some((created_at, id)) = &filter.before {
        qb.push(" AND (created_at, id) < (").push_bind(created_at).push(", ").push_bind(id).push(")");
    }
}

impl ThisStore {
    /// Inserts log entries and their lookup refs; entries already present are skipped by id.
    pub(super) async fn write_logs(&self, logs: &[InteractionLog]) -> StoreResult<()> {
        let mut encoded = Vec::with_capacity(logs.len());
        for log in logs {
            encoded.push(EncodedLog {
                log,
                warnings: serde_json::to_string(&log.warnings)?,
                upstream: serde_json::to_string(&log.upstream)?,
                endpoint: endpoint_of(&log.path),
            });
        }
        let refs: Vec<(&str, &str, &str)> = logs
            .iter()
            .flat_map(|log| {
                let mut refs: Vec<&str> = log.refs.iter().map(String::as_str).collect();
                refs.extend(log.idempotency_key.as_deref());
                refs.sort_unstable();
                refs.dedup();
                refs.into_iter().map(move |r| (r, log.id.as_str(), log.created_at.as_str()))
            })
            .collect();
        // A lone entry without refs (the common case at low load) commits by itself.
        if encoded.len() == 1 && refs.is_empty() {
            insert_logs_query(&encoded).build().execute(&self.pool).await?;
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for chunk in encoded.chunks(LOG_CHUNK) {
            insert_logs_query(chunk).build().execute(&mut *tx).await?;
        }
        for chunk in refs.chunks(REF_CHUNK) {
            insert_refs_query(chunk).build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl DashboardStore for ThisStore {
    async fn get_workspace(&self, id: &str) -> StoreResult<Option<Workspace>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM workspaces WHERE id = ");
        qb.push_bind(id);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.first().map(workspace_from))
    }

    async fn insert_dashboard_user(&self, user: &DashboardUser) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO dashboard_users (id, email, password_hash, workspace_id, created_at, disabled_at) ",
        );
        qb.push_values([user], |mut b, u| {
            b.push_bind(&u.id)
                .push_bind(&u.email)
                .push_bind(&u.password_hash)
                .push_bind(&u.workspace_id)
                .push_bind(&u.created_at)
                .push_bind(&u.disabled_at);
        });
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn find_dashboard_user(&self, email: &str) -> StoreResult<Option<DashboardUser>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM dashboard_users WHERE email = ");
        qb.push_bind(email);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.first().map(dashboard_user_from))
    }

    async fn list_dashboard_users(&self) -> StoreResult<Vec<DashboardUser>> {
        let rows = sqlx::query("SELECT * FROM dashboard_users ORDER BY email").fetch_all(&self.pool).await?;
        Ok(rows.iter().map(dashboard_user_from).collect())
    }

    async fn set_dashboard_password(&self, user_id: &str, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let mut qb = QueryBuilder::<Db>::new("UPDATE dashboard_users SET password_hash = ");
        qb.push_bind(password_hash).push(" WHERE id = ").push_bind(user_id);
        qb.build().execute(&mut *tx).await?;
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM dashboard_sessions WHERE user_id = ");
        qb.push_bind(user_id);
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn disable_dashboard_user(&self, user_id: &str, at: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let mut qb = QueryBuilder::<Db>::new("UPDATE dashboard_users SET disabled_at = ");
        qb.push_bind(at).push(" WHERE id = ").push_bind(user_id);
        qb.build().execute(&mut *tx).await?;
        for table in ["dashboard_sessions", "dashboard_login_links"] {
            let mut qb = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE user_id = "));
            qb.push_bind(user_id);
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_dashboard_session(&self, session: &DashboardSession) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO dashboard_sessions (token_hash, user_id, csrf_token, workspace_id, created_at, last_seen_at) ",
        );
        qb.push_values([session], |mut b, s| {
            b.push_bind(&s.token_hash)
                .push_bind(&s.user_id)
                .push_bind(&s.csrf_token)
                .push_bind(&s.workspace_id)
                .push_bind(&s.created_at)
                .push_bind(&s.last_seen_at);
        });
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn find_dashboard_session(
        &self,
        token_hash: &str,
    ) -> StoreResult<Option<(DashboardSession, DashboardUser)>> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT s.token_hash, s.user_id, s.csrf_token, s.workspace_id AS session_workspace_id,
                    s.created_at AS session_created_at, s.last_seen_at, u.*
             FROM dashboard_sessions s JOIN dashboard_users u ON u.id = s.user_id WHERE s.token_hash = ",
        );
        qb.push_bind(token_hash);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.first().map(|row| {
            let session = DashboardSession {
                token_hash: row.text("token_hash"),
                user_id: row.text("user_id"),
                csrf_token: row.text("csrf_token"),
                workspace_id: row.opt_text("session_workspace_id"),
                created_at: row.text("session_created_at"),
                last_seen_at: row.text("last_seen_at"),
            };
            (session, dashboard_user_from(row))
        }))
    }

    async fn touch_dashboard_session(&self, token_hash: &str, at: &str) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new("UPDATE dashboard_sessions SET last_seen_at = ");
        qb.push_bind(at).push(" WHERE token_hash = ").push_bind(token_hash);
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn set_session_workspace(&self, token_hash: &str, workspace_id: Option<&str>) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new("UPDATE dashboard_sessions SET workspace_id = ");
        qb.push_bind(workspace_id).push(" WHERE token_hash = ").push_bind(token_hash);
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn delete_dashboard_session(&self, token_hash: &str) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM dashboard_sessions WHERE token_hash = ");
        qb.push_bind(token_hash);
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn insert_login_link(&self, token_hash: &str, user_id: &str, expires_at: &str) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new("INSERT INTO dashboard_login_links (token_hash, user_id, expires_at) ");
        qb.push_values([(token_hash, user_id, expires_at)], |mut b, (t, u, e)| {
            b.push_bind(t).push_bind(u).push_bind(e);
        });
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn consume_login_link(&self, token_hash: &str, now: &str) -> StoreResult<Option<String>> {
        let mut tx = self.pool.begin().await?;
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM dashboard_login_links WHERE token_hash = ");
        qb.push_bind(token_hash).push(" RETURNING user_id, expires_at");
        let rows = qb.build().fetch_all(&mut *tx).await?;
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM dashboard_login_links WHERE expires_at < ");
        qb.push_bind(now);
        qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(rows.first().filter(|row| row.text("expires_at").as_str() > now).map(|row| row.text("user_id")))
    }

    async fn search_logs(&self, filter: &LogFilter) -> StoreResult<Vec<InteractionLog>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM interaction_logs WHERE 1 = 1");
        push_log_filters(&mut qb, filter);
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(i64::from(filter.limit));
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter().map(log_from).collect()
    }

    async fn find_logs_by_ref(
        &self,
        workspace_id: Option<&str>,
        reference: &str,
        limit: u32,
    ) -> StoreResult<Vec<InteractionLog>> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT l.* FROM interaction_log_refs r JOIN interaction_logs l ON l.id = r.log_id WHERE r.ref = ",
        );
        qb.push_bind(reference);
        if let Some(workspace_id) = workspace_id {
            qb.push(" AND l.workspace_id = ").push_bind(workspace_id);
        }
        qb.push(" ORDER BY l.created_at DESC, l.id DESC LIMIT ").push_bind(i64::from(limit));
        let rows = qb.build().fetch_all(&self.pool).await?;
        rows.iter().map(log_from).collect()
    }

    async fn key_last_used_at(&self, key_id: &str) -> StoreResult<Option<String>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT MAX(created_at) AS last FROM interaction_logs WHERE key_id = ");
        qb.push_bind(key_id);
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.first().and_then(|row| row.opt_text("last")))
    }

    async fn oldest_log_at(&self, workspace_id: Option<&str>) -> StoreResult<Option<String>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT MIN(created_at) AS oldest FROM interaction_logs");
        if let Some(workspace_id) = workspace_id {
            qb.push(" WHERE workspace_id = ").push_bind(workspace_id);
        }
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.first().and_then(|row| row.opt_text("oldest")))
    }

    async fn prune_logs(&self, before: &str, batch: u32) -> StoreResult<u64> {
        let mut qb = QueryBuilder::<Db>::new("SELECT id FROM interaction_logs WHERE created_at < ");
        qb.push_bind(before).push(" ORDER BY created_at LIMIT ").push_bind(i64::from(batch));
        let ids: Vec<String> = qb.build().fetch_all(&self.pool).await?.iter().map(|row| row.text("id")).collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        for (table, column) in [("interaction_logs", "id"), ("interaction_log_refs", "log_id")] {
            let mut qb = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE created_at < "));
            qb.push_bind(before).push(format!(" AND {column} IN ("));
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(id);
            }
            list.push_unseparated(")");
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    async fn record_sync_run(&self, run: &SyncRun) -> StoreResult<()> {
        let mut qb = QueryBuilder::<Db>::new(
            "INSERT INTO sync_runs (id, integration_id, started_at, finished_at, duration_ms, ok, jobs, candidates,
               applications, changed, deleted, error_code, error) ",
        );
        qb.push_values([run], |mut b, r| {
            b.push_bind(&r.id)
                .push_bind(&r.integration_id)
                .push_bind(&r.started_at)
                .push_bind(&r.finished_at)
                .push_bind(r.duration_ms)
                .push_bind(i64::from(r.ok))
                .push_bind(r.counts.jobs as i64)
                .push_bind(r.counts.candidates as i64)
                .push_bind(r.counts.applications as i64)
                .push_bind(r.counts.changed as i64)
                .push_bind(r.counts.deleted as i64)
                .push_bind(&r.error_code)
                .push_bind(&r.error);
        });
        qb.build().execute(&self.pool).await?;
        Ok(())
    }

    async fn list_sync_runs(&self, integration_id: &str, limit: u32) -> StoreResult<Vec<SyncRun>> {
        let mut qb = QueryBuilder::<Db>::new("SELECT * FROM sync_runs WHERE integration_id = ");
        qb.push_bind(integration_id)
            .push(" ORDER BY started_at DESC, id DESC LIMIT ")
            .push_bind(i64::from(limit));
        let rows = qb.build().fetch_all(&self.pool).await?;
        Ok(rows.iter().map(sync_run_from).collect())
    }

    async fn delete_integration(&self, id: &str) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        for table in ["ats_applications", "ats_candidates", "ats_jobs", "sync_runs"] {
            let mut qb = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE integration_id = "));
            qb.push_bind(id);
            qb.build().execute(&mut *tx).await?;
        }
        let mut qb = QueryBuilder::<Db>::new("DELETE FROM integrations WHERE id = ");
        qb.push_bind(id);
        let done = qb.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
