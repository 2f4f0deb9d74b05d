//! The application: configuration plus the long-lived services every part shares (store,
//! outbound clients, connector cache, sync tracker, interaction-log writer).

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::Duration,
};

use tokio::sync::RwLock;

use crate::{
    auth_cache::AuthCache,
    config::Config,
    connectors::{self, Connector, ConnectorSettings},
    crypto::MasterKey,
    error::{Error, Result},
    filehost::MemoryFileHost,
    limits::{ByteBudget, ConcurrencyLimits, KeyRateLimits},
    logsink::LogSink,
    store::{self, Integration, Store},
    sync::scheduler::SyncTracker,
    upstream::{download::Downloader, Upstream, UpstreamPolicy},
};

/// A built connector and the sealed credentials it was built from.
type CachedConnector = (String, Arc<dyn Connector>);

pub struct App {
    pub config: Config,
    pub public_url: String,
    pub store: Arc<dyn Store>,
    pub master_key: MasterKey,
    pub upstream: Arc<Upstream>,
    pub downloader: Downloader,
    pub syncs: SyncTracker,
    pub logs: LogSink,
    pub files: MemoryFileHost,
    pub concurrency: ConcurrencyLimits,
    pub key_rates: KeyRateLimits,
    pub body_budget: ByteBudget,
    pub known_applications: crate::actions::KnownApplications,
    /// Serializes same-named uploads to one target (see `actions::verification`).
    pub upload_locks: crate::actions::verification::UploadLocks,
    /// This process instance, as the owner of the idempotency claims it holds.
    pub instance_id: String,
    /// Requests still running, including those whose client went away (awaited at shutdown).
    pub requests: tokio_util::task::TaskTracker,
    pub auth: Arc<AuthCache>,
    /// Failed dashboard sign-ins, for their rate limit.
    pub sign_ins: crate::actions::accounts::SignInLimiter,
    /// Built connectors by integration id, with the sealed credentials they were built from
    /// (a change of credentials rebuilds them; tokens are cached inside).
    connectors: RwLock<HashMap<String, CachedConnector>>,
}

impl App {
    pub async fn new(config: Config) -> anyhow::Result<Arc<App>> {
        let store = store::connect(&config.database_url()).await?;
        let app = Self::with_store(config, store)?;
        // Entries a crashed process had answered but not yet stored.
        app.logs.recover(app.store.as_ref()).await?;
        Ok(app)
    }

    pub fn with_store(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Arc<App>> {
        let master_key = config.master_key()?;
        let upstream = Arc::new(Upstream::new(UpstreamPolicy {
            timeout: Duration::from_secs(config.upstream_timeout_secs),
            max_retries: config.upstream_max_retries,
            max_retry_after: Duration::from_secs(config.upstream_max_retry_after_secs),
        })?);
        let downloader =
            Downloader::new(config.allow_private_data_urls, Duration::from_secs(config.data_url_timeout_secs))?;
        Ok(Arc::new(App {
            public_url: config.public_url(),
            files: MemoryFileHost::new(&config.public_url()),
            concurrency: ConcurrencyLimits::new(config.max_concurrent_actions),
            key_rates: KeyRateLimits::new(config.rate_limit_per_minute, Duration::from_secs(60)),
            body_budget: ByteBudget::new(config.inflight_body_budget_bytes),
            known_applications: Default::default(),
            upload_locks: Default::default(),
            instance_id: crate::ids::random_id(),
            requests: tokio_util::task::TaskTracker::new(),
            auth: AuthCache::start(store.clone()),
            sign_ins: Default::default(),
            logs: LogSink::spawn(store.clone(), &config.data_dir),
            config,
            store,
            master_key,
            upstream,
            downloader,
            syncs: SyncTracker::default(),
            connectors: RwLock::new(HashMap::new()),
        }))
    }

    pub fn seal_credentials(
        &self,
        integration_id: &str,
        credentials: &BTreeMap<String, String>,
    ) -> anyhow::Result<String> {
        let plain = serde_json::to_vec(credentials)?;
        self.master_key.seal(&plain, integration_id)
    }

    /// The connector for `integration`, built once and reused.
    pub async fn connector(&self, integration: &Integration) -> Result<Arc<dyn Connector>> {
        if let Some((sealed, connector)) = self.connectors.read().await.get(&integration.id) {
            if *sealed == integration.sealed_credentials {
                return Ok(connector.clone());
            }
        }
        let entry = connectors::tool(&integration.tool)
            .ok_or_else(|| Error::ActionNotAvailable(format!("the tool {:?} is not supported", integration.tool)))?;
        let plain = self.master_key.open(&integration.sealed_credentials, &integration.id).map_err(Error::Internal)?;
        let credentials: BTreeMap<String, String> = serde_json::from_slice(&plain).map_err(Error::internal)?;
        let connector = (entry.build)(ConnectorSettings {
            base_url: integration.base_url.clone(),
            auth_url: integration.auth_url.clone(),
            credentials,
            upstream: Arc::new(self.upstream.for_integration(entry.capabilities.rate_limit)),
            file_host: Arc::new(self.files.clone()),
        })
        .map_err(Error::Internal)?;
        self.connectors
            .write()
            .await
            .insert(integration.id.clone(), (integration.sealed_credentials.clone(), connector.clone()));
        Ok(connector)
    }

    /// Flushes pending interaction logs; call before exiting.
    pub async fn shutdown(&self) {
        self.logs.flush().await;
    }
}
