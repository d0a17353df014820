//! The SQLite implementation of [`Store`].

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, Row, params};

use super::{
    Account, CheckKind, CodePurpose, EmailOtpMethod, MailCode, MailKind, RecoveryCodeRecord, Store, StoreError,
    TokenKind, TokenRecord, TotpMethod, Transaction,
};
use crate::limits::FailureState;
use crate::secrets::Digest;

/// Schema migrations, applied in order. `PRAGMA user_version` stores how many have run, so a
/// new migration is appended here and never edited once released.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL COLLATE NOCASE UNIQUE,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        totp_secret TEXT,
        totp_completed_at INTEGER,
        totp_last_step INTEGER,
        totp_pending_secret TEXT,
        email_otp_address TEXT,
        email_otp_completed_at INTEGER,
        recovery_codes_issued_at INTEGER
    ) STRICT;

    CREATE TABLE tokens (
        digest BLOB PRIMARY KEY,
        kind TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        issued_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX tokens_by_user ON tokens (user_id);
    CREATE INDEX tokens_by_expiry ON tokens (expires_at);

    CREATE TABLE recovery_codes (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        digest BLOB NOT NULL,
        used_at INTEGER
    ) STRICT;
    CREATE INDEX recovery_codes_by_user ON recovery_codes (user_id);

    CREATE TABLE mail_codes (
        user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        digest BLOB NOT NULL,
        target TEXT,
        expires_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, purpose)
    ) STRICT;

    CREATE TABLE mail_throttle (
        user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        last_sent_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, kind)
    ) STRICT;

    CREATE TABLE check_failures (
        user_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_failure_at INTEGER,
        PRIMARY KEY (user_id, kind)
    ) STRICT;
    "#,
];

/// A SQLite database file with one connection. Transactions take the connection in turn, so
/// callers run them on blocking threads.
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens or creates the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut connection = Connection::open(path).map_err(backend)?;
        connection.busy_timeout(Duration::from_secs(5)).map_err(backend)?;
        // WAL with synchronous=FULL makes each commit durable before it returns, so an
        // acknowledged change survives a crash or power loss.
        connection
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(backend)?;
        migrate(&mut connection)?;
        Ok(SqliteStore { connection: Mutex::new(connection) })
    }

    /// Returns the schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        connection.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(backend)
    }
}

/// Number of migrations in this build.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(backend)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew { found: current, supported: SCHEMA_VERSION });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let transaction = connection.transaction().map_err(backend)?;
        transaction.execute_batch(sql).map_err(backend)?;
        transaction.pragma_update(None, "user_version", version).map_err(backend)?;
        transaction.commit().map_err(backend)?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

fn backend(error: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(failure, _) = &error
        && failure.code == ErrorCode::ConstraintViolation
        && matches!(
            failure.extended_code,
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        )
    {
        return StoreError::Duplicate;
    }
    StoreError::Backend(Box::new(error))
}

impl Store for SqliteStore {
    fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        // A panic in an earlier transaction poisons the mutex. Its guard was dropped during the
        // unwind, which rolled that transaction back, so the connection is usable.
        let connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        connection.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
        Ok(Box::new(SqliteTransaction { connection, finished: false }))
    }
}

struct SqliteTransaction<'a> {
    connection: MutexGuard<'a, Connection>,
    finished: bool,
}

impl Drop for SqliteTransaction<'_> {
    fn drop(&mut self) {
        if !self.finished
            && let Err(error) = self.connection.execute_batch("ROLLBACK")
        {
            tracing::error!(%error, "failed to roll back a transaction");
        }
    }
}

const ACCOUNT_COLUMNS: &str = "id, email, password_hash, created_at, totp_secret, totp_completed_at, totp_last_step, \
     totp_pending_secret, email_otp_address, email_otp_completed_at, recovery_codes_issued_at";

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let totp_secret: Option<String> = row.get(4)?;
    let totp_completed_at: Option<i64> = row.get(5)?;
    let email_otp_address: Option<String> = row.get(8)?;
    let email_otp_completed_at: Option<i64> = row.get(9)?;
    Ok(Account {
        id: row.get(0)?,
        email: row.get(1)?,
        password_hash: row.get(2)?,
        created_at: row.get(3)?,
        totp: totp_secret.zip(totp_completed_at).map(|(secret, completed_at)| TotpMethod { secret, completed_at }),
        totp_last_step: row.get(6)?,
        totp_pending_secret: row.get(7)?,
        email_otp: email_otp_address
            .zip(email_otp_completed_at)
            .map(|(address, completed_at)| EmailOtpMethod { address, completed_at }),
        recovery_codes_issued_at: row.get(10)?,
    })
}

fn digest_from(bytes: Vec<u8>) -> Result<Digest, StoreError> {
    Digest::try_from(bytes.as_slice())
        .map_err(|_| StoreError::Corrupt(format!("digest of {} bytes instead of 32", bytes.len())))
}

impl Transaction for SqliteTransaction<'_> {
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.connection.execute_batch("COMMIT").map_err(backend)?;
        self.finished = true;
        Ok(())
    }

    fn insert_account(&mut self, email: &str, password_hash: &str, now: i64) -> Result<i64, StoreError> {
        self.connection
            .prepare_cached("INSERT INTO accounts (email, password_hash, created_at) VALUES (?1, ?2, ?3)")
            .and_then(|mut statement| statement.execute(params![email, password_hash, now]))
            .map_err(backend)?;
        Ok(self.connection.last_insert_rowid())
    }

    fn account(&mut self, id: i64) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
        self.connection
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row([id], account_from_row).optional())
            .map_err(backend)
    }

    fn account_by_email(&mut self, email: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?1");
        self.connection
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row([email], account_from_row).optional())
            .map_err(backend)
    }

    fn update_account(&mut self, account: &Account) -> Result<(), StoreError> {
        let (totp_secret, totp_completed_at) = match &account.totp {
            Some(totp) => (Some(totp.secret.as_str()), Some(totp.completed_at)),
            None => (None, None),
        };
        let (email_otp_address, email_otp_completed_at) = match &account.email_otp {
            Some(method) => (Some(method.address.as_str()), Some(method.completed_at)),
            None => (None, None),
        };
        self.connection
            .prepare_cached(
                "UPDATE accounts SET email = ?2, password_hash = ?3, totp_secret = ?4, totp_completed_at = ?5, \
                 totp_last_step = ?6, totp_pending_secret = ?7, email_otp_address = ?8, \
                 email_otp_completed_at = ?9, recovery_codes_issued_at = ?10 WHERE id = ?1",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    account.id,
                    account.email,
                    account.password_hash,
                    totp_secret,
                    totp_completed_at,
                    account.totp_last_step,
                    account.totp_pending_secret,
                    email_otp_address,
                    email_otp_completed_at,
                    account.recovery_codes_issued_at,
                ])
            })
            .map_err(backend)?;
        Ok(())
    }

    fn insert_token(&mut self, token: &TokenRecord) -> Result<(), StoreError> {
        self.connection
            .prepare_cached(
                "INSERT INTO tokens (digest, kind, user_id, issued_at, expires_at, revoked) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    token.digest.as_slice(),
                    token.kind.as_str(),
                    token.user_id,
                    token.issued_at,
                    token.expires_at,
                    token.revoked,
                ])
            })
            .map_err(backend)?;
        Ok(())
    }

    fn token(&mut self, digest: &Digest) -> Result<Option<TokenRecord>, StoreError> {
        let row = self
            .connection
            .prepare_cached(
                "SELECT digest, kind, user_id, issued_at, expires_at, revoked FROM tokens WHERE digest = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([digest.as_slice()], |row| {
                        Ok((
                            row.get::<_, Vec<u8>>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, i64>(3)?,
                            row.get::<_, i64>(4)?,
                            row.get::<_, bool>(5)?,
                        ))
                    })
                    .optional()
            })
            .map_err(backend)?;
        let Some((stored_digest, kind, user_id, issued_at, expires_at, revoked)) = row else {
            return Ok(None);
        };
        let kind =
            TokenKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown token kind `{kind}`")))?;
        Ok(Some(TokenRecord { digest: digest_from(stored_digest)?, kind, user_id, issued_at, expires_at, revoked }))
    }

    fn revoke_token(&mut self, digest: &Digest) -> Result<bool, StoreError> {
        let changed = self
            .connection
            .prepare_cached("UPDATE tokens SET revoked = 1 WHERE digest = ?1 AND revoked = 0")
            .and_then(|mut statement| statement.execute([digest.as_slice()]))
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn revoke_tokens_of(&mut self, user_id: i64) -> Result<usize, StoreError> {
        self.connection
            .prepare_cached("UPDATE tokens SET revoked = 1 WHERE user_id = ?1 AND revoked = 0")
            .and_then(|mut statement| statement.execute([user_id]))
            .map_err(backend)
    }

    fn delete_expired(&mut self, now: i64) -> Result<usize, StoreError> {
        let tokens = self
            .connection
            .prepare_cached("DELETE FROM tokens WHERE expires_at < ?1")
            .and_then(|mut statement| statement.execute([now]))
            .map_err(backend)?;
        let codes = self
            .connection
            .prepare_cached("DELETE FROM mail_codes WHERE expires_at < ?1")
            .and_then(|mut statement| statement.execute([now]))
            .map_err(backend)?;
        Ok(tokens + codes)
    }

    fn replace_recovery_codes(&mut self, user_id: i64, digests: &[Digest]) -> Result<(), StoreError> {
        self.delete_recovery_codes(user_id)?;
        let mut statement = self
            .connection
            .prepare_cached("INSERT INTO recovery_codes (user_id, digest) VALUES (?1, ?2)")
            .map_err(backend)?;
        for digest in digests {
            statement.execute(params![user_id, digest.as_slice()]).map_err(backend)?;
        }
        Ok(())
    }

    fn unused_recovery_codes(&mut self, user_id: i64) -> Result<Vec<RecoveryCodeRecord>, StoreError> {
        let rows: Vec<(i64, Vec<u8>)> = self
            .connection
            .prepare_cached("SELECT id, digest FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL ORDER BY id")
            .and_then(|mut statement| statement.query_map([user_id], |row| Ok((row.get(0)?, row.get(1)?)))?.collect())
            .map_err(backend)?;
        rows.into_iter().map(|(id, digest)| Ok(RecoveryCodeRecord { id, digest: digest_from(digest)? })).collect()
    }

    fn mark_recovery_code_used(&mut self, id: i64, now: i64) -> Result<(), StoreError> {
        self.connection
            .prepare_cached("UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1")
            .and_then(|mut statement| statement.execute(params![id, now]))
            .map_err(backend)?;
        Ok(())
    }

    fn delete_recovery_codes(&mut self, user_id: i64) -> Result<(), StoreError> {
        self.connection
            .prepare_cached("DELETE FROM recovery_codes WHERE user_id = ?1")
            .and_then(|mut statement| statement.execute([user_id]))
            .map_err(backend)?;
        Ok(())
    }

    fn mail_code(&mut self, user_id: i64, purpose: CodePurpose) -> Result<Option<MailCode>, StoreError> {
        let row: Option<(Vec<u8>, Option<String>, i64, u32)> = self
            .connection
            .prepare_cached(
                "SELECT digest, target, expires_at, attempts FROM mail_codes WHERE user_id = ?1 AND purpose = ?2",
            )
            .and_then(|mut statement| {
                statement
                    .query_row(params![user_id, purpose.as_str()], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                    })
                    .optional()
            })
            .map_err(backend)?;
        row.map(|(digest, target, expires_at, attempts)| {
            Ok(MailCode { user_id, purpose, digest: digest_from(digest)?, target, expires_at, attempts })
        })
        .transpose()
    }

    fn put_mail_code(&mut self, code: &MailCode) -> Result<(), StoreError> {
        self.connection
            .prepare_cached(
                "INSERT OR REPLACE INTO mail_codes (user_id, purpose, digest, target, expires_at, attempts) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    code.user_id,
                    code.purpose.as_str(),
                    code.digest.as_slice(),
                    code.target,
                    code.expires_at,
                    code.attempts,
                ])
            })
            .map_err(backend)?;
        Ok(())
    }

    fn delete_mail_code(&mut self, user_id: i64, purpose: CodePurpose) -> Result<(), StoreError> {
        self.connection
            .prepare_cached("DELETE FROM mail_codes WHERE user_id = ?1 AND purpose = ?2")
            .and_then(|mut statement| statement.execute(params![user_id, purpose.as_str()]))
            .map_err(backend)?;
        Ok(())
    }

    fn last_mail_sent(&mut self, user_id: i64, kind: MailKind) -> Result<Option<i64>, StoreError> {
        self.connection
            .prepare_cached("SELECT last_sent_at FROM mail_throttle WHERE user_id = ?1 AND kind = ?2")
            .and_then(|mut statement| statement.query_row(params![user_id, kind.as_str()], |row| row.get(0)).optional())
            .map_err(backend)
    }

    fn set_last_mail_sent(&mut self, user_id: i64, kind: MailKind, at: Option<i64>) -> Result<(), StoreError> {
        let result = match at {
            Some(at) => self
                .connection
                .prepare_cached(
                    "INSERT OR REPLACE INTO mail_throttle (user_id, kind, last_sent_at) VALUES (?1, ?2, ?3)",
                )
                .and_then(|mut statement| statement.execute(params![user_id, kind.as_str(), at])),
            None => self
                .connection
                .prepare_cached("DELETE FROM mail_throttle WHERE user_id = ?1 AND kind = ?2")
                .and_then(|mut statement| statement.execute(params![user_id, kind.as_str()])),
        };
        result.map_err(backend)?;
        Ok(())
    }

    fn failures(&mut self, user_id: i64, check: CheckKind) -> Result<FailureState, StoreError> {
        let row: Option<(u32, Option<i64>)> = self
            .connection
            .prepare_cached("SELECT failures, last_failure_at FROM check_failures WHERE user_id = ?1 AND kind = ?2")
            .and_then(|mut statement| {
                statement.query_row(params![user_id, check.as_str()], |row| Ok((row.get(0)?, row.get(1)?))).optional()
            })
            .map_err(backend)?;
        Ok(row.map(|(failures, last_failure_at)| FailureState { failures, last_failure_at }).unwrap_or_default())
    }

    fn set_failures(&mut self, user_id: i64, check: CheckKind, state: FailureState) -> Result<(), StoreError> {
        let result = if state.failures == 0 {
            self.connection
                .prepare_cached("DELETE FROM check_failures WHERE user_id = ?1 AND kind = ?2")
                .and_then(|mut statement| statement.execute(params![user_id, check.as_str()]))
        } else {
            self.connection
                .prepare_cached(
                    "INSERT OR REPLACE INTO check_failures (user_id, kind, failures, last_failure_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![user_id, check.as_str(), state.failures, state.last_failure_at])
                })
        };
        result.map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_temp() -> (tempfile::TempDir, SqliteStore) {
        let folder = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&folder.path().join("auth.sqlite3")).unwrap();
        (folder, store)
    }

    #[test]
    fn migrations_set_schema_version() {
        let (_folder, store) = open_temp();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn reopen_keeps_data_and_version() {
        let (folder, store) = open_temp();
        let mut transaction = store.begin().unwrap();
        let id = transaction.insert_account("alice@example.com", "hash", 10).unwrap();
        transaction.commit().unwrap();
        drop(store);
        let store = SqliteStore::open(&folder.path().join("auth.sqlite3")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let mut transaction = store.begin().unwrap();
        assert_eq!(transaction.account(id).unwrap().unwrap().email, "alice@example.com");
    }

    #[test]
    fn newer_schema_is_rejected() {
        let (folder, store) = open_temp();
        drop(store);
        let path = folder.path().join("auth.sqlite3");
        Connection::open(&path).unwrap().pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        assert!(matches!(SqliteStore::open(&path), Err(StoreError::SchemaTooNew { .. })));
    }

    #[test]
    fn dropped_transaction_rolls_back() {
        let (_folder, store) = open_temp();
        let mut transaction = store.begin().unwrap();
        transaction.insert_account("alice@example.com", "hash", 10).unwrap();
        drop(transaction);
        let mut transaction = store.begin().unwrap();
        assert_eq!(transaction.account_by_email("alice@example.com").unwrap(), None);
    }

    #[test]
    fn email_is_unique_ignoring_case() {
        let (_folder, store) = open_temp();
        let mut transaction = store.begin().unwrap();
        transaction.insert_account("Alice@Example.com", "hash", 10).unwrap();
        assert!(matches!(transaction.insert_account("alice@example.com", "hash", 10), Err(StoreError::Duplicate)));
        assert!(transaction.account_by_email("ALICE@example.COM").unwrap().is_some());
    }

    #[test]
    fn account_round_trips_every_field() {
        let (_folder, store) = open_temp();
        let mut transaction = store.begin().unwrap();
        let id = transaction.insert_account("alice@example.com", "hash", 10).unwrap();
        let mut account = transaction.account(id).unwrap().unwrap();
        account.email = "alice@example.org".into();
        account.password_hash = "other".into();
        account.totp = Some(TotpMethod { secret: "ABC".into(), completed_at: 20 });
        account.totp_last_step = Some(7);
        account.totp_pending_secret = Some("DEF".into());
        account.email_otp = Some(EmailOtpMethod { address: "otp@example.com".into(), completed_at: 30 });
        account.recovery_codes_issued_at = Some(40);
        transaction.update_account(&account).unwrap();
        assert_eq!(transaction.account(id).unwrap().unwrap(), account);
    }

    #[test]
    fn token_revocation_reports_change() {
        let (_folder, store) = open_temp();
        let mut transaction = store.begin().unwrap();
        let user_id = transaction.insert_account("alice@example.com", "hash", 10).unwrap();
        let record = TokenRecord {
            digest: [7; 32],
            kind: TokenKind::Sudo,
            user_id,
            issued_at: 1,
            expires_at: 2,
            revoked: false,
        };
        transaction.insert_token(&record).unwrap();
        assert_eq!(transaction.token(&[7; 32]).unwrap(), Some(record));
        assert!(transaction.revoke_token(&[7; 32]).unwrap());
        assert!(!transaction.revoke_token(&[7; 32]).unwrap());
        assert!(transaction.token(&[7; 32]).unwrap().unwrap().revoked);
        assert_eq!(transaction.delete_expired(3).unwrap(), 1);
        assert_eq!(transaction.token(&[7; 32]).unwrap(), None);
    }

    #[test]
    fn counters_and_throttles_round_trip() {
        let (_folder, store) = open_temp();
        let mut transaction = store.begin().unwrap();
        let user_id = transaction.insert_account("alice@example.com", "hash", 10).unwrap();
        let state = FailureState { failures: 3, last_failure_at: Some(99) };
        transaction.set_failures(user_id, CheckKind::Totp, state).unwrap();
        assert_eq!(transaction.failures(user_id, CheckKind::Totp).unwrap(), state);
        assert_eq!(transaction.failures(user_id, CheckKind::Password).unwrap(), FailureState::default());
        transaction.set_failures(user_id, CheckKind::Totp, FailureState::default()).unwrap();
        assert_eq!(transaction.failures(user_id, CheckKind::Totp).unwrap(), FailureState::default());
        transaction.set_last_mail_sent(user_id, MailKind::EmailOtp, Some(50)).unwrap();
        assert_eq!(transaction.last_mail_sent(user_id, MailKind::EmailOtp).unwrap(), Some(50));
        transaction.set_last_mail_sent(user_id, MailKind::EmailOtp, None).unwrap();
        assert_eq!(transaction.last_mail_sent(user_id, MailKind::EmailOtp).unwrap(), None);
    }
}
