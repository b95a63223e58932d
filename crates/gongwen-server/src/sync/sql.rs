//! Statements prepared once per connection: every query of the push and pull paths
//! goes through deadpool's statement cache, so a statement costs one round trip (bind
//! and execute) instead of two (parse and describe first).

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::error::Result;

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(crate) async fn query(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<Row>> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query(&stmt, params).await?)
}

pub(crate) async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&stmt, params).await?)
}

pub(crate) async fn execute(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<u64> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.execute(&stmt, params).await?)
}
