//! Pure writers: each takes a finished report and a `Write`, and knows
//! nothing about how the report was made or where the bytes go.

pub mod emf;
pub mod json;
pub mod text;
