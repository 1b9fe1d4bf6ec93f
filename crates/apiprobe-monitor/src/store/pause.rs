//! Checks paused through the API: kept in the database so a restart, or another process sharing it,
//! finds them paused.

use super::{Store, StoreError};
use sqlx::Row;

impl Store {
    /// The paused checks, by name.
    pub async fn paused(&self) -> Result<Vec<String>, StoreError> {
        let q = sqlx::query("SELECT check_name FROM paused ORDER BY check_name");
        self.fetch(q, |r| r.try_get("check_name")).await
    }

    /// Pauses (`paused`) or resumes `check` from `now_ms`; returns whether that changed anything.
    pub async fn set_paused(
        &self,
        check: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let q = if paused {
            sqlx::query("INSERT INTO paused (check_name, since_ms) VALUES ($1, $2) ON CONFLICT (check_name) DO NOTHING")
                .bind(check.to_string())
                .bind(now_ms)
        } else {
            sqlx::query("DELETE FROM paused WHERE check_name = $1").bind(check.to_string())
        };
        let n = q
            .execute(self.pool())
            .await
            .map_err(|e| self.wrap(e))?
            .rows_affected();
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pauses_outlive_the_connection() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite:{}", dir.path().join("p.db").display());
        let store = Store::open(&url).await.expect("open");
        assert!(store.set_paused("a", true, 1).await.expect("pause"));
        assert!(!store.set_paused("a", true, 2).await.expect("again"));
        assert!(store.set_paused("<b> 'x'", true, 3).await.expect("pause"));
        assert!(!store.set_paused("never", false, 4).await.expect("resume"));
        store.close().await;
        let store = Store::open(&url).await.expect("reopen");
        assert_eq!(store.paused().await.expect("read"), ["<b> 'x'", "a"]);
        assert!(store.set_paused("a", false, 5).await.expect("resume"));
        assert_eq!(store.paused().await.expect("read"), ["<b> 'x'"]);
    }
}
