//! The connector kit: the one place for what every vendor needs, so a connector holds only its
//! vendor's wire format.
//!
//! - [`client`]: the vendor client, built once per integration (label, base URL, auth, error
//!   dialect, the shared `Upstream`): JSON GET/POST/PUT/PATCH, multipart, raw bodies (SOAP/XML),
//!   downloads, and one renewal of a rejected token.
//! - [`dialect`]: how a vendor reads its error body and which statuses mean what; every failure
//!   is classified the same way.
//! - [`auth`] and [`oauth`]: header key, Bearer, Basic, OAuth2 client credentials, SAML/JWT
//!   bearer assertions, session logins, all issued credentials in one renewing cache.
//! - [`paginate`]: offset/limit, page number, next cursor, `Link` header, OData `__next`, and
//!   search-then-fetch; a guard against a vendor repeating its cursor, and a page cap on walks
//!   within one call (the sync engine sees every cursor of the walks it drives).
//! - [`body`]: bodies that can be sent again without copying the file.
//! - [`values`]: ids, names, file names, credentials.
//! - [`prelude`]: what every connector's `mod.rs` imports.

pub mod auth;
pub mod body;
pub mod client;
pub mod dialect;
pub mod oauth;
pub mod paginate;
pub mod prelude;
pub mod values;

pub use auth::{Auth, IssuedAuth, Placement};
pub use body::{raw_bytes, splice_json, splice_text, Body, Multipart};
pub use client::{file_stream, Call, VendorClient};
pub use dialect::{ErrorDialect, PlainErrors, Said};
pub use paginate::Pager;
pub use values::{credential, id_text, segment, split_first_space, url_file_name};
