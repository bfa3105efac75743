//! Word lists the generator draws titles and descriptions from. Some entries hold emoji,
//! quotes, `<` and `&` on purpose: every consumer must escape what it echoes.

pub(crate) const TOPICS: &[&str] = &[
    "sourdough",
    "ramen",
    "street food",
    "knife skills",
    "speedrun",
    "pixel art",
    "home studio",
    "synth patches",
    "bike repair",
    "city walks",
    "bouldering",
    "night sky",
    "watercolour",
    "tiny houses",
    "retro consoles",
    "chess openings",
];

pub(crate) const LONG_TITLES: &[&str] = &[
    "I tried {topic} for 30 days",
    "The only {topic} guide you need (2026)",
    "{topic}: beginner to pro in {n} steps",
    "Why nobody talks about {topic}",
    "{topic} <live> Q&A highlights",
    "\"Perfect\" {topic}? Let's test it",
    "{n} mistakes everyone makes with {topic}",
    "Behind the scenes: {topic} 🎬",
];

pub(crate) const SHORT_TITLES: &[&str] = &[
    "{topic} in 30 seconds #shorts",
    "wait for it… {topic} 😮 #shorts",
    "POV: your first {topic} #shorts",
    "{topic} hack #{n} #shorts",
];

pub(crate) const LIVE_TITLES: &[&str] = &[
    "🔴 LIVE: {topic} all night",
    "Live {topic} session #{n}",
    "Premiere: {topic} & friends",
];

pub(crate) const DESCRIPTIONS: &[&str] = &[
    "Everything about {topic}. Links & gear below.",
    "New here? Subscribe for more {topic} every week.",
    "Chapters:\n0:00 intro\n1:12 {topic}\n9:40 outro",
    "",
];

pub(crate) const TAGS: &[&str] = &[
    "tutorial",
    "howto",
    "vlog",
    "2026",
    "diy",
    "review",
    "challenge",
    "beginner",
];

pub(crate) const COUNTRIES: &[&str] = &["DE", "US", "GB", "JP", "BR", "NG", "FR", "IN"];
