//! Wall-clock instants as milliseconds since the Unix epoch: what the status
//! file and the EMF `Timestamp` carry. A leaf module.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the epoch; 0 for a clock set before 1970.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Seconds since the epoch; negative before 1970.
pub fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn epoch_conversions() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_255_834_307);
        assert_eq!(unix_ms(t), 1_795_255_834_307);
        assert_eq!(unix_secs(t), 1_795_255_834);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(5)), 0);
        assert_eq!(unix_secs(UNIX_EPOCH - Duration::from_secs(5)), -5);
    }
}
