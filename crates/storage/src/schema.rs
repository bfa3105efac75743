//! The Diesel schema, one for both backends.
//!
//! Column types are the portable subset: `BigInt` ids and counts, `Text`, `Bool`, `Double`,
//! `Binary` for ciphertext, `Date` for UTC days. Instants are `BigInt` unix seconds (UTC):
//! the same integer on both backends, compared and subtracted in SQL without any
//! backend-specific date function, and exact on round trips (no microsecond truncation on
//! PostgreSQL, no text formats on SQLite). The migrations in `migrations/sqlite` and
//! `migrations/postgres` create exactly these tables.

diesel::table! {
    /// OAuth `state` values handed out with authorize URLs: single use, short-lived.
    oauth_states (state) {
        /// The random state (URL-safe, at least 128 bits).
        state -> Text,
        /// The host product's user who started the flow.
        user_id -> Text,
        /// Platform name, e.g. `tiktok`.
        platform -> Text,
        /// PKCE code verifier, encrypted with the token cipher.
        pkce_verifier_ciphertext -> Binary,
        /// Unix seconds.
        created_at -> BigInt,
        /// Unix seconds.
        expires_at -> BigInt,
        /// Unix seconds; set once when the callback consumes the state.
        consumed_at -> Nullable<BigInt>,
        /// The platform's authorize URL, which the start route redirects the popup to.
        authorize_url -> Nullable<Text>,
        /// SHA-256 (hex) of the cookie that bound the state to a browser at the start route.
        browser_binding -> Nullable<Text>,
    }
}

diesel::table! {
    /// One row per (user, platform): the connected account, its profile and its tokens.
    connections (id) {
        /// Id.
        id -> BigInt,
        /// Host product's user id.
        user_id -> Text,
        /// Platform name.
        platform -> Text,
        /// TikTok `open_id`.
        platform_account_id -> Text,
        /// TikTok `union_id`.
        union_id -> Nullable<Text>,
        /// Handle without `@`.
        username -> Nullable<Text>,
        /// Display name.
        display_name -> Nullable<Text>,
        /// Avatar URL.
        avatar_url -> Nullable<Text>,
        /// Bio.
        bio -> Nullable<Text>,
        /// Verified badge.
        is_verified -> Bool,
        /// Profile link.
        profile_deep_link -> Nullable<Text>,
        /// Followers.
        follower_count -> Nullable<BigInt>,
        /// Following.
        following_count -> Nullable<BigInt>,
        /// Likes received.
        likes_count -> Nullable<BigInt>,
        /// Videos.
        video_count -> Nullable<BigInt>,
        /// Encrypted access token.
        access_token_ciphertext -> Nullable<Binary>,
        /// Encrypted refresh token.
        refresh_token_ciphertext -> Nullable<Binary>,
        /// Unix seconds.
        access_token_expires_at -> Nullable<BigInt>,
        /// Unix seconds.
        refresh_token_expires_at -> Nullable<BigInt>,
        /// Unix seconds: when the current pair was obtained.
        tokens_obtained_at -> Nullable<BigInt>,
        /// Bumped on every token write (compare-and-swap).
        token_version -> BigInt,
        /// Granted scopes, comma-separated.
        scopes -> Text,
        /// `active`, `needs_reauth` or `disconnected`.
        status -> Text,
        /// Why the status is not active.
        status_error -> Nullable<Text>,
        /// Unix seconds.
        last_refresh_at -> Nullable<BigInt>,
        /// Consecutive refresh failures.
        refresh_failures -> BigInt,
        /// Unix seconds.
        next_refresh_attempt_at -> Nullable<BigInt>,
        /// Unix seconds.
        last_synced_at -> Nullable<BigInt>,
        /// Sync outcome name.
        last_sync_outcome -> Nullable<Text>,
        /// Last sync error message.
        last_sync_error -> Nullable<Text>,
        /// Unix seconds: a sync was asked for and is waiting for the call budget.
        sync_requested_at -> Nullable<BigInt>,
        /// Unix seconds: when the last sync that walked every video page finished.
        last_full_sync_at -> Nullable<BigInt>,
        /// Worker holding the sync lease.
        lease_holder -> Nullable<Text>,
        /// Unix seconds.
        lease_expires_at -> Nullable<BigInt>,
        /// Unix seconds.
        created_at -> BigInt,
        /// Unix seconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Videos of a connection, with their latest counters.
    videos (id) {
        /// Id.
        id -> BigInt,
        /// Owning connection.
        connection_id -> BigInt,
        /// Platform video id (19-digit TikTok ids: text).
        platform_video_id -> Text,
        /// Title.
        title -> Nullable<Text>,
        /// Description.
        description -> Nullable<Text>,
        /// Seconds.
        duration_seconds -> Nullable<BigInt>,
        /// Cover URL.
        cover_image_url -> Nullable<Text>,
        /// Share URL.
        share_url -> Nullable<Text>,
        /// Embed link.
        embed_link -> Nullable<Text>,
        /// Unix seconds.
        posted_at -> Nullable<BigInt>,
        /// The platform's kind of post (Instagram `IMAGE`, `REELS`...), when it has several.
        media_type -> Nullable<Text>,
        /// Views; NULL when the platform did not give them (as every counter below).
        view_count -> Nullable<BigInt>,
        /// Likes.
        like_count -> Nullable<BigInt>,
        /// Comments.
        comment_count -> Nullable<BigInt>,
        /// Shares.
        share_count -> Nullable<BigInt>,
        /// Unique accounts reached.
        reach_count -> Nullable<BigInt>,
        /// Saves.
        save_count -> Nullable<BigInt>,
        /// The platform's engagement rate (domain::post_engagement_rate); NULL when its
        /// divisor is unknown or zero.
        engagement_rate -> Nullable<Double>,
        /// Unix seconds.
        first_seen_at -> BigInt,
        /// Unix seconds.
        updated_at -> BigInt,
        /// When every counter of the post was last read (unix seconds): a platform that
        /// re-reads some counters only periodically (Instagram's insights) decides by it.
        counters_read_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// A connection's profile counters, one row per UTC day.
    profile_snapshots (id) {
        /// Id.
        id -> BigInt,
        /// Connection.
        connection_id -> BigInt,
        /// UTC day.
        day -> Date,
        /// Followers.
        follower_count -> Nullable<BigInt>,
        /// Following.
        following_count -> Nullable<BigInt>,
        /// Likes received.
        likes_count -> Nullable<BigInt>,
        /// Videos.
        video_count -> Nullable<BigInt>,
        /// Sum of the known views over synced videos; NULL when no video's views are known.
        total_video_views -> Nullable<BigInt>,
        /// Unix seconds.
        captured_at -> BigInt,
        /// Sum of the known interactions (likes, comments, shares, saves) over synced videos;
        /// NULL when none is known.
        total_interactions -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// A video's counters, one row per UTC day.
    video_snapshots (id) {
        /// Id.
        id -> BigInt,
        /// Video row.
        video_id -> BigInt,
        /// Connection (for deletes and per-account reads).
        connection_id -> BigInt,
        /// UTC day.
        day -> Date,
        /// Views.
        view_count -> Nullable<BigInt>,
        /// Likes.
        like_count -> Nullable<BigInt>,
        /// Comments.
        comment_count -> Nullable<BigInt>,
        /// Shares.
        share_count -> Nullable<BigInt>,
        /// Reach.
        reach_count -> Nullable<BigInt>,
        /// Saves.
        save_count -> Nullable<BigInt>,
        /// Unix seconds.
        captured_at -> BigInt,
    }
}

diesel::table! {
    /// The sync log.
    sync_runs (id) {
        /// Id.
        id -> BigInt,
        /// Connection.
        connection_id -> BigInt,
        /// `manual` or `scheduled`.
        triggered_by -> Text,
        /// Unix seconds.
        started_at -> BigInt,
        /// Unix seconds.
        finished_at -> Nullable<BigInt>,
        /// Outcome name.
        outcome -> Nullable<Text>,
        /// Videos written.
        videos_synced -> BigInt,
        /// API calls made.
        api_calls -> BigInt,
        /// Error code.
        error_code -> Nullable<Text>,
        /// Error message.
        error_message -> Nullable<Text>,
    }
}

diesel::table! {
    /// API calls spent per bucket (app + endpoint) and window.
    api_quota (bucket, window_kind, window_start) {
        /// e.g. `tiktok:/v2/video/list/`.
        bucket -> Text,
        /// `minute` or `day`.
        window_kind -> Text,
        /// Unix seconds at the window's start.
        window_start -> BigInt,
        /// Calls counted in the window.
        spent -> BigInt,
    }
}

diesel::table! {
    /// Webhooks received from a platform, recorded once per body.
    webhook_events (id) {
        /// Id.
        id -> BigInt,
        /// Platform name.
        platform -> Text,
        /// Event name, e.g. `authorization.removed`.
        event -> Text,
        /// The account concerned (TikTok `user_openid`).
        platform_account_id -> Nullable<Text>,
        /// The platform's `create_time`, unix seconds.
        event_created_at -> BigInt,
        /// Hex SHA-256 of the raw body (de-duplication).
        body_digest -> Text,
        /// Unix seconds.
        received_at -> BigInt,
        /// What handling the event did.
        outcome -> Nullable<Text>,
        /// The platform's reason code, e.g. TikTok's `content.reason` of
        /// `authorization.removed`.
        reason_code -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// When a user last started a connect or a manual sync of a platform (the shared
    /// cooldown).
    interactive_cooldowns (user_id, platform) {
        /// The host product's user.
        user_id -> Text,
        /// Platform name.
        platform -> Text,
        /// Unix seconds.
        last_started_at -> BigInt,
    }
}

diesel::table! {
    /// The outbox of notifications to the host product.
    outbound_events (id) {
        /// Id.
        id -> BigInt,
        /// Event name, e.g. `sync.completed`.
        event -> Text,
        /// The host product's user.
        user_id -> Text,
        /// The connection concerned (not a foreign key: it may be gone).
        connection_id -> Nullable<BigInt>,
        /// JSON body.
        payload -> Text,
        /// Delivery attempts so far.
        attempts -> BigInt,
        /// Unix seconds: not before (also the claim's lease end).
        next_attempt_at -> BigInt,
        /// Unix seconds.
        delivered_at -> Nullable<BigInt>,
        /// Last delivery error.
        last_error -> Nullable<Text>,
        /// Unix seconds.
        created_at -> BigInt,
        /// Unix seconds: delivery stopped, its retry window spent (never delivered).
        gave_up_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Budgets a platform paused until a time (Instagram's per-account throttles).
    platform_pauses (bucket) {
        /// The budget's bucket.
        bucket -> Text,
        /// Unix seconds: no call before.
        until -> BigInt,
    }
}

diesel::table! {
    /// Data deletion requests a platform sent, and what became of them.
    data_deletion_requests (confirmation_code) {
        /// The code answered to the platform (and shown at the status URL).
        confirmation_code -> Text,
        /// The platform.
        platform -> Text,
        /// The account whose data was asked for.
        platform_account_id -> Text,
        /// Hex SHA-256 of the request's body: one row per delivery.
        body_digest -> Text,
        /// Unix seconds.
        requested_at -> BigInt,
        /// Unix seconds: when the data was deleted.
        completed_at -> Nullable<BigInt>,
        /// `deleted` or `no_data`.
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    /// Each account's activity per platform day, as the platform reports it (YouTube
    /// Analytics): what happened that day, replaced when the platform revises it.
    daily_activity (connection_id, day) {
        /// Connection.
        connection_id -> BigInt,
        /// The platform's day.
        day -> Date,
        /// Views that day.
        views -> Nullable<BigInt>,
        /// Minutes watched that day.
        watch_minutes -> Nullable<BigInt>,
        /// Likes that day.
        likes -> Nullable<BigInt>,
        /// Followers gained that day.
        followers_gained -> Nullable<BigInt>,
        /// Followers lost that day.
        followers_lost -> Nullable<BigInt>,
        /// Unix seconds: when the day was last read.
        read_at -> BigInt,
    }
}

diesel::joinable!(videos -> connections (connection_id));
diesel::joinable!(daily_activity -> connections (connection_id));
diesel::joinable!(profile_snapshots -> connections (connection_id));
diesel::joinable!(video_snapshots -> videos (video_id));
diesel::joinable!(sync_runs -> connections (connection_id));

diesel::allow_tables_to_appear_in_same_query!(
    oauth_states,
    connections,
    videos,
    profile_snapshots,
    video_snapshots,
    sync_runs,
    api_quota,
    webhook_events,
    outbound_events,
    platform_pauses,
    data_deletion_requests,
    daily_activity,
    interactive_cooldowns,
);
