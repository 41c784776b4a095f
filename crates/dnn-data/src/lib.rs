//! Placeholder: filled by the dnn-data issue.
