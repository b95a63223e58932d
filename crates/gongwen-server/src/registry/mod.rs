//! The 文号 registry: one sequence per 机关代字 per year, allocated at 登记.
//!
//! Allocation runs in one transaction: an upsert on the `(代字, year)`
//! sequence row takes its row lock, so concurrent allocations queue on it and
//! each gets the next number; the number is recorded in `doc_numbers` in the
//! same transaction, so a rolled-back registration returns its number and
//! none is ever skipped or given twice. Registering the same document again
//! returns the number it already has (clients retry after network errors).

use deadpool_postgres::GenericClient;
use gongwen_protocol::registry::AllocatedNumber;

use crate::directory::check_text;
use crate::error::Result;

fn render(code: &str, year: i32, seq: i64) -> String {
    format!("{code}〔{year}〕{seq}号")
}

/// Allocate (or return the existing) number of `document_id` under `code` in
/// `year`. Pass a transaction.
pub async fn allocate(
    tx: &impl GenericClient,
    code: &str,
    year: i32,
    document_id: &str,
    user_id: Option<i64>,
) -> Result<AllocatedNumber> {
    let document_id = check_text("文档编号", document_id, 100)?;
    let code = code.trim();
    crate::directory::organ_by_code(tx, code).await?;
    let number = |seq: i64| AllocatedNumber {
        code: code.to_owned(),
        year,
        seq,
        document_id: document_id.clone(),
        text: render(code, year, seq),
    };
    // Lock the sequence row first, so the existence check below cannot race
    // with another registration of the same document.
    let seq: i64 = tx
        .query_one(
            "INSERT INTO doc_number_sequences (code, year, last_seq) VALUES ($1, $2, 1)
             ON CONFLICT (code, year) DO UPDATE SET last_seq = doc_number_sequences.last_seq + 1
             RETURNING last_seq",
            &[&code, &year],
        )
        .await?
        .get(0);
    if let Some(row) = tx
        .query_opt(
            "SELECT seq FROM doc_numbers WHERE code = $1 AND year = $2 AND document_id = $3",
            &[&code, &year, &document_id],
        )
        .await?
    {
        // Already registered: give the counter back (we hold its lock).
        tx.execute(
            "UPDATE doc_number_sequences SET last_seq = last_seq - 1 WHERE code = $1 AND year = $2",
            &[&code, &year],
        )
        .await?;
        return Ok(number(row.get(0)));
    }
    tx.execute(
        "INSERT INTO doc_numbers (code, year, seq, document_id, allocated_by) VALUES ($1, $2, $3, $4, $5)",
        &[&code, &year, &seq, &document_id, &user_id],
    )
    .await?;
    Ok(number(seq))
}

/// The numbers allocated under `code` in `year`, in order.
pub async fn list(c: &impl GenericClient, code: &str, year: i32) -> Result<Vec<AllocatedNumber>> {
    let rows = c
        .query(
            "SELECT seq, document_id FROM doc_numbers WHERE code = $1 AND year = $2 ORDER BY seq",
            &[&code.trim(), &year],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let seq: i64 = r.get(0);
            AllocatedNumber {
                code: code.trim().to_owned(),
                year,
                seq,
                document_id: r.get(1),
                text: render(code.trim(), year, seq),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_gbt9704() {
        assert_eq!(render("鹤府办", 2025, 7), "鹤府办〔2025〕7号");
    }
}
