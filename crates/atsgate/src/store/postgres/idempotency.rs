//! `Idempotency-Key` claims in PostgreSQL. Several nodes may race for one key: the conditional
//! UPDATE that takes over an expired lease is re-checked by PostgreSQL after a concurrent
//! writer commits, so only one of them wins.

use sqlx::{PgPool, Row};

use super::super::{IdempotencyClaim, IdempotencyOwner, StoreError, StoreResult};

pub(super) async fn claim(
    pool: &PgPool,
    claim: &IdempotencyOwner<'_>,
    request_hash: &str,
    now: &str,
    lease_until: &str,
    expires_at: &str,
) -> StoreResult<IdempotencyClaim> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE workspace_id = $1 AND key = $2 AND expires_at < $3")
        .bind(claim.workspace_id)
        .bind(claim.key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    // Under READ COMMITTED each statement sees a fresh snapshot: another node may release the
    // key between our statements, and then we try again.
    let mut attempts = 0;
    let result = loop {
        attempts += 1;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (workspace_id, key, request_hash, created_at, expires_at, owner, lease_until)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT(workspace_id, key) DO NOTHING",
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
            break IdempotencyClaim::Claimed { evidence: None };
        }
        // Take over a claim whose lease ran out or was given up (NULL).
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET owner = $1, lease_until = $2
              WHERE workspace_id = $3 AND key = $4 AND request_hash = $5 AND status IS NULL
                AND (lease_until IS NULL OR lease_until < $6)
             RETURNING evidence",
        )
        .bind(claim.owner)
        .bind(lease_until)
        .bind(claim.workspace_id)
        .bind(claim.key)
        .bind(request_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = taken {
            break IdempotencyClaim::Claimed { evidence: row.get("evidence") };
        }
        let row =
            sqlx::query("SELECT request_hash, status, body FROM idempotency_keys WHERE workspace_id = $1 AND key = $2")
                .bind(claim.workspace_id)
                .bind(claim.key)
                .fetch_optional(&mut *tx)
                .await?;
        match row {
            Some(row) => {
                let status: Option<i64> = row.get("status");
                let body: Option<String> = row.get("body");
                break IdempotencyClaim::Existing {
                    request_hash: row.get("request_hash"),
                    response: status.zip(body).map(|(s, b)| (s as u16, b)),
                };
            }
            None if attempts < 3 => continue,
            None => {
                return Err(StoreError(anyhow::anyhow!("idempotency key {:?} kept changing hands", claim.key)));
            }
        }
    };
    // Now and then, drop expired records of every workspace.
    if rand::random::<u8>() == 0 {
        sqlx::query("DELETE FROM idempotency_keys WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(result)
}

pub(super) async fn renew(pool: &PgPool, claim: &IdempotencyOwner<'_>, lease_until: &str) -> StoreResult<bool> {
    let updated = sqlx::query(
        "UPDATE idempotency_keys SET lease_until = $1
          WHERE workspace_id = $2 AND key = $3 AND owner = $4 AND status IS NULL",
    )
    .bind(lease_until)
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

pub(super) async fn record_evidence(pool: &PgPool, claim: &IdempotencyOwner<'_>, evidence: &str) -> StoreResult<()> {
    sqlx::query("UPDATE idempotency_keys SET evidence = $1 WHERE workspace_id = $2 AND key = $3 AND owner = $4")
        .bind(evidence)
        .bind(claim.workspace_id)
        .bind(claim.key)
        .bind(claim.owner)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn complete(pool: &PgPool, claim: &IdempotencyOwner<'_>, status: u16, body: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, body = $2, owner = NULL, lease_until = NULL, evidence = NULL
          WHERE workspace_id = $3 AND key = $4 AND owner = $5",
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

pub(super) async fn release(pool: &PgPool, claim: &IdempotencyOwner<'_>) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM idempotency_keys
          WHERE workspace_id = $1 AND key = $2 AND owner = $3 AND status IS NULL AND evidence IS NULL",
    )
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(&mut *tx)
    .await?;
    // A NULL lease is an expired one: the next request with this key takes it over at once.
    sqlx::query(
        "UPDATE idempotency_keys SET owner = NULL, lease_until = NULL
          WHERE workspace_id = $1 AND key = $2 AND owner = $3 AND status IS NULL",
    )
    .bind(claim.workspace_id)
    .bind(claim.key)
    .bind(claim.owner)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
