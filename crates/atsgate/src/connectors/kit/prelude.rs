//! What every connector's `mod.rs` uses: the connector contract and the kit's entry points.

pub use std::sync::Arc;

pub use async_trait::async_trait;

pub use super::{credential, raw_bytes, Pager};
pub use crate::connectors::{
    AttachTarget, AttachmentType, Capabilities, Connector, ConnectorError, ConnectorSettings, FileStream, Page,
    RemoteApplication, RemoteAttachment, RemoteCandidate, RemoteJob, ToolEntry, UploadReceipt, UploadRequest,
};
