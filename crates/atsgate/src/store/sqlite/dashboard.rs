//! The Sqlite implementation of `DashboardStore` and of the interaction-log writes, from the
//! SQL both backends share.

use async_trait::async_trait;
use sqlx::{QueryBuilder, Sqlite};

use super::SqliteStore;
use crate::store::{rows::*, *};

type Db = Sqlite;
type ThisStore = SqliteStore;

include!("../dashboard_sql.rs");
