//! The Postgres implementation of `DashboardStore` and of the interaction-log writes, from the
//! SQL both backends share.

use async_trait::async_trait;
use sqlx::{Postgres, QueryBuilder};

use super::PostgresStore;
use crate::store::{rows::*, *};

type Db = Postgres;
type ThisStore = PostgresStore;

include!("../dashboard_sql.rs");
