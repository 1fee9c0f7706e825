//! What the web desk (`piazza-web`) needs from the desk beyond its public
//! use cases: the reply templates filled with an administration's contacts.

pub use crate::templates::{TEMPLATES, contacts_phrase, render_template, review_contact};
