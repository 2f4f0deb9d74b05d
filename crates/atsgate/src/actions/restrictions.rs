//! `GET /ats/actions/ats_add_{application,candidate}_attachment`: what each attachment type may
//! be for this integration, derived from the connector's declared capabilities (spec §6).

use serde::Serialize;
use utoipa::ToSchema;

use crate::connectors::{AttachmentType, Capabilities};

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum TypeRestriction {
    Unsupported { is_supported: bool },
    Supported { is_supported: bool, max_file_size_bytes: Option<u64>, accepted_mime_types: Option<Vec<String>> },
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TypeRestrictions {
    #[serde(rename = "CV")]
    pub cv: TypeRestriction,
    #[serde(rename = "COVER_LETTER")]
    pub cover_letter: TypeRestriction,
    #[serde(rename = "OTHER")]
    pub other: TypeRestriction,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentRestrictions {
    pub types: TypeRestrictions,
}

/// The effective size limit: the ATS's own, capped by the gateway's configured limit.
pub fn max_bytes(caps: &Capabilities, gateway_limit: u64) -> u64 {
    caps.max_file_size_bytes.map_or(gateway_limit, |m| m.min(gateway_limit))
}

/// Restrictions for either endpoint: both can reach some target thanks to the fallback, so
/// they differ only when a connector can attach nowhere.
pub fn for_connector(caps: &Capabilities, gateway_limit: u64) -> Option<AttachmentRestrictions> {
    if !caps.attach_to_application && !caps.attach_to_candidate {
        return None;
    }
    let restriction = |kind: AttachmentType| match caps.vendor_type(kind) {
        None => TypeRestriction::Unsupported { is_supported: false },
        Some(_) => TypeRestriction::Supported {
            is_supported: true,
            max_file_size_bytes: Some(max_bytes(caps, gateway_limit)),
            accepted_mime_types: caps.accepted_mime_types.map(|list| list.iter().map(|m| m.to_string()).collect()),
        },
    };
    Some(AttachmentRestrictions {
        types: TypeRestrictions {
            cv: restriction(AttachmentType::Cv),
            cover_letter: restriction(AttachmentType::CoverLetter),
            other: restriction(AttachmentType::Other),
        },
    })
}
