//! Labelled corpora as TSV with a header row. Fields that contain a double
//! quote, a tab or a newline are quoted and their quotes doubled (RFC 4180
//! rules with a tab delimiter). Errors name the line and the field.

use std::fmt;

/// A parsed TSV file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// 1-based line on which each row starts (for error messages).
    pub row_lines: Vec<usize>,
}

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsvError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based field number, or the column name when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for TsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}, field {}: {}", self.line, field, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl std::error::Error for TsvError {}

/// Parses TSV contents with a header row.
pub fn parse_tsv(contents: &str) -> Result<Table, TsvError> {
    let contents = contents.strip_prefix('\u{FEFF}').unwrap_or(contents);
    let mut records: Vec<(usize, Vec<String>)> = Vec::new();
    let mut chars = contents.chars().peekable();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut at_field_start = true;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if at_field_start && c == '"' {
            // Quoted field: until a quote not followed by another quote.
            let start_line = line;
            loop {
                match chars.next() {
                    None => {
                        return Err(TsvError {
                            line: start_line,
                            field: Some((fields.len() + 1).to_string()),
                            message: "unterminated quoted field".into(),
                        });
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some('\n') => {
                        line += 1;
                        field.push('\n');
                    }
                    Some(ch) => field.push(ch),
                }
            }
            at_field_start = false;
            match chars.peek() {
                None | Some('\t') | Some('\n') | Some('\r') => {}
                Some(_) => {
                    return Err(TsvError {
                        line,
                        field: Some((fields.len() + 1).to_string()),
                        message: "text after the closing quote of a quoted field".into(),
                    });
                }
            }
            continue;
        }
        match c {
            '\t' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut fields)));
                line += 1;
                record_line = line;
                at_field_start = true;
                any = false;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if any {
        fields.push(field);
        records.push((record_line, fields));
    }
    // Skip blank lines.
    records.retain(|(_, r)| !(r.len() == 1 && r[0].is_empty()));
    let mut it = records.into_iter();
    let Some((_, headers)) = it.next() else {
        return Err(TsvError {
            line: 1,
            field: None,
            message: "empty file: a header row is required".into(),
        });
    };
    let mut table = Table {
        headers,
        ..Table::default()
    };
    for (line, row) in it {
        if row.len() != table.headers.len() {
            return Err(TsvError {
                line,
                field: None,
                message: format!(
                    "expected {} fields as in the header, found {}",
                    table.headers.len(),
                    row.len()
                ),
            });
        }
        table.rows.push(row);
        table.row_lines.push(line);
    }
    Ok(table)
}

impl Table {
    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    fn require(&self, name: &str) -> Result<usize, TsvError> {
        self.column(name).ok_or_else(|| TsvError {
            line: 1,
            field: Some(name.to_string()),
            message: format!(
                "no such column; the header has: {}",
                self.headers.join(", ")
            ),
        })
    }

    /// The values of a text column.
    pub fn texts(&self, name: &str) -> Result<Vec<&str>, TsvError> {
        let c = self.require(name)?;
        Ok(self.rows.iter().map(|r| r[c].as_str()).collect())
    }

    /// The values of a 0/1 label column.
    pub fn labels(&self, name: &str) -> Result<Vec<bool>, TsvError> {
        let c = self.require(name)?;
        self.rows
            .iter()
            .zip(&self.row_lines)
            .map(|(r, &line)| match r[c].trim() {
                "1" | "true" | "yes" => Ok(true),
                "0" | "false" | "no" => Ok(false),
                other => Err(TsvError {
                    line,
                    field: Some(name.to_string()),
                    message: format!("label `{other}` is not 0 or 1"),
                }),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_quoted_fields() {
        let t =
            parse_tsv("id\ttext\thate\n1\tciao\t0\n2\t\"lui ha detto \"\"no\"\"\"\t1\n").unwrap();
        assert_eq!(t.headers, vec!["id", "text", "hate"]);
        assert_eq!(t.rows[1][1], "lui ha detto \"no\"");
        assert_eq!(t.labels("hate").unwrap(), vec![false, true]);
        assert_eq!(
            t.texts("text").unwrap(),
            vec!["ciao", "lui ha detto \"no\""]
        );
    }

    #[test]
    fn quoted_field_with_tab_and_newline() {
        let t = parse_tsv("a\tb\r\n\"x\ty\nz\"\t2\r\n3\t4").unwrap();
        assert_eq!(
            t.rows,
            vec![
                vec!["x\ty\nz".to_string(), "2".into()],
                vec!["3".into(), "4".into()]
            ]
        );
        assert_eq!(t.row_lines, vec![2, 4]);
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = parse_tsv("a\tb\n1\t2\n3\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.to_string().contains("expected 2 fields"), "{e}");

        let e = parse_tsv("a\tb\n1\t\"open\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (2, Some("2")));

        let e = parse_tsv("a\tb\n1\t\"x\"y\n").unwrap_err();
        assert!(e.to_string().contains("after the closing quote"), "{e}");

        let t = parse_tsv("text\thate\nciao\tforse\n").unwrap();
        let e = t.labels("hate").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, field hate: label `forse` is not 0 or 1"
        );
        assert!(t.labels("nope").is_err());
        assert!(parse_tsv("").is_err());
    }
}
