//! `Idempotency-Key` claims in SQLite: one writer at a time, so each claim is one short
//! transaction without races.

use sqlx::{Row, SqlitePool};

use super::super::{IdempotencyClaim, IdempotencyOwner, StoreResult};

pub(super) async fn claim(
    pool: &SqlitePool,
    claim: &IdempotencyOwner<'_>,
    request_hash: &str,
    now: &str,
    lease_until: &str,
    expires_at: &str,
) -> StoreResult<IdempotencyClaim> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE workspace_id = ?1 AND key = ?2 AND expires_at < ?3")
        .bind(claim.workspace_id)
        .bind(claim.key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (workspace_id, key, request_hash, created_at, expires_at, owner, lease_until)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(workspace_id, key) DO NOTHING",
    )
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(request_hash)
    .bind(now)
    .bind(expires_at)
    .bind(claim.owner)
    .bind(lease_until)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 1 {
        tx.commit().await?;
        return Ok(IdempotencyClaim::Claimed { evidence: None });
    }
    // Take over a claim whose lease ran out or was given up (NULL).
    let taken = sqlx::query(
        "UPDATE idempotency_keys SET owner = ?1, lease_until = ?2
          WHERE workspace_id = ?3 AND key = ?4 AND request_hash = ?5 AND status IS NULL
            AND (lease_until IS NULL OR lease_until < ?6)
         RETURNING evidence",
    )
    .bind(claim.owner)
    .bind(lease_until)
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(request_hash)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    let result = match taken.first() {
        Some(row) => IdempotencyClaim::Claimed { evidence: row.get("evidence") },
        None => {
            let row = sqlx::query(
                "SELECT request_hash, status, body FROM idempotency_keys WHERE workspace_id = ? AND key = ?",
            )
            .bind(claim.workspace_id)
            .bind(claim.key)
            .fetch_one(&mut *tx)
            .await?;
            let status: Option<i64> = row.get("status");
            let body: Option<String> = row.get("body");
            IdempotencyClaim::Existing {
                request_hash: row.get("request_hash"),
                response: status.zip(body).map(|(s, b)| (s as u16, b)),
            }
        }
    };
    // Now and then, drop expired records of every workspace.
    if rand::random::<u8>() == 0 {
        sqlx::query("DELETE FROM idempotency_keys WHERE expires_at < ?").bind(now).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(result)
}

pub(super) async fn renew(pool: &SqlitePool, claim: &IdempotencyOwner<'_>, lease_until: &str) -> StoreResult<bool> {
    let updated = sqlx::query(
        "UPDATE idempotency_keys SET lease_until = ? WHERE workspace_id = ? AND key = ? AND owner = ? AND status IS NULL",
    )
    .bind(lease_until)
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

pub(super) async fn record_evidence(
    pool: &SqlitePool,
    claim: &IdempotencyOwner<'_>,
    evidence: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE idempotency_keys SET evidence = ? WHERE workspace_id = ? AND key = ? AND owner = ?")
        .bind(evidence)
        .bind(claim.workspace_id)
        .bind(claim.key)
        .bind(claim.owner)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn complete(
    pool: &SqlitePool,
    claim: &IdempotencyOwner<'_>,
    status: u16,
    body: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = ?, body = ?, owner = NULL, lease_until = NULL, evidence = NULL
          WHERE workspace_id = ? AND key = ? AND owner = ?",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn release(pool: &SqlitePool, claim: &IdempotencyOwner<'_>) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM idempotency_keys
          WHERE workspace_id = ? AND key = ? AND owner = ? AND status IS NULL AND evidence IS NULL",
    )
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(&mut *tx)
    .await?;
    // A NULL lease is an expired one: the next request with this key takes it over at once.
    sqlx::query(
        "UPDATE idempotency_keys SET owner = NULL, lease_until = NULL
          WHERE workspace_id = ? AND key = ? AND owner = ? AND status IS NULL",
    )
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
