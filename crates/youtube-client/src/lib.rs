//! YouTube client (being written).
