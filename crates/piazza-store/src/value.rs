//! Parameters and result rows, the same on every backend.

use crate::{Result, StoreError};

/// A SQL value. Integers are 64-bit everywhere (BIGINT on PostgreSQL);
/// instants are milliseconds since the epoch, UTC.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub(crate) values: Vec<Value>,
    pub(crate) sql: std::sync::Arc<str>,
}

impl Row {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Value> {
        self.values.get(i)
    }

    fn bad(&self, index: usize, message: String) -> StoreError {
        StoreError::Column {
            sql: crate::first_line(&self.sql),
            index,
            message,
        }
    }

    pub fn int(&self, i: usize) -> Result<i64> {
        match self.values.get(i) {
            Some(Value::Int(v)) => Ok(*v),
            other => Err(self.bad(i, format!("expected an integer, found {other:?}"))),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.values.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    pub fn real(&self, i: usize) -> Result<f64> {
        match self.values.get(i) {
            Some(Value::Real(v)) => Ok(*v),
            Some(Value::Int(v)) => Ok(*v as f64),
            other => Err(self.bad(i, format!("expected a number, found {other:?}"))),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool> {
        Ok(self.int(i)? != 0)
    }

    pub fn text(&self, i: usize) -> Result<String> {
        match self.values.get(i) {
            Some(Value::Text(v)) => Ok(v.clone()),
            other => Err(self.bad(i, format!("expected text, found {other:?}"))),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.values.get(i) {
            Some(Value::Null) => Ok(None),
            _ => self.text(i).map(Some),
        }
    }
}
