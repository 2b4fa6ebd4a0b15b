//! The run modes. Each owns stdout for its run; nothing else prints.

pub mod check;
pub mod endpoints;
pub mod explain;
pub mod fix;
pub mod generate;
pub mod health;
pub mod lambda;
pub mod metrics_server;
pub mod task_events;
pub mod watch;
